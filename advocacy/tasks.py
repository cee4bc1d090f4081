"""Celery interfaces to advocacy services. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import patch_through


@shared_task(
    name="advocacy.expire_patch_calls", queue="default", **IDEMPOTENT_TASK_OPTIONS
)
def expire_patch_calls_task() -> int:
    """End the patch calls Twilio never reported ended (and blank their numbers).
    Safe to repeat and to run twice at once: each call is ended by one conditional
    update."""
    return patch_through.expire_patch_calls()
