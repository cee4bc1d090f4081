"""Celery interfaces to advocacy services. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import letters, patch_through


@shared_task(
    name="advocacy.deliver_letter",
    queue="transactional",
    **IDEMPOTENT_TASK_OPTIONS,
)
def deliver_letter_task(delivery_id: int) -> None:
    """Deliver one letter (email or CWC). Safe on redelivery: the service claims the
    delivery job; a letter already delivered or held by another worker is left alone,
    and a transient failure is retried through the job's backoff."""
    letters.deliver_letter(delivery_id=delivery_id)


@shared_task(name="advocacy.settle_failed_letters", queue="default", ignore_result=True)
def settle_failed_letters_task() -> None:
    """Periodic (harbor/celery.py): letters whose delivery job failed for good are
    shown as failed. Safe to repeat."""
    letters.settle_failed_letters()


@shared_task(
    name="advocacy.expire_patch_calls", queue="default", **IDEMPOTENT_TASK_OPTIONS
)
def expire_patch_calls_task() -> int:
    """End the patch calls Twilio never reported ended (and blank their numbers).
    Safe to repeat and to run twice at once: each call is ended by one conditional
    update."""
    return patch_through.expire_patch_calls()
