"""The one job mechanism: claims fenced by a token, one sweep for every kind."""

import os
import signal
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from harbor import jobs
from petitions.models import DeliveryReport, Signature, SignatureEmail
from supporters.models import SupporterImport
from tests.conftest import purge_broker, start_worker, stop_worker, wait_until
from tests.petitions.factories import PetitionFactory, SupporterFactory


def _import(**fields):
    return SupporterImport.objects.create(
        file_name="a.csv", content=b"email\n", **fields
    )


def _report(**fields):
    return DeliveryReport.objects.create(petition=PetitionFactory(), **fields)


def _email(**fields):
    signature = Signature.objects.create(
        petition=PetitionFactory(),
        supporter=SupporterFactory(),
        referral_code=f"code{Signature.objects.count()}",
    )
    return SignatureEmail.objects.create(
        signature=signature, kind="thank_you", **fields
    )


KINDS = [
    (SupporterImport, _import),
    (DeliveryReport, _report),
    (SignatureEmail, _email),
]


def _age_claim(model, pk, seconds: int) -> None:
    model.objects.filter(pk=pk).update(
        claimed_at=timezone.now() - timedelta(seconds=seconds)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "make"), KINDS)
def test_a_stale_workers_late_finish_changes_nothing(model, make):
    row = make()
    first = jobs.claim(model, row.pk)
    assert first is not None
    assert jobs.claim(model, row.pk) is None  # a live claim is nobody else's
    _age_claim(model, row.pk, model.stale_after().seconds + 5)  # its worker "died"
    second = jobs.claim(model, row.pk)
    assert second is not None
    assert second.token != first.token

    assert jobs.finish(first) is False  # the presumed-dead worker wakes up
    assert jobs.fail(first, error="late") is False
    assert jobs.heartbeat(first) is False
    assert model.objects.get(pk=row.pk).status == "running"

    assert jobs.finish(second) is True
    done = model.objects.get(pk=row.pk)
    assert (done.status, done.attempts, done.claim_token) == ("done", 2, None)
    assert jobs.claim(model, row.pk) is None  # finished work is never claimed again


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "make"), KINDS)
def test_the_sweep_requeues_stale_claims_and_lost_messages_of_every_kind(model, make):
    stale, lost, fresh = make(), make(), make()
    assert jobs.claim(model, stale.pk)
    _age_claim(model, stale.pk, model.stale_after().seconds + 5)
    model.objects.filter(pk=lost.pk).update(
        updated_at=timezone.now() - timedelta(minutes=10)
    )
    with mock.patch("harbor.celery.app.send_task") as send_task:
        jobs.sweep()
    sent = {call.kwargs["args"][0] for call in send_task.call_args_list}
    assert {stale.pk, lost.pk} <= sent
    assert fresh.pk not in sent  # its own message has not had time to arrive
    assert model.objects.get(pk=stale.pk).status == "pending"
    name = {
        c.args[0] for c in send_task.call_args_list if c.kwargs["args"][0] == lost.pk
    }
    assert name == {model.job_task_name}


@pytest.mark.django_db
def test_a_job_that_keeps_dying_fails_instead_of_looping():
    row = _report()
    for _ in range(DeliveryReport.max_attempts):
        assert jobs.claim(DeliveryReport, row.pk)
        _age_claim(DeliveryReport, row.pk, DeliveryReport.stale_after().seconds + 5)
        with mock.patch("harbor.celery.app.send_task"):
            jobs.sweep()
    row.refresh_from_db()
    assert row.status == "failed"
    assert "too many times" in row.last_error


@pytest.mark.django_db
def test_transient_failure_goes_back_to_pending_with_backoff():
    row = _email()
    claim = jobs.claim(SignatureEmail, row.pk)
    with mock.patch("harbor.celery.app.send_task") as send_task:
        assert jobs.fail(claim, error="503", retry_in=timedelta(seconds=30))
    row.refresh_from_db()
    assert row.status == "pending"
    assert row.next_attempt_at > timezone.now()
    assert send_task.call_args.kwargs["countdown"] == 30
    assert jobs.claim(SignatureEmail, row.pk) is None  # not before it is due


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_delivery_report_whose_worker_is_sigkilled_finishes_after_the_sweep(
    tmp_path, staff_user, monkeypatch
):
    petition = PetitionFactory()
    supporters = [
        SupporterFactory.build(email=f"s{i}@example.org") for i in range(3000)
    ]
    from supporters.models import Supporter

    Supporter.objects.bulk_create(supporters, batch_size=500)
    Signature.objects.bulk_create(
        [
            Signature(
                petition=petition,
                supporter=s,
                referral_code=f"code{i:06d}",
                confirmed_at=timezone.now(),
            )
            for i, s in enumerate(Supporter.objects.all())
        ],
        batch_size=500,
    )
    purge_broker()
    log = tmp_path / "worker.log"
    from petitions import delivery

    report = delivery.request_delivery_report(petition=petition, user=staff_user)
    first = start_worker(log)
    try:
        wait_until(
            lambda: DeliveryReport.objects.filter(pk=report.pk, status="running").exists(),
            timeout=60, log_path=log, interval=0.02,
        )  # fmt: skip
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        if first.poll() is None:
            first.kill()
    report.refresh_from_db()
    assert report.status == "running"  # stuck: its worker is gone

    # Time passes: the claim goes stale, and beat's sweep runs.
    _age_claim(DeliveryReport, report.pk, DeliveryReport.stale_after().seconds + 5)
    second = start_worker(log)
    try:
        jobs.sweep()
        wait_until(
            lambda: DeliveryReport.objects.filter(pk=report.pk, status="done").exists(),
            timeout=120, log_path=log,
        )  # fmt: skip
    finally:
        stop_worker(second)
    report.refresh_from_db()
    assert report.signature_count == 3000
    assert bytes(report.pdf).startswith(b"%PDF")
    assert report.attempts == 2
