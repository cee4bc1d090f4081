"""The alert send engine with real worker processes: SIGKILLed at random points during a
20,000-recipient send and restarted, several times, the fake ESP still receives exactly
one message per recipient; and a signer's email never waits behind a big alert."""

import os
import random
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts import sending
from alerts.models import Alert, AlertChunk, AlertRecipient
from harbor import jobs
from petitions.models import Signature, SignatureEmail
from tests.conftest import purge_broker, start_worker, stop_worker, wait_until
from tests.fake_esp import FakeResend
from tests.petitions.factories import PetitionFactory

from .conftest import RESEND_BACKEND, add_members, worker_env_for
from .conftest import sending_alert as make_alert

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 20_000


def _sent() -> int:
    return AlertRecipient.objects.filter(status=AlertRecipient.Status.SENT).count()


def _recover_after_kill() -> None:
    """What time and beat's sweep do after a worker dies: its claims go stale and the
    sweep queues them again, with every pending chunk whose message was lost."""
    AlertChunk.objects.filter(status="running").update(
        claimed_at=timezone.now() - timedelta(hours=1)
    )
    jobs.sweep(limit=100_000)


def test_sigkilled_workers_never_lose_or_repeat_a_message(
    tx_sender, tmp_path, monkeypatch, settings
):
    chapter, leader = tx_sender
    add_members(chapter, RECIPIENTS, prefix="r")
    settings.HARBOR_JOB_REQUEUE_AFTER_SECONDS = 0
    rng = random.Random(os.environ.get("HARBOR_FAULT_SEED", time.time_ns()))
    log = tmp_path / "worker.log"
    with FakeResend(keep_bodies=False) as fake:
        settings.EMAIL_BACKEND = RESEND_BACKEND
        settings.ANYMAIL = {"RESEND_API_KEY": fake.api_key, "RESEND_API_URL": fake.url}
        worker_env_for(fake, monkeypatch)
        purge_broker()
        alert = make_alert(chapter, leader)
        assert sending.start_sending(alert)
        emails = set(
            AlertRecipient.objects.filter(alert=alert).values_list("email", flat=True)
        )
        assert len(emails) == RECIPIENTS

        kills = 0
        for round_ in range(4):
            worker = start_worker(log)
            try:
                if round_ == 1:
                    # Once for certain inside the window: the ESP has accepted the
                    # batch and the worker is waiting for the answer.
                    fake.delay = 2.0
                    accepted = len(fake.accepted)
                    wait_until(
                        lambda n=accepted: len(fake.accepted) > n,
                        timeout=90, log_path=log, interval=0.01,
                    )  # fmt: skip
                    time.sleep(0.3)
                else:
                    target = min(RECIPIENTS - 1000, _sent() + rng.randint(300, 4000))
                    wait_until(
                        lambda t=target: _sent() >= t,
                        timeout=120, log_path=log, interval=0.02,
                    )  # fmt: skip
                    time.sleep(rng.uniform(0, 0.5))
                os.kill(worker.pid, signal.SIGKILL)
                kills += 1
                worker.wait()
            finally:
                stop_worker(worker)
            fake.delay = 0.0
            _recover_after_kill()

        # The last restart: nothing dies now, and the chunks queued again finish.
        worker = start_worker(log)
        try:
            wait_until(
                lambda: Alert.objects.filter(pk=alert.pk, status="sent").exists(),
                timeout=300, log_path=log, interval=0.5,
            )  # fmt: skip
        finally:
            stop_worker(worker)

        sent_to = Counter(fake.sent_to)
    assert kills == 4
    assert set(sent_to) == emails  # none missing
    assert max(sent_to.values()) == 1  # none twice
    assert sum(sent_to.values()) == RECIPIENTS
    assert fake.replays >= 1  # the window was hit, and closed by the key
    rows = AlertRecipient.objects.filter(alert=alert)
    assert set(rows.values_list("status", flat=True)) == {AlertRecipient.Status.SENT}
    ids = list(rows.values_list("esp_message_id", flat=True))
    assert len(set(ids)) == RECIPIENTS
    assert "" not in ids
    assert set(alert.chunks.values_list("status", flat=True)) == {"done"}


def test_a_signers_email_is_sent_while_a_big_alert_is_queued(
    tx_sender, tmp_path, monkeypatch, settings
):
    chapter, leader = tx_sender
    add_members(chapter, 3000, prefix="r")
    settings.ALERTS_CHUNK_SIZE = 10
    log = tmp_path / "worker.log"
    with FakeResend(keep_bodies=False) as fake:
        settings.EMAIL_BACKEND = RESEND_BACKEND
        settings.ANYMAIL = {"RESEND_API_KEY": fake.api_key, "RESEND_API_URL": fake.url}
        worker_env_for(fake, monkeypatch, ALERTS_CHUNK_SIZE="10")
        purge_broker()
        alert = make_alert(chapter, leader)
        sending.start_sending(alert)  # 300 chunks on the bulk queue
        petition = PetitionFactory()
        signature = Signature.objects.create(
            petition=petition,
            supporter_id=AlertRecipient.objects.first().supporter_id,
            referral_code="code000001",
        )
        email = SignatureEmail.objects.create(signature=signature, kind="thank_you")
        jobs.enqueue_on_commit(SignatureEmail, email.pk)
        worker = start_worker(log)
        try:
            wait_until(
                lambda: SignatureEmail.objects.filter(pk=email.pk, status="done").exists(),
                timeout=60, log_path=log,
            )  # fmt: skip
            waiting = AlertChunk.objects.filter(alert=alert, status="pending").count()
        finally:
            stop_worker(worker)
    assert waiting > 250  # the alert had barely started
