"""Celery interfaces to webhook services. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import services


@shared_task(
    name="webhooks.deliver",
    queue="bulk",
    soft_time_limit=120,
    time_limit=150,
    **IDEMPOTENT_TASK_OPTIONS,
)
def deliver_task(delivery_id: int) -> None:
    """POST one webhook delivery. Safe on redelivery: the service claims the row; one
    already delivered or held by another worker is left alone, and transient failures
    are retried through the job's backoff."""
    services.deliver(delivery_id=delivery_id)


@shared_task(name="webhooks.enqueue_deliveries", queue="bulk", ignore_result=True)
def enqueue_deliveries_task(first_pk: int, last_pk: int) -> None:
    """Queue the pending deliveries of a burst (a pk range). Safe to repeat."""
    services.enqueue_deliveries(first_pk=first_pk, last_pk=last_pk)
