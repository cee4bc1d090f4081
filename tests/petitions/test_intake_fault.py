"""The intake's fault test (issue #13): nothing lost, nothing twice.

With the worker stopped, 5,000 signatures wait in the intake (counted publicly already);
a real worker starts draining them, is SIGKILLed mid-drain, and a new one finishes:
exactly 5,000 signatures, 5,000 emails and the counter at 5,000."""

import pytest

from harbor import jobs
from petitions import intake, selectors, services
from petitions.models import IntakeBatch, Signature, SignatureEmail, SignatureIntake
from supporters.models import Supporter
from tests.conftest import purge_broker, start_worker, stop_worker, wait_until

from .factories import PetitionFactory

SIGNERS = 5000

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_5000_signatures_survive_a_stopped_worker_and_a_sigkill_mid_drain(
    tmp_path, settings, monkeypatch
):
    # Small batches so the kill lands mid-drain; a dead claim is stale after 2 s.
    monkeypatch.setenv("PETITIONS_INTAKE_BATCH_SIZE", "100")
    monkeypatch.setenv("HARBOR_JOB_STALE_SECONDS", "2")
    settings.HARBOR_JOB_STALE_SECONDS = 2
    settings.HARBOR_JOB_REQUEUE_AFTER_SECONDS = 0
    petition = PetitionFactory()
    purge_broker()

    # 1. No worker: every signature waits in the intake, and counts at once.
    for i in range(SIGNERS):
        assert services.sign_petition(
            petition=petition,
            email=f"fault-{i}@example.org",
            first_name="Fault",
            last_name=f"Signer {i}",
            zip_code="78701",
            wants_email=True,
        ).created
    assert SignatureIntake.objects.count() == SIGNERS
    assert not Signature.objects.exists()
    assert selectors.signature_count(petition_id=petition.pk) == SIGNERS

    # 2. A worker starts draining; SIGKILL it once some, not all, are written.
    log = tmp_path / "worker.log"
    worker = start_worker(log)
    try:
        intake._send_drain()
        wait_until(
            lambda: Signature.objects.exists(), timeout=120, log_path=log, interval=0.02
        )
    finally:
        stop_worker(worker)  # SIGKILL
    written_at_kill = Signature.objects.count()
    assert 0 < written_at_kill < SIGNERS, "the kill should land mid-drain"
    # What the dead worker left: its last batch claimed (running) or rows waiting.
    assert SignatureIntake.objects.exists()

    # 3. Once the dead worker's claim is stale, a new worker and one drain message (a
    # sign request's, or beat's): the drain takes the batch the dead worker left, then
    # the rows no batch holds. The dead worker's queued messages are dropped with it.
    def dead_claims_stale():
        running = set(
            IntakeBatch.objects.filter(status=IntakeBatch.Status.RUNNING).values_list(
                "pk", flat=True
            )
        )
        return running <= set(intake.claimable_batch_ids(limit=100))

    wait_until(dead_claims_stale, timeout=30, log_path=log, interval=0.2)
    purge_broker()
    worker = start_worker(log)
    try:
        intake._send_drain()
        wait_until(
            lambda: not SignatureIntake.objects.exists(),
            timeout=300,
            log_path=log,
            interval=0.5,
        )
    finally:
        stop_worker(worker)
    # The sweep finds nothing left to recover.
    jobs.sweep()

    assert Signature.objects.count() == SIGNERS
    assert Supporter.objects.count() == SIGNERS
    assert SignatureEmail.objects.count() == SIGNERS
    assert SignatureEmail.objects.values("signature_id").distinct().count() == SIGNERS
    assert selectors.signature_count(petition_id=petition.pk) == SIGNERS
    assert selectors.counted_signatures(petition_id=petition.pk) == SIGNERS
    assert not IntakeBatch.objects.exclude(status=IntakeBatch.Status.DONE).exists()
    assert sum(IntakeBatch.objects.values_list("signature_count", flat=True)) == (
        SIGNERS
    )
