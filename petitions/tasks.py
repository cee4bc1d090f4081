"""Celery interfaces to petition services. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import delivery, intake, services


@shared_task(
    name="petitions.send_signature_email",
    queue="transactional",
    **IDEMPOTENT_TASK_OPTIONS,
)
def send_signature_email_task(email_id: int) -> None:
    """Send one signer's thank-you or confirmation email. Safe on redelivery: the service
    claims the email job; a row already sent or held by another worker is left alone, and
    a transient failure is retried through the job's backoff."""
    services.send_signature_email(email_id=email_id)


@shared_task(
    name="petitions.send_signature_emails",
    queue="transactional",
    **IDEMPOTENT_TASK_OPTIONS,
)
def send_signature_emails_task(email_ids: list[int]) -> None:
    """Send the emails of one drained intake batch (at most PETITIONS_INTAKE_BATCH_SIZE
    ids), each as send_signature_email does. Safe on redelivery: each row is claimed on
    its own, so a row already sent is skipped; rows a dead worker never reached stay
    pending and the job sweep re-sends them one by one."""
    for email_id in email_ids:
        services.send_signature_email(email_id=email_id)


@shared_task(
    name="petitions.render_delivery_report",
    queue="default",
    **IDEMPOTENT_TASK_OPTIONS,
)
def render_delivery_report_task(report_id: int) -> None:
    """Render one delivery PDF. Safe on redelivery: only a claimed report renders."""
    delivery.render_delivery_report(report_id=report_id)


@shared_task(
    name="petitions.drain_intake",
    queue="transactional",
    **IDEMPOTENT_TASK_OPTIONS,
)
def drain_intake_task() -> None:
    """Drain the signature intake batch by batch until it is empty (bounded; what is
    left is asked for again). Safe to repeat and to run in several workers: each batch
    is cut and claimed once."""
    intake.drain_intake_bounded()


@shared_task(
    name="petitions.drain_intake_batch",
    queue="transactional",
    **IDEMPOTENT_TASK_OPTIONS,
)
def drain_intake_batch_task(batch_id: int) -> None:
    """Drain one intake batch (re-sent by the job sweep when its worker died). Safe on
    redelivery: a finished or held batch is not claimed, and a dead attempt kept
    nothing."""
    intake.drain_batch(batch_id=batch_id)
