"""Celery interfaces to petition services. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS, SEND_TASK_OPTIONS

from . import delivery, services


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


@shared_task(
    name="petitions.render_delivery_report",
    queue="default",
    **IDEMPOTENT_TASK_OPTIONS,
)
def render_delivery_report_task(report_id: int) -> None:
    """Render one delivery PDF. Safe on redelivery: only a claimed report renders."""
    delivery.render_delivery_report(report_id=report_id)
