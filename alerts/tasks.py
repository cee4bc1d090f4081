"""Celery interfaces to the alert send engine. Ids in, service call, nothing else."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import sending


@shared_task(name="alerts.send_chunk", queue="bulk", **IDEMPOTENT_TASK_OPTIONS)
def send_chunk_task(chunk_id: int) -> None:
    """Send one alert chunk (one ESP batch call). Safe on redelivery: only a claim of
    the chunk's job row sends, and a repeated call carries the chunk's idempotency key."""
    sending.send_chunk(chunk_id=chunk_id)


@shared_task(name="alerts.start_due_alerts", queue="default", ignore_result=True)
def start_due_alerts_task() -> None:
    """Start the scheduled alerts whose time has come. Safe to repeat: starting locks
    the alert and needs it still scheduled."""
    sending.start_due_alerts()


@shared_task(name="alerts.start_alert", queue="bulk", **IDEMPOTENT_TASK_OPTIONS)
def start_alert_task(job_id: int) -> None:
    """Freeze a confirmed alert's audience and queue its chunks. Safe on redelivery:
    only a claim of the AlertStart job row freezes, and freezing twice finds it sent."""
    sending.run_start(job_id=job_id)
