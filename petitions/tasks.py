"""Celery interfaces to petition services. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import SEND_TASK_OPTIONS

from . import services


@shared_task(
    name="petitions.send_signature_email",
    queue="transactional",
    autoretry_for=(services.TransientSendError,),
    **SEND_TASK_OPTIONS,
)
def send_signature_email_task(email_id: int) -> None:
    """Send one signer's thank-you or confirmation email. Safe on redelivery: the service
    claims the email row and a row already sent is skipped."""
    services.send_signature_email(email_id=email_id)


@shared_task(
    name="petitions.requeue_stuck_signature_emails", queue="default", ignore_result=True
)
def requeue_stuck_signature_emails_task() -> None:
    """Re-enqueue signer emails left pending (broker down at commit) or stuck. Safe to
    repeat."""
    services.requeue_stuck_signature_emails()
