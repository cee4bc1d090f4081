"""The hashed suppression list: survives erasure, is checked by the one send path."""

import pytest
from django.core.management import call_command

from harbor.mail import Recipient, send_batch
from supporters import selectors, services
from supporters.models import ConsentEvent, Supporter, SuppressedAddress
from supporters.suppression import email_hash

from .factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_the_hash_is_keyed_and_normalized(settings):
    settings.HARBOR_SUPPRESSION_KEY = "key-one"
    one = email_hash(" Ana@Example.org ")
    assert one == email_hash("ana@example.org")
    assert len(one) == 64
    assert "ana" not in one
    settings.HARBOR_SUPPRESSION_KEY = "key-two"
    assert email_hash("ana@example.org") != one
    settings.HARBOR_SUPPRESSION_KEY = ""
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    derived = email_hash("ana@example.org")
    assert derived not in (one, email_hash("bob@example.org"))


def test_suppressing_a_supporter_lists_the_hash_once():
    supporter = SupporterFactory(email="ana@example.org")
    assert services.suppress_supporter(
        supporter_id=supporter.pk, reason="complaint", source="test"
    )
    assert not services.suppress_supporter(
        supporter_id=supporter.pk, reason="complaint", source="test"
    )
    row = SuppressedAddress.objects.get()
    assert row.email_hash == email_hash("ana@example.org")
    assert row.reason == "complaint"
    assert ConsentEvent.objects.filter(kind="suppress").count() == 1


def test_an_erased_supporter_who_complained_stays_suppressed(fake_postmark):
    supporter = SupporterFactory(email="ana@example.org")
    services.suppress_address(
        email="ANA@example.org", reason="complaint", source="webhook:Postmark"
    )
    supporter.refresh_from_db()
    assert supporter.suppression_reason == "complaint"

    supporter.delete()  # erasure: the record, consent history and subscriptions go
    assert not Supporter.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert SuppressedAddress.objects.count() == 1

    # The one send path still drops the address, bulk and transactional alike.
    for stream in ("bulk", "transactional"):
        sent = send_batch(
            template="test_message",
            recipients=[
                Recipient(email="ana@example.org", send_id="1"),
                Recipient(email="bob@example.org", send_id="2"),
            ],
            context={"name": "x"},
            stream=stream,
        )
        assert set(sent) == {"bob@example.org"}
    assert all(m["To"] == "bob@example.org" for m in fake_postmark.messages)

    # Signing up again brings the record back suppressed, with no consent recorded.
    again, created = services.upsert_supporter(
        email="ana@example.org", opt_in=True, opt_in_method="form", source="petition"
    )
    assert created
    assert again.suppressed_at is not None
    assert again.suppression_reason == "complaint"
    assert not again.email_opt_in
    assert not Supporter.objects.emailable().filter(pk=again.pk).exists()


def test_the_check_is_one_batch_of_two_queries(django_assert_num_queries):
    SupporterFactory(email="gone@example.org", unsubscribed_at="2026-01-01T00:00Z")
    services.suppress_address(email="bounced@example.org", reason="bounce")
    emails = [f"p{i}@example.org" for i in range(500)] + [
        "gone@example.org",
        "Gone@Example.org",
        "Bounced@example.org",
        "bounced@example.org",
    ]
    with django_assert_num_queries(2):
        blocked = selectors.suppressed_emails(emails, include_unsubscribed=True)
    assert blocked == {
        "gone@example.org",
        "Gone@Example.org",
        "Bounced@example.org",
        "bounced@example.org",
    }
    assert selectors.suppressed_emails(emails, include_unsubscribed=False) == {
        "Bounced@example.org",
        "bounced@example.org",
    }


def test_an_import_of_a_listed_address_creates_it_suppressed(tmp_path):
    from accounts.models import Role
    from supporters import importing
    from tests.accounts.factories import make_user

    services.suppress_address(email="ana@example.org", reason="bounce")
    admin = make_user("admin@example.org", role=Role.STAFF_ADMIN)
    row = importing.create_import(
        file_name="p.csv",
        content=b"email,first_name,email_opt_in\nana@example.org,Ana,yes\n"
        b"bob@example.org,Bob,yes\n",
        chapter=None,
        tag="",
        user=admin,
        enqueue=False,
    )
    importing.run_import(import_id=row.pk)
    ana = Supporter.objects.get(email="ana@example.org")
    bob = Supporter.objects.get(email="bob@example.org")
    assert ana.suppression_reason == "bounce"
    assert not ana.email_opt_in
    assert bob.suppressed_at is None


def test_the_migration_lists_supporters_already_suppressed(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", "supporters", "0001", verbosity=0)
    executor = MigrationExecutor(connection)
    apps = executor.loader.project_state(("supporters", "0001_initial")).apps
    OldSupporter = apps.get_model("supporters", "Supporter")
    OldSupporter.objects.create(
        email="old@example.org",
        suppressed_at="2025-01-01T00:00Z",
        suppression_reason="bounce",
    )
    call_command("migrate", verbosity=0)
    assert SuppressedAddress.objects.filter(
        email_hash=email_hash("old@example.org"), reason="bounce"
    ).exists()
