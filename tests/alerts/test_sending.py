"""The alert send engine in one process: freeze, chunks, one Resend batch call per chunk
through anymail's real backend against the loopback fake, exactly once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from alerts import esp, sending
from alerts.models import Alert, AlertChunk, AlertRecipient
from harbor import jobs
from supporters import services as supporter_services
from supporters.models import Supporter

from .conftest import add_members, make_chapter
from .conftest import sending_alert as make_alert

pytestmark = pytest.mark.django_db

R = AlertRecipient.Status


def _send_all(alert: Alert) -> None:
    for pk in alert.chunks.order_by("number").values_list("pk", flat=True):
        sending.send_chunk(chunk_id=pk)


def test_freeze_makes_one_recipient_per_supporter_and_chunks_of_the_esp_limit(
    fake_resend, tx_sender
):
    chapter, leader = tx_sender
    ids = add_members(chapter, 250, prefix="tx")
    alert = make_alert(chapter, leader)

    assert sending.start_sending(alert) is True

    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENDING
    assert alert.recipient_count == 250
    assert alert.frozen_at is not None
    frozen = AlertRecipient.objects.filter(alert=alert)
    assert sorted(frozen.values_list("supporter_id", flat=True)) == sorted(ids)
    chunks = list(alert.chunks.order_by("number"))
    assert [(c.number, c.size) for c in chunks] == [(1, 100), (2, 100), (3, 50)]
    for chunk in chunks:
        assert chunk.recipients.count() == chunk.size
        assert chunk.job_queue == "bulk"
    assert len({c.idempotency_key for c in chunks}) == 3
    # A second start (a double click) changes nothing.
    assert sending.start_sending(alert) is False
    assert frozen.count() == 250


def test_each_chunk_is_one_batch_call_with_each_recipients_own_message(
    fake_resend, tx_sender
):
    chapter, leader = tx_sender
    add_members(chapter, 120, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)

    _send_all(alert)

    assert fake_resend.calls == 2
    by_to = {m["to"]: m for m in fake_resend.accepted}
    assert len(fake_resend.accepted) == 120 == len(by_to)
    one = by_to["tx7@example.org"]
    assert one["subject"] == "Call P7 today"
    assert "Hello P7" in one["text"]
    assert "P7" in one["html"]
    assert "P8" not in one["text"]
    assert one["from"] == "Texas chapter <texas@act.example.org>"
    assert one["reply_to"] == ["replies@act.example.org"]
    recipient = AlertRecipient.objects.get(alert=alert, email="tx7@example.org")
    assert one["headers"]["List-Unsubscribe"] == (
        f"<{sending.unsubscribe_url_for(recipient)}>"
    )
    assert one["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Marked with the ESP's own message id; the alert is done.
    assert recipient.status == R.SENT
    assert recipient.esp_message_id == one["id"]
    assert recipient.sent_at is not None
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT
    assert alert.finished_at is not None
    assert set(alert.chunks.values_list("status", flat=True)) == {"done"}


def test_a_chunk_repeated_after_the_esp_accepted_it_sends_nothing_new(
    fake_resend, tx_sender
):
    """The window between "the ESP accepted" and "the rows are marked": the worker died
    there, the claim went stale, the chunk is claimed again and repeats the same call
    with the same key."""
    chapter, leader = tx_sender
    add_members(chapter, 30, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    chunk = alert.chunks.get()
    sending.send_chunk(chunk_id=chunk.pk)
    first_ids = dict(
        AlertRecipient.objects.filter(alert=alert).values_list(
            "email", "esp_message_id"
        )
    )
    # As if the marking transaction had never committed, and the claim were stale.
    AlertRecipient.objects.filter(alert=alert).update(
        status=R.QUEUED, esp_message_id="", sent_at=None
    )
    AlertChunk.objects.filter(pk=chunk.pk).update(
        status="running",
        claim_token=None,
        claimed_at=timezone.now() - timedelta(hours=1),
        finished_at=None,
    )
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.SENDING)

    assert sending.send_chunk(chunk_id=chunk.pk) == "sent"

    assert len(fake_resend.accepted) == 30  # nothing sent twice
    assert fake_resend.replays == 1
    again = dict(
        AlertRecipient.objects.filter(alert=alert).values_list(
            "email", "esp_message_id"
        )
    )
    assert again == first_ids
    assert set(AlertRecipient.objects.values_list("status", flat=True)) == {R.SENT}


def test_429_and_5xx_back_off_and_the_retry_sends_once(fake_resend, tx_sender):
    chapter, leader = tx_sender
    add_members(chapter, 10, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    chunk = alert.chunks.get()
    fake_resend.fail_next = [429, 503]

    assert sending.send_chunk(chunk_id=chunk.pk) == "retry"
    chunk.refresh_from_db()
    assert chunk.status == "pending"
    assert chunk.next_attempt_at > timezone.now()
    assert "429" in chunk.last_error
    assert sending.send_chunk(chunk_id=chunk.pk) == "unclaimed"  # not due yet
    AlertChunk.objects.filter(pk=chunk.pk).update(next_attempt_at=None)
    assert sending.send_chunk(chunk_id=chunk.pk) == "retry"
    AlertChunk.objects.filter(pk=chunk.pk).update(next_attempt_at=None)
    assert sending.send_chunk(chunk_id=chunk.pk) == "sent"

    assert len(fake_resend.accepted) == 10
    assert AlertRecipient.objects.filter(status=R.SENT).count() == 10
    chunk.refresh_from_db()
    assert (chunk.status, chunk.attempts) == ("done", 3)


def test_a_refused_call_is_recorded_per_recipient_and_never_retried(
    fake_resend, tx_sender
):
    chapter, leader = tx_sender
    add_members(chapter, 5, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    fake_resend.fail_next = [422]

    assert sending.send_chunk(chunk_id=alert.chunks.get().pk) == "failed"

    assert set(AlertRecipient.objects.values_list("status", flat=True)) == {R.FAILED}
    assert "422" in AlertRecipient.objects.first().error
    alert.refresh_from_db()
    # Finished (nothing left to try), and says that some failed.
    assert alert.status == Alert.Status.SENT_WITH_FAILURES


def test_a_bad_api_key_fails_loudly(fake_resend, tx_sender, settings):
    chapter, leader = tx_sender
    add_members(chapter, 3, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    settings.ANYMAIL = {**settings.ANYMAIL, "RESEND_API_KEY": "wrong"}

    with pytest.raises(Exception, match="401"):
        sending.send_chunk(chunk_id=alert.chunks.get().pk)
    assert alert.chunks.get().status == "failed"
    assert fake_resend.accepted == []


def test_a_leaders_audience_never_includes_another_chapters_supporters(
    fake_resend, tx_sender
):
    chapter, leader = tx_sender
    ours = add_members(chapter, 20, prefix="tx")
    ohio = make_chapter("ohio", state="OH")
    add_members(ohio, 20, prefix="oh")
    # Even a filter that would reach Ohio (the state) reaches Texas members only.
    alert = make_alert(chapter, leader, audience={"states": ["OH", "TX"]})

    sending.start_sending(alert)
    _send_all(alert)

    frozen = set(AlertRecipient.objects.values_list("supporter_id", flat=True))
    assert frozen == set(ours)
    assert all(m["to"].startswith("tx") for m in fake_resend.accepted)
    assert len(fake_resend.accepted) == 20


def test_unsubscribed_bounced_and_complained_addresses_are_never_frozen(
    fake_resend, tx_sender
):
    chapter, leader = tx_sender
    add_members(chapter, 6, prefix="tx")
    supporter_services.unsubscribe_supporter(
        supporter_id=Supporter.objects.get(email="tx0@example.org").pk, source="test"
    )
    for email, reason in (
        ("tx1@example.org", "bounce"),
        ("tx2@example.org", "complaint"),
    ):
        supporter_services.suppress_supporter(
            supporter_id=Supporter.objects.get(email=email).pk, reason=reason
        )
    alert = make_alert(chapter, leader)

    sending.start_sending(alert)
    _send_all(alert)

    assert sorted(m["to"] for m in fake_resend.accepted) == [
        "tx3@example.org",
        "tx4@example.org",
        "tx5@example.org",
    ]


@pytest.mark.parametrize("set_limit", [500_000, 0], ids=["list-read-whole", "batched"])
def test_an_address_only_on_the_hashed_list_is_never_frozen(
    fake_resend, tx_sender, monkeypatch, set_limit
):
    """The list that outlives erasure: an address on it whose supporter record says
    nothing (erased and signed up again elsewhere, say) is suppressed at the freeze,
    whether the list is read whole or asked batch by batch."""
    from supporters.models import SuppressedAddress
    from supporters.suppression import email_hash

    monkeypatch.setattr(sending, "SUPPRESSION_SET_LIMIT", set_limit)
    chapter, leader = tx_sender
    add_members(chapter, 3, prefix="tx")
    SuppressedAddress.objects.create(
        email_hash=email_hash(" TX1@Example.org"), reason="complaint"
    )
    alert = make_alert(chapter, leader)

    sending.start_sending(alert)

    suppressed = AlertRecipient.objects.get(email="tx1@example.org")
    assert (suppressed.status, suppressed.chunk_id) == (R.SUPPRESSED, None)
    assert alert.recipient_count == 2


def test_an_address_suppressed_after_the_freeze_is_not_sent_later(
    fake_resend, tx_sender
):
    chapter, leader = tx_sender
    add_members(chapter, 4, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    assert AlertRecipient.objects.filter(status=R.QUEUED).count() == 4
    # Between the freeze and the chunk's turn: a bounce from an earlier alert.
    supporter_services.suppress_supporter(
        supporter_id=Supporter.objects.get(email="tx2@example.org").pk, reason="bounce"
    )

    _send_all(alert)

    assert sorted(m["to"] for m in fake_resend.accepted) == [
        "tx0@example.org",
        "tx1@example.org",
        "tx3@example.org",
    ]
    assert AlertRecipient.objects.get(email="tx2@example.org").status == R.SUPPRESSED


def test_pause_holds_unclaimed_chunks_resume_sends_them_cancel_skips_them(
    fake_resend, tx_sender, django_capture_on_commit_callbacks
):
    chapter, leader = tx_sender
    add_members(chapter, 300, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    first, second, third = alert.chunks.order_by("number")
    sending.send_chunk(chunk_id=first.pk)

    assert sending.pause(alert) is True
    assert sending.send_chunk(chunk_id=second.pk) == "paused"
    second.refresh_from_db()
    assert (second.status, second.attempts) == ("pending", 0)
    assert len(fake_resend.accepted) == 100

    with django_capture_on_commit_callbacks() as callbacks:
        assert sending.resume(alert) is True
    assert len(callbacks) == 2  # the two waiting chunks are queued again
    sending.send_chunk(chunk_id=second.pk)
    assert len(fake_resend.accepted) == 200

    assert sending.cancel(alert) is True
    assert sending.send_chunk(chunk_id=third.pk) == "unclaimed"
    third.refresh_from_db()
    assert third.status == "skipped"
    assert len(fake_resend.accepted) == 200
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CANCELLED
    assert sending.resume(alert) is False
    # The 100 never sent are cancelled, not left queued, and the counters say so.
    from alerts.selectors import progress

    assert third.recipients.filter(status=R.CANCELLED).count() == 100
    counts = progress(alert)
    assert (counts["sent"], counts["cancelled"], counts["queued"]) == (200, 100, 0)
    assert counts["percent"] == 100


def test_a_chunk_the_sweep_fails_for_good_ends_its_alert_with_failures(
    fake_resend, tx_sender
):
    """A worker died in the chunk on every attempt: the sweep fails it, and the beat
    task ends the alert as sent with failures (its rows failed), never sending forever."""
    chapter, leader = tx_sender
    add_members(chapter, 150, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    first, second = alert.chunks.order_by("number")
    sending.send_chunk(chunk_id=first.pk)
    AlertChunk.objects.filter(pk=second.pk).update(
        status="running",
        attempts=AlertChunk.max_attempts,
        claimed_at=timezone.now() - timedelta(hours=2),
    )
    jobs.sweep()
    second.refresh_from_db()
    assert second.status == "failed"
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENDING  # nobody has ended it yet

    sending.start_due_alerts()  # the beat task

    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT_WITH_FAILURES
    assert alert.finished_at is not None
    assert second.recipients.filter(status=R.FAILED).count() == 50
    assert first.recipients.filter(status=R.SENT).count() == 100
    assert sending.settle_alerts() == 0  # once


def test_the_beat_task_starts_scheduled_alerts_when_due(fake_resend, tx_sender):
    chapter, leader = tx_sender
    add_members(chapter, 3, prefix="tx")
    due = make_alert(
        chapter,
        leader,
        status=Alert.Status.SCHEDULED,
        scheduled_for=timezone.now() - timedelta(minutes=1),
    )
    later = make_alert(
        chapter,
        leader,
        status=Alert.Status.SCHEDULED,
        scheduled_for=timezone.now() + timedelta(hours=1),
    )

    assert sending.start_due_alerts() == 1

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == Alert.Status.SENDING
    assert due.recipient_count == 3
    assert later.status == Alert.Status.SCHEDULED


def test_an_alert_needing_approval_does_not_start_unapproved(fake_resend, tx_sender):
    chapter, leader = tx_sender
    add_members(chapter, 3, prefix="tx")
    alert = make_alert(chapter, leader, needs_approval=True)

    assert sending.start_sending(alert) is False
    assert not AlertRecipient.objects.exists()


def test_an_esp_that_cannot_send_personal_batches_is_refused_before_freezing(
    settings, tx_sender
):
    chapter, leader = tx_sender
    add_members(chapter, 3, prefix="tx")
    settings.EMAIL_BACKEND = "anymail.backends.resend.EmailBackend"
    alert = make_alert(chapter, leader)

    with pytest.raises(ImproperlyConfigured, match="ResendBatchBackend"):
        sending.start_sending(alert)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT
    assert not AlertRecipient.objects.exists()


@pytest.mark.parametrize(
    ("backend", "limit"),
    [
        ("harbor.mail_backends.ResendBatchBackend", 100),
        ("harbor.mail_backends.PostmarkBatchBackend", 500),
        ("anymail.backends.sendgrid.EmailBackend", 1000),
        ("anymail.backends.mailgun.EmailBackend", 1000),
        ("anymail.backends.amazon_ses.EmailBackend", 50),
        ("anymail.backends.brevo.EmailBackend", 1000),
    ],
)
def test_chunk_size_is_the_esps_documented_limit(settings, backend, limit):
    settings.EMAIL_BACKEND = backend
    assert esp.current_profile().batch_limit == limit
    settings.ALERTS_CHUNK_SIZE = 40
    assert esp.chunk_size() == 40
    settings.ALERTS_CHUNK_SIZE = 5000
    assert esp.chunk_size() == limit


def test_the_idempotency_key_travels_as_resends_header(fake_resend, tx_sender):
    chapter, leader = tx_sender
    add_members(chapter, 2, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    chunk = alert.chunks.get()
    # A call with the key but another body is refused, as Resend does.
    from harbor.mail import PersonalMessage, send_personal_batch

    sending.send_chunk(chunk_id=chunk.pk)
    with pytest.raises(Exception, match="409"):
        send_personal_batch(
            messages=[
                PersonalMessage("tx0@example.org", "x", "other", "t", "<p>h</p>")
            ],
            from_email="a@act.example.org",
            tag="alert",
            idempotency_key=chunk.idempotency_key,
        )
    assert fake_resend.conflicts == 1
    assert len(fake_resend.accepted) == 2
    assert AlertChunk.objects.get().status == jobs.JobStatus.DONE


def test_a_repeat_refused_as_another_body_marks_the_chunk_sent_not_failed(
    fake_resend, tx_sender
):
    """The first call was accepted and its answer lost; before the repeat, one recipient
    was suppressed, so the repeat's body differs and Resend refuses it (409): the
    recipients were sent by the first call, and nothing is sent again."""
    chapter, leader = tx_sender
    add_members(chapter, 5, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    chunk = alert.chunks.get()
    sending.send_chunk(chunk_id=chunk.pk)
    AlertRecipient.objects.update(status=R.QUEUED, esp_message_id="", sent_at=None)
    AlertChunk.objects.filter(pk=chunk.pk).update(
        status="running", claimed_at=timezone.now() - timedelta(hours=1)
    )
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.SENDING)
    supporter_services.suppress_supporter(
        supporter_id=Supporter.objects.get(email="tx4@example.org").pk, reason="bounce"
    )

    assert sending.send_chunk(chunk_id=chunk.pk) == "sent"

    assert fake_resend.conflicts == 1
    assert len(fake_resend.accepted) == 5
    sent = AlertRecipient.objects.filter(status=R.SENT)
    assert sent.count() == 5
    assert "message id unknown" in sent.first().error
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT


def test_a_chunk_still_failing_after_its_last_attempt_fails_its_recipients(
    fake_resend, tx_sender
):
    chapter, leader = tx_sender
    add_members(chapter, 3, prefix="tx")
    alert = make_alert(chapter, leader)
    sending.start_sending(alert)
    chunk = alert.chunks.get()
    fake_resend.fail_next = [503] * AlertChunk.max_attempts
    for _ in range(AlertChunk.max_attempts - 1):
        assert sending.send_chunk(chunk_id=chunk.pk) == "retry"
        AlertChunk.objects.filter(pk=chunk.pk).update(next_attempt_at=None)

    assert sending.send_chunk(chunk_id=chunk.pk) == "failed"

    assert set(AlertRecipient.objects.values_list("status", flat=True)) == {R.FAILED}
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT_WITH_FAILURES
    assert fake_resend.accepted == []


@pytest.mark.parametrize(
    ("members", "expected"),
    [(150, [(1, 100), (2, 51)]), (200, [(1, 100), (2, 100), (3, 1)])],
)
def test_rows_get_their_chunk_as_they_are_frozen_and_a_late_joiner_gets_one_too(
    fake_resend, tx_sender, monkeypatch, members, expected
):
    """Chunks are assigned by the INSERT itself; a supporter who joins between the
    count and the insert goes in the last chunk if it has room, else in a chunk of
    their own (never more than the ESP's limit in one)."""
    chapter, leader = tx_sender
    add_members(chapter, members, prefix="tx")
    alert = make_alert(chapter, leader)
    real_new_chunks = sending._new_chunks
    joined: list[int] = []

    def new_chunks_then_someone_joins(*args, **kwargs):
        real_new_chunks(*args, **kwargs)
        if not joined:
            joined.extend(add_members(chapter, 1, prefix="late"))

    monkeypatch.setattr(sending, "_new_chunks", new_chunks_then_someone_joins)

    sending.start_sending(alert)

    alert.refresh_from_db()
    assert alert.recipient_count == members + 1
    chunks = list(alert.chunks.order_by("number"))
    assert [(c.number, c.size) for c in chunks] == expected
    for chunk in chunks:
        assert chunk.recipients.filter(status=R.QUEUED).count() == chunk.size
    assert not AlertRecipient.objects.filter(alert=alert, chunk__isnull=True).exists()
    late = AlertRecipient.objects.get(alert=alert, supporter_id=joined[0])
    assert late.chunk == chunks[-1]
