import email
import email.policy
import threading
from unittest import mock

import pytest
from anymail.exceptions import AnymailAPIError, AnymailRequestsAPIError
from django.core import signing
from django.db import connection
from django.utils import timezone

from petitions import selectors, services
from petitions.models import Petition, Signature, SignatureCountShard, SignatureEmail
from supporters.models import ConsentEvent, Supporter
from supporters.services import suppress_supporter

from ..conftest import drain_signatures
from .factories import PetitionFactory

pytestmark = pytest.mark.django_db


def sign(petition, *, drain=True, **kwargs):
    """Sign, then drain the intake (as the worker does moments later)."""
    values = {
        "petition": petition,
        "email": "Ana@Example.org ",
        "first_name": "Ana",
        "last_name": "Garcia",
        "zip_code": "78701",
        "wants_email": True,
    }
    values.update(kwargs)
    outcome = services.sign_petition(**values)
    if drain:
        drain_signatures()
    return outcome


def test_signing_creates_supporter_signature_count_and_queues_thank_you(
    petition, django_capture_on_commit_callbacks
):
    with (
        mock.patch("harbor.celery.app.send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcome = sign(petition, ip_address="203.0.113.9", utm_source="facebook")

    assert outcome.created
    signature = outcome.signature
    assert signature.supporter.email == "ana@example.org"
    assert signature.confirmed_at is not None
    assert signature.utm_source == "facebook"
    assert signature.ip_hash
    assert "203.0.113.9" not in signature.ip_hash
    assert len(signature.ip_hash) == 64
    assert selectors.signature_count(petition_id=petition.pk) == 1
    email = SignatureEmail.objects.get(signature=signature)
    assert email.kind == SignatureEmail.Kind.THANK_YOU
    # The request asked for a drain; the drain queued the one email.
    assert send_task.call_args_list == [
        mock.call("petitions.drain_intake", queue="transactional"),
        mock.call(
            "petitions.send_signature_emails",
            args=[[email.pk]],
            queue="transactional",
        ),
    ]
    assert signature.supporter.email_opt_in is True
    # Attribution: the campaign and the signer's place when signing.
    assert signature.campaign_id == petition.campaign_id
    assert signature.channel == "page"


def test_signing_twice_keeps_one_signature(
    petition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        first = sign(petition, drain=False)
        # Before the drain the intake key answers; after it, the signature does.
        before = sign(petition, email="ana@example.org", drain=False)
        drain_signatures()
    with django_capture_on_commit_callbacks() as callbacks:
        second = sign(petition, email="  ANA@example.ORG")
    assert first.created
    assert not before.created
    assert not second.created
    assert second.signature.pk == first.signature.pk
    assert Signature.objects.count() == 1
    assert selectors.signature_count(petition_id=petition.pk) == 1
    assert SignatureEmail.objects.count() == 1  # one email queued, not two
    assert callbacks == []  # the repeat queues nothing


def test_signing_a_closed_petition_is_refused(db):
    petition = PetitionFactory(status=Petition.Status.CLOSED)
    with pytest.raises(services.PetitionClosedError):
        sign(petition)
    assert not Supporter.objects.exists()


def test_double_opt_in_counts_only_after_confirmation(
    db, django_capture_on_commit_callbacks
):
    petition = PetitionFactory(requires_double_opt_in=True)
    with django_capture_on_commit_callbacks():
        outcome = sign(petition)
    signature = outcome.signature
    assert outcome.needs_confirmation
    assert selectors.signature_count(petition_id=petition.pk) == 0
    assert (
        SignatureEmail.objects.get(signature=signature).kind
        == SignatureEmail.Kind.CONFIRM
    )
    # Consent waits for the confirmation too.
    assert Supporter.objects.get().email_opt_in is False

    with django_capture_on_commit_callbacks():
        assert services.confirm_signature(signature_id=signature.pk) is True
        assert services.confirm_signature(signature_id=signature.pk) is False

    assert selectors.signature_count(petition_id=petition.pk) == 1
    assert Supporter.objects.get().email_opt_in is True
    assert ConsentEvent.objects.get().method == "double_opt_in"
    kinds = set(SignatureEmail.objects.values_list("kind", flat=True))
    assert kinds == {"confirm", "thank_you"}


def test_confirm_token_round_trips_and_expires(petition):
    token = services.make_confirm_token(42)
    assert services.signature_id_from_confirm_token(token) == 42
    assert services.signature_id_from_confirm_token(token + "x") is None
    assert services.signature_id_from_confirm_token("garbage") is None
    with mock.patch.object(signing.TimestampSigner, "timestamp", return_value="1"):
        old = services.make_confirm_token(42)
    assert services.signature_id_from_confirm_token(old) is None


def test_counter_spreads_over_shards_and_sums(petition, settings):
    settings.PETITIONS_COUNTER_SHARDS = 4
    for _ in range(40):
        services.count_signature(petition_id=petition.pk)
    assert SignatureCountShard.objects.filter(petition=petition).count() > 1
    assert selectors.signature_count(petition_id=petition.pk) == 40


def test_public_count_is_cached_for_a_few_seconds(petition, settings):
    settings.PETITIONS_COUNT_CACHE_SECONDS = 60
    assert selectors.signature_count(petition_id=petition.pk) == 0
    services.count_signature(petition_id=petition.pk)
    assert selectors.signature_count(petition_id=petition.pk) == 0
    assert selectors.signature_count(petition_id=petition.pk, fresh=True) == 1
    # A fresh read (a signer's own page) does not write the shared cache.
    assert selectors.signature_count(petition_id=petition.pk) == 0


def test_recount_rebuilds_the_counter(petition):
    sign(petition)
    sign(petition, email="ben@example.org")
    SignatureCountShard.objects.all().delete()
    assert services.recount_signatures(petition_id=petition.pk) == 2
    assert selectors.signature_count(petition_id=petition.pk) == 2


def test_referral_code_of_the_sharer_is_kept_and_junk_dropped(petition):
    sharer = sign(petition).signature
    friend = sign(
        petition, email="friend@example.org", referred_by_code=sharer.referral_code
    )
    junk = sign(petition, email="junk@example.org", referred_by_code="<script>")
    assert friend.signature.referred_by_code == sharer.referral_code
    assert junk.signature.referred_by_code == ""
    assert len({sharer.referral_code, friend.signature.referral_code}) == 2


# --- emails ---------------------------------------------------------------------------


def mail_text(folder) -> str:
    """The decoded text and HTML of every message the file backend wrote."""
    parts = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(
            path.read_bytes(), policy=email.policy.default
        )
        parts += [
            part.get_content()
            for part in message.walk()
            if part.get_content_maintype() == "text"
        ]
    return "\n".join(parts)


def _email_row(petition):
    sign(petition)
    return SignatureEmail.objects.get()


def test_send_signature_email_sends_once_and_records_the_message_id(petition, settings):
    row = _email_row(petition)
    assert services.send_signature_email(email_id=row.pk) == "done"
    assert services.send_signature_email(email_id=row.pk) == "unclaimed"
    row.refresh_from_db()
    assert row.status == "done"
    assert row.message_id
    assert row.esp_status == "sent"
    assert row.attempts == 1
    assert len(list(settings.HARBOR_MAIL_DIR.glob("*.eml"))) == 1
    body = mail_text(settings.HARBOR_MAIL_DIR)
    assert (
        "To: ana@example.org"
        in next(settings.HARBOR_MAIL_DIR.glob("*.eml")).read_text()
    )
    assert f"ref={row.signature.referral_code}" in body


def test_confirmation_email_holds_a_working_link(db, settings):
    petition = PetitionFactory(requires_double_opt_in=True)
    row = _email_row(petition)
    services.send_signature_email(email_id=row.pk)
    body = mail_text(settings.HARBOR_MAIL_DIR)
    assert f"/petitions/{petition.slug}/confirm/" in body


def test_spanish_signers_get_spanish_email(petition, settings):
    sign(petition, language="es")
    row = SignatureEmail.objects.get()
    services.send_signature_email(email_id=row.pk)
    body = mail_text(settings.HARBOR_MAIL_DIR)
    assert "Gracias" in body


def test_suppressed_signer_is_skipped(petition):
    row = _email_row(petition)
    suppress_supporter(supporter_id=row.signature.supporter_id, reason="bounce")
    assert services.send_signature_email(email_id=row.pk) == "skipped"


def test_transient_failure_releases_the_claim_for_a_retry(petition):
    row = _email_row(petition)
    error = AnymailRequestsAPIError("boom", status_code=503)
    with mock.patch("petitions.services.send_batch", side_effect=error):
        assert services.send_signature_email(email_id=row.pk) == "pending"
    row.refresh_from_db()
    assert row.status == "pending"
    assert row.next_attempt_at > timezone.now()  # backoff: not before then
    assert row.last_error == "AnymailRequestsAPIError 503"
    assert services.send_signature_email(email_id=row.pk) == "unclaimed"
    SignatureEmail.objects.filter(pk=row.pk).update(next_attempt_at=None)
    assert services.send_signature_email(email_id=row.pk) == "done"


def test_permanent_failure_is_recorded_and_not_retried(petition):
    row = _email_row(petition)
    with mock.patch("petitions.services.send_batch", side_effect=AnymailAPIError("no")):
        assert services.send_signature_email(email_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == "failed"
    assert "@" not in row.last_error
    assert services.send_signature_email(email_id=row.pk) == "unclaimed"


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
def test_concurrent_signing_of_one_email_gives_one_signature():
    petition = PetitionFactory()
    errors = _run_threads(8, lambda: sign(petition, drain=False))
    assert errors == []
    drain_signatures()
    assert Signature.objects.count() == 1
    assert selectors.signature_count(petition_id=petition.pk) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_signing_of_distinct_emails_loses_none():
    petition = PetitionFactory()
    counter = iter(range(100))
    lock = threading.Lock()

    def one():
        with lock:
            n = next(counter)
        sign(petition, email=f"p{n}@example.org", drain=False)

    assert _run_threads(8, one) == []
    assert selectors.signature_count(petition_id=petition.pk) == 8  # pending, counted
    drain_signatures()
    assert Signature.objects.count() == 8
    assert selectors.signature_count(petition_id=petition.pk) == 8


@pytest.mark.parametrize(
    ("count", "goal", "percent"),
    [(0, 100, 0), (1, 100000, 1), (50, 100, 50), (300, 100, 100)],
)
def test_progress_percent(count, goal, percent):
    assert selectors.progress_percent(count=count, goal=goal) == percent


def test_recount_command_rebuilds_counters(petition, capsys):
    from django.core.management import call_command

    sign(petition)
    SignatureCountShard.objects.all().delete()
    call_command("recount_signatures", petition.slug)
    assert f"{petition.slug}: 1" in capsys.readouterr().out
    assert selectors.signature_count(petition_id=petition.pk) == 1


@pytest.fixture
def crosswalk(db):
    from legislators import selectors
    from legislators.models import ZipDistrict

    ZipDistrict.objects.bulk_create(
        [
            ZipDistrict(zcta="78701", state="TX", district=37),
            ZipDistrict(zcta="77494", state="TX", district=22),
            ZipDistrict(zcta="77494", state="TX", district=38),
            ZipDistrict(zcta="73949", state="OK", district=3),
            ZipDistrict(zcta="73949", state="TX", district=13),
        ]
    )
    selectors.reset_zip_index()
    yield
    selectors.reset_zip_index()


@pytest.mark.parametrize(
    ("zip_code", "state", "district"),
    [
        ("78701", "TX", "TX-37"),
        ("77494", "TX", ""),
        ("73949", "", ""),
        ("99999", "", ""),
    ],
)
def test_signing_stores_what_the_zip_says_for_certain(
    petition, crosswalk, zip_code, state, district
):
    from accounts.models import Chapter

    texas = Chapter.objects.create(name="Texas", slug="tx", kind="state", state="TX")
    outcome = sign(petition, zip_code=zip_code)

    supporter = outcome.signature.supporter
    supporter.refresh_from_db()
    assert (supporter.state, supporter.congressional_district) == (state, district)
    assert (texas in supporter.chapters.all()) == (state == "TX")


def test_signing_again_unconfirmed_resends_the_confirmation_at_most_every_ten_minutes(
    db, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    petition = PetitionFactory(requires_double_opt_in=True)
    with django_capture_on_commit_callbacks():
        signature = sign(petition).signature
    row = SignatureEmail.objects.get(signature=signature)
    SignatureEmail.objects.filter(pk=row.pk).update(
        status=SignatureEmail.Status.DONE, finished_at=timezone.now()
    )

    with django_capture_on_commit_callbacks() as soon:
        assert sign(petition).created is False
    assert soon == []  # sent a moment ago: not again yet
    assert SignatureEmail.objects.get(pk=row.pk).status == SignatureEmail.Status.DONE

    SignatureEmail.objects.filter(pk=row.pk).update(
        finished_at=timezone.now() - timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks() as later:
        sign(petition)
        sign(petition)
    assert len(later) == 1  # re-armed once, enqueued once
    assert SignatureEmail.objects.get(pk=row.pk).status == SignatureEmail.Status.PENDING
    assert SignatureEmail.objects.filter(signature=signature).count() == 1


def test_signing_again_after_confirming_sends_nothing(
    db, django_capture_on_commit_callbacks
):
    petition = PetitionFactory(requires_double_opt_in=True)
    with django_capture_on_commit_callbacks():
        signature = sign(petition).signature
        services.confirm_signature(signature_id=signature.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        assert sign(petition).created is False
    assert callbacks == []


def test_a_spanish_signers_confirm_link_opens_the_page_in_spanish(db, settings, client):
    import re as _re

    petition = PetitionFactory(requires_double_opt_in=True)
    sign(petition, language="es")
    row = SignatureEmail.objects.get()
    services.send_signature_email(email_id=row.pk)
    body = mail_text(settings.HARBOR_MAIL_DIR)
    link = _re.search(r"(/petitions/[^\s\"<>]+/confirm/[^\s\"<>]+)", body).group(1)
    assert link.endswith("?lang=es")
    page = client.get(link.replace("&amp;", "&"))
    assert page.status_code == 200
    assert 'lang="es"' in page.content.decode()
