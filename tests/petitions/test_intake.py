"""The signature intake (petitions.intake): one row per sign request, drained in batches."""

import re
import threading
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Chapter
from harbor import events, jobs
from petitions import intake, selectors, services
from petitions.models import (
    IntakeBatch,
    Petition,
    Signature,
    SignatureEmail,
    SignatureIntake,
)
from supporters.models import ChapterMembership, ConsentEvent, Supporter
from tests.conftest import drain_signatures

from .conftest import sign_data
from .factories import PetitionFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def detail_url(petition, query=""):
    return reverse("petitions:detail", kwargs={"slug": petition.slug}) + query


def sign(petition, **kwargs):
    values = {
        "petition": petition,
        "email": "ana@example.org",
        "first_name": "Ana",
        "last_name": "Garcia",
        "zip_code": "78701",
        "wants_email": True,
    }
    values.update(kwargs)
    return services.sign_petition(**values)


# --- the request side -----------------------------------------------------------------


def test_the_sign_request_writes_one_intake_row_and_no_signature(
    client, petition, django_assert_num_queries
):
    outcome = sign(petition, comment="For my daughters.", utm_source="fb")
    assert outcome.created
    assert outcome.signature is None  # not drained yet
    row = SignatureIntake.objects.get()
    assert (row.email, row.first_name, row.comment, row.utm_source) == (
        "ana@example.org",
        "Ana",
        "For my daughters.",
        "fb",
    )
    assert row.referral_code == outcome.referral_code
    assert (row.state, row.status) == ("", "pending")  # no crosswalk loaded here
    assert not Signature.objects.exists()
    assert not Supporter.objects.exists()
    # Counted at once on the public page, before any drain.
    assert selectors.signature_count(petition_id=petition.pk) == 1
    # Staff pages count only drained signatures and say how many wait.
    assert selectors.counted_signatures(petition_id=petition.pk) == 0
    assert selectors.pending_signature_count(petition_id=petition.pk) == 1


def test_the_intake_insert_is_one_statement(petition, django_assert_num_queries):
    values = {
        "petition_id": petition.pk,
        "email": "one@example.org",
        "first_name": "One",
        "last_name": "",
        "zip_code": "",
        "phone": "",
        "comment": "",
        "wants_email": False,
        "is_public": False,
        "referral_code": services.new_referral_code(),
        "ip_hash": "",
        "language": "",
        "referred_by_code": "",
        "utm_source": "",
        "utm_medium": "",
        "utm_campaign": "",
        "channel": "page",
        "state": "",
        "congressional_district": "",
    }
    # The INSERT, in a savepoint here (a test runs in a transaction; a request does not).
    with django_assert_num_queries(3):
        assert intake.write_intake(values=values) is not None
    values["referral_code"] = services.new_referral_code()
    assert intake.write_intake(values=values) is None  # the key: already signed


def test_already_signed_is_answered_before_and_after_the_drain(client, petition):
    client.post(detail_url(petition), sign_data())
    again = client.post(detail_url(petition), sign_data(first_name="Mallory"))
    assert "/thanks/?again=1" in again["Location"]
    drain_signatures()
    after = client.post(detail_url(petition), sign_data(first_name="Mallory"))
    assert "/thanks/?again=1" in after["Location"]
    assert Signature.objects.count() == 1
    assert not SignatureIntake.objects.exists()
    assert Supporter.objects.get().first_name == "Ana"


def test_a_signature_made_before_the_intake_also_answers_already_signed(petition):
    supporter = SupporterFactory(email="old@example.org")
    Signature.objects.create(
        petition=petition,
        supporter=supporter,
        referral_code=services.new_referral_code(),
    )
    assert sign(petition, email="old@example.org").created is False
    assert not SignatureIntake.objects.exists()


def test_the_thank_you_page_works_before_the_drain(client, petition):
    response = client.post(detail_url(petition), sign_data())
    code = SignatureIntake.objects.get().referral_code
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for signing!" in page
    assert f"ref={code}" in page
    drain_signatures()
    page = client.get(response["Location"]).content.decode()
    assert f"ref={code}" in page
    assert Signature.objects.get().referral_code == code


def test_the_thank_you_page_of_a_pending_double_opt_in_asks_to_confirm(client, db):
    petition = PetitionFactory(requires_double_opt_in=True)
    response = client.post(detail_url(petition), sign_data())
    page = client.get(response["Location"]).content.decode()
    assert "confirm your signature" in page
    assert selectors.signature_count(petition_id=petition.pk) == 0  # not yet


def test_a_forged_thanks_token_is_a_404(client, petition):
    url = reverse(
        "petitions:thanks", kwargs={"slug": petition.slug, "token": "abc:def"}
    )
    assert client.get(url).status_code == 404


def test_a_sign_request_asks_for_a_drain_at_most_once_per_debounce(
    petition, settings, django_capture_on_commit_callbacks
):
    settings.PETITIONS_INTAKE_DRAIN_DEBOUNCE_SECONDS = 60
    with (
        mock.patch("harbor.celery.app.send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        sign(petition, email="a@example.org")
        sign(petition, email="b@example.org")
        sign(petition, email="c@example.org")
    assert send_task.call_args_list == [
        mock.call("petitions.drain_intake", queue="transactional")
    ]


# --- the drain ------------------------------------------------------------------------


def test_the_drain_writes_supporter_signature_membership_consent_count_and_email(
    petition, django_capture_on_commit_callbacks
):
    national = Chapter.objects.create(name="National", slug="national", kind="national")
    sign(petition, ip_address="203.0.113.9", utm_source="facebook")
    with (
        mock.patch("harbor.celery.app.send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert drain_signatures() == 1
    signature = Signature.objects.select_related("supporter").get()
    assert signature.supporter.email == "ana@example.org"
    assert signature.supporter.first_name == "Ana"
    assert signature.supporter.email_opt_in is True
    assert signature.supporter.source == f"petition:{petition.slug}"
    assert ConsentEvent.objects.get().method == "petition_checkbox"
    assert ChapterMembership.objects.filter(
        supporter=signature.supporter, chapter=national
    ).exists()
    assert signature.confirmed_at is not None
    assert signature.utm_source == "facebook"
    assert signature.campaign_id == petition.campaign_id
    assert len(signature.ip_hash) == 64
    assert selectors.signature_count(petition_id=petition.pk) == 1
    assert selectors.counted_signatures(petition_id=petition.pk) == 1
    email = SignatureEmail.objects.get(signature=signature)
    assert email.kind == SignatureEmail.Kind.THANK_YOU
    send_task.assert_any_call(
        "petitions.send_signature_emails",
        args=[[email.pk]],
        queue="transactional",
    )
    assert not SignatureIntake.objects.exists()
    batch = IntakeBatch.objects.get()
    assert (batch.status, batch.signature_count, batch.supporter_count) == (
        "done",
        1,
        1,
    )


@pytest.mark.parametrize("size", [20, 200])
def test_the_drain_is_a_few_statements_per_batch_whatever_its_size(
    petition, size, django_assert_max_num_queries
):
    for i in range(size):
        sign(petition, email=f"p{i}@example.org")
    batch_id = intake.cut_batch()
    # PostgreSQL takes each bulk INSERT in one statement; SQLite's 999-parameter limit
    # makes Django split it (about 40 rows a statement), the only part that grows.
    budget = 24 if connection.vendor == "postgresql" else 24 + size // 15
    with django_assert_max_num_queries(budget):
        intake.drain_batch(batch_id=batch_id)
    assert Signature.objects.count() == size
    assert SignatureEmail.objects.count() == size
    assert selectors.signature_count(petition_id=petition.pk) == size


def test_the_drain_announces_new_supporters_and_signatures(
    petition, django_capture_on_commit_callbacks
):
    existing = SupporterFactory(email="known@example.org")
    heard = []

    def receiver(sender, pks, **kwargs):
        heard.append((sender, sorted(pks)))

    events.records_created.connect(receiver)
    try:
        sign(petition, email="new@example.org")
        sign(petition, email="known@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            drain_signatures()
    finally:
        events.records_created.disconnect(receiver)
    new = Supporter.objects.get(email="new@example.org")
    assert (Supporter, [new.pk]) in heard
    assert (Signature, sorted(Signature.objects.values_list("pk", flat=True))) in heard
    assert all(existing.pk not in pks for sender, pks in heard if sender is Supporter)


def test_a_malformed_row_is_set_aside_with_its_reason_and_blocks_nothing(petition):
    sign(petition, email="good@example.org")
    SignatureIntake.objects.create(
        petition=petition,
        email="Not An Email",
        first_name="X",
        referral_code=services.new_referral_code(),
    )
    sign(petition, email="also-good@example.org")
    assert drain_signatures() == 2
    bad = SignatureIntake.objects.get()
    assert bad.status == SignatureIntake.Status.SET_ASIDE
    assert bad.error == "email: not a valid address"
    assert "Not An Email" not in bad.error
    assert IntakeBatch.objects.get().set_aside_count == 1
    # Not counted, and never drained again.
    assert selectors.signature_count(petition_id=petition.pk) == 2
    assert drain_signatures() == 0


def test_an_existing_supporter_is_completed_never_changed(petition):
    SupporterFactory(
        email="luis@example.org", first_name="Luis", last_name="", city="Atlanta",
        state="GA", zip_code="30301",
    )  # fmt: skip
    sign(
        petition,
        email="luis@example.org",
        first_name="Mallory",
        last_name="Stranger",
        zip_code="78701",
    )
    drain_signatures()
    luis = Supporter.objects.get()
    assert (luis.first_name, luis.last_name, luis.city, luis.state, luis.zip_code) == (
        "Luis",
        "Stranger",
        "Atlanta",
        "GA",
        "30301",
    )


def test_consent_on_an_unsubscribed_supporter_is_not_given_again(petition):
    from django.utils import timezone

    SupporterFactory(email="gone@example.org", unsubscribed_at=timezone.now())
    sign(petition, email="gone@example.org", wants_email=True)
    drain_signatures()
    assert Supporter.objects.get().email_opt_in is False
    assert not ConsentEvent.objects.exists()


def test_double_opt_in_drains_unconfirmed_with_a_confirmation_email(db):
    petition = PetitionFactory(requires_double_opt_in=True)
    sign(petition)
    drain_signatures()
    signature = Signature.objects.get()
    assert signature.confirmed_at is None
    assert SignatureEmail.objects.get().kind == SignatureEmail.Kind.CONFIRM
    assert Supporter.objects.get().email_opt_in is False
    assert selectors.signature_count(petition_id=petition.pk) == 0
    services.confirm_signature(signature_id=signature.pk)
    assert selectors.signature_count(petition_id=petition.pk) == 1


def test_a_signature_is_dated_when_signed_not_when_drained(petition):
    from datetime import timedelta

    from django.utils import timezone

    sign(petition)
    signed_at = timezone.now() - timedelta(hours=3)
    SignatureIntake.objects.update(created_at=signed_at)
    drain_signatures()
    signature = Signature.objects.get()
    assert signature.created_at == signed_at
    assert signature.confirmed_at == signed_at


def test_a_dead_workers_batch_is_retried_once_stale_and_written_once(
    petition, settings
):
    for i in range(5):
        sign(petition, email=f"p{i}@example.org")
    batch_id = intake.cut_batch()
    # A worker claims the batch and dies before committing anything.
    assert jobs.claim(IntakeBatch, batch_id) is not None
    assert intake.drain_batch(batch_id=batch_id) is None  # held by the "dead" one
    assert not Signature.objects.exists()
    assert intake.cut_batch() is None  # its rows stay with their batch
    IntakeBatch.objects.filter(pk=batch_id).update(
        claimed_at=IntakeBatch.objects.get(pk=batch_id).claimed_at
        - IntakeBatch.stale_after()
        - IntakeBatch.stale_after()
    )
    assert intake.drain_batch(batch_id=batch_id).signature_count == 5
    assert intake.drain_batch(batch_id=batch_id) is None
    assert Signature.objects.count() == 5
    assert SignatureEmail.objects.count() == 5
    assert selectors.signature_count(petition_id=petition.pk) == 5


def test_a_stale_claim_taken_over_writes_nothing(petition):
    sign(petition)
    batch_id = intake.cut_batch()
    claim = jobs.claim(IntakeBatch, batch_id)
    # Its successor took the batch over meanwhile.
    IntakeBatch.objects.filter(pk=batch_id).update(claim_token=None)
    with pytest.raises(intake.ClaimLost):
        intake._write_batch(claim)
    assert not Signature.objects.exists()
    assert SignatureIntake.objects.filter(batch_id=batch_id).count() == 1


def test_the_sweep_re_sends_a_batch_whose_worker_died(petition):
    sign(petition)
    batch_id = intake.cut_batch()
    jobs.claim(IntakeBatch, batch_id)
    IntakeBatch.objects.filter(pk=batch_id).update(
        claimed_at=IntakeBatch.objects.get(pk=batch_id).claimed_at
        - 2 * IntakeBatch.stale_after()
    )
    with mock.patch("harbor.celery.app.send_task") as send_task:
        jobs.sweep()
    send_task.assert_any_call(
        "petitions.drain_intake_batch",
        args=[batch_id],
        queue="transactional",
        countdown=None,
    )


def test_task_names_and_queues_are_pinned():
    from petitions import tasks

    assert tasks.drain_intake_task.name == "petitions.drain_intake"
    assert tasks.drain_intake_batch_task.name == "petitions.drain_intake_batch"
    assert tasks.drain_intake_batch_task.queue == "transactional"
    assert tasks.send_signature_emails_task.name == "petitions.send_signature_emails"
    assert IntakeBatch.job_task_name == "petitions.drain_intake_batch"


# --- concurrency (real threads, each with its own database connection) ----------------


def _run_threads(count, target):
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_drains_write_each_signature_once(settings):
    settings.PETITIONS_INTAKE_BATCH_SIZE = 7
    petition = PetitionFactory()
    for i in range(60):
        sign(petition, email=f"p{i}@example.org")
    assert _run_threads(4, drain_signatures) == []
    assert Signature.objects.count() == 60
    assert SignatureEmail.objects.count() == 60
    assert selectors.signature_count(petition_id=petition.pk) == 60
    assert not SignatureIntake.objects.exists()


# --- the page -------------------------------------------------------------------------


def test_the_page_fragments_are_cached_and_invalidated_on_change(
    client, petition, settings, django_assert_max_num_queries
):
    settings.PETITIONS_PAGE_CACHE_SECONDS = 300
    petition.text = "First text."
    petition.save()
    assert "First text." in client.get(detail_url(petition)).content.decode()
    with django_assert_max_num_queries(3):  # petition, count, fragment version
        html = client.get(detail_url(petition)).content.decode()
    assert "First text." in html
    # An edit changes the petition's updated_at, which is in the key.
    petition.text = "Second text."
    petition.save()
    assert "Second text." in client.get(detail_url(petition)).content.decode()
    # A public signature drained invalidates the recent signers.
    client.post(detail_url(petition), sign_data(first_name="Visible"))
    assert "Visible" not in client.get(detail_url(petition)).content.decode()
    with mock.patch("django.db.transaction.on_commit", side_effect=lambda f: f()):
        drain_signatures()
    assert "Visible" in client.get(detail_url(petition)).content.decode()
    # Spanish is its own fragment.
    assert (
        "Firmas recientes"
        in client.get(detail_url(petition, "?lang=es")).content.decode()
    )


def test_staff_pages_count_only_drained_signatures_and_say_how_many_wait(
    staff_client, petition
):
    sign(petition, email="a@example.org")
    drain_signatures()
    sign(petition, email="b@example.org")
    sign(petition, email="c@example.org")
    page = staff_client.get(
        reverse("petitions:signatures", kwargs={"slug": petition.slug})
    ).content.decode()
    assert "2 more signatures are being recorded" in page
    assert re.search(r"\b1 counted in total", page)
    listing = staff_client.get(reverse("petitions:staff-list")).content.decode()
    assert "+2 being recorded" in listing
    export = staff_client.get(
        reverse("petitions:export", kwargs={"slug": petition.slug})
    )
    assert export["X-Harbor-Pending-Signatures"] == "2"
    assert b"a@example.org" in b"".join(export.streaming_content)


# --- finding 1 of issue #11: a public form reveals nothing of an earlier signer ------


def test_recent_signers_never_show_a_strangers_stored_name_or_city(client, petition):
    """Signing with an existing supporter's email, any first name and "show my name"
    must not put their stored "Luis from Atlanta" on the page."""
    SupporterFactory(email="luis@example.org", first_name="Luis", city="Atlanta")
    client.post(
        detail_url(petition),
        sign_data(email="luis@example.org", first_name="Mallory", is_public="on"),
    )
    drain_signatures()
    html = client.get(detail_url(petition)).content.decode()
    assert "Luis" not in html
    assert "Atlanta" not in html
    assert "Mallory" in html  # what was typed on this signature, and nothing else
    assert Signature.objects.get().public_name == "Mallory"


def test_a_repeat_shows_only_what_was_typed_now(client, petition):
    client.post(detail_url(petition), sign_data(first_name="Ana", is_public="on"))
    drain_signatures()
    again = client.post(detail_url(petition), sign_data(first_name="Mallory"))
    page = client.get(again["Location"]).content.decode()
    assert "Mallory" not in page
    assert "Garcia" not in page
    assert Signature.objects.get().referral_code not in page
    assert Signature.objects.get().public_name == "Ana"


def test_the_widget_does_not_tell_whether_an_earlier_signature_is_unconfirmed(db):
    petition = PetitionFactory(requires_double_opt_in=True)
    client = Client(enforce_csrf_checks=True)
    url = reverse("petitions:widget", kwargs={"slug": petition.slug})
    html = client.get(url).content.decode()
    token = re.search(r'name="widget_token" value="([^"]+)"', html).group(1)
    first = client.post(url, sign_data(widget_token=token)).content.decode()
    assert "confirm your signature" in first  # the signer's own, made now
    drain_signatures()
    again = client.post(url, sign_data(widget_token=token)).content.decode()
    assert "You already signed this petition" in again
    assert "confirm your signature" not in again
    Signature.objects.update(confirmed_at=None)
    third = client.post(url, sign_data(widget_token=token)).content.decode()
    assert "confirm your signature" not in third


def test_closed_petitions_refuse_before_writing(db):
    petition = PetitionFactory(status=Petition.Status.CLOSED)
    with pytest.raises(services.PetitionClosedError):
        sign(petition)
    assert not SignatureIntake.objects.exists()


def test_an_erased_address_has_nothing_left_in_the_intake(db):
    from petitions.models import SignatureIntake
    from supporters import privacy
    from tests.petitions.factories import PetitionFactory, SupporterFactory

    ana = SupporterFactory(email="ana@example.org")
    petition = PetitionFactory()
    SignatureIntake.objects.create(
        petition=petition,
        email="ana@example.org",
        first_name="Ana",
        referral_code="intakeerase1",
        status=SignatureIntake.Status.SET_ASIDE,
        error="first_name: not a name",
    )
    export = privacy.export_data(ana)
    assert export["signatures_not_written_yet"][0]["first_name"] == "Ana"
    privacy.erase(ana.pk)
    assert not SignatureIntake.objects.filter(email="ana@example.org").exists()
