"""Real Celery worker processes deliver webhooks to a loopback receiver: a signature
arrives signed; a 500 is retried once and arrives once; a worker SIGKILLed mid-POST
loses nothing, and the delivery is sent again with the same idempotency key."""

import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from harbor import jobs
from tests.conftest import purge_broker, start_worker, stop_worker, wait_until
from webhooks.models import WebhookDelivery

from .conftest import make_endpoint, member, sign
from .receiver import verify

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_signature_arrives_once_with_a_valid_signature(
    receiver, chapters, celery_worker_process
):
    endpoint = make_endpoint(receiver.url)
    signature = sign(member(chapters[0]))
    # A generous timeout: a worker's cold start on a loaded CI machine is slow.
    delivery = celery_worker_process(
        lambda: WebhookDelivery.objects.filter(status="done").first(), timeout=180
    )
    (request,) = receiver.requests
    assert verify(endpoint.secret, request["headers"], request["body"])
    assert request["json"]["osdi:signature"]["identifiers"] == [
        f"harbor:{signature.pk}"
    ]
    assert request["headers"]["Idempotency-Key"] == str(delivery.idempotency_key)
    assert (delivery.attempts, delivery.response_status) == (1, 200)


def test_a_500_then_a_200_is_retried_once_and_arrives_once(
    receiver, chapters, celery_worker_process
):
    make_endpoint(receiver.url)
    receiver.statuses = [500]
    sign(member(chapters[0]))
    # The retry is the job's own message, sent with the backoff as its countdown.
    delivery = celery_worker_process(
        lambda: WebhookDelivery.objects.filter(status="done").first(), timeout=180
    )
    assert [r["headers"]["Idempotency-Key"] for r in receiver.requests] == [
        str(delivery.idempotency_key)
    ] * 2
    assert (delivery.attempts, delivery.response_status) == (2, 200)
    assert WebhookDelivery.objects.count() == 1


def test_a_worker_killed_mid_delivery_loses_nothing_and_resends_the_same_key(
    receiver, chapters, tmp_path
):
    make_endpoint(receiver.url)
    purge_broker()
    log = tmp_path / "worker.log"
    receiver.hold.clear()  # the receiver takes the request and does not answer yet
    sign(member(chapters[0]))
    (delivery,) = WebhookDelivery.objects.all()
    first = start_worker(log)
    try:
        wait_until(receiver.arrived.is_set, timeout=180, log_path=log, interval=0.02)
        os.kill(first.pid, signal.SIGKILL)  # mid-POST: sent, never answered
        first.wait()
    finally:
        stop_worker(first)
    receiver.hold.set()
    delivery.refresh_from_db()
    assert delivery.status == "running"  # its worker is gone

    # Time passes: the claim goes stale and beat's sweep queues it again.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - WebhookDelivery.stale_after() - timedelta(seconds=5)
    )
    jobs.sweep()
    second = start_worker(log)
    try:
        wait_until(
            lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="done").exists(),
            timeout=180, log_path=log,
        )  # fmt: skip
    finally:
        stop_worker(second)
    delivery.refresh_from_db()
    keys = [r["headers"]["Idempotency-Key"] for r in receiver.requests]
    assert keys == [str(delivery.idempotency_key)] * 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    assert delivery.attempts == 2
