"""Celery interfaces to reach services. No logic here."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import rollups, services


@shared_task(
    name="reach.render_delivery_packet", queue="default", **IDEMPOTENT_TASK_OPTIONS
)
def render_delivery_packet_task(packet_id: int) -> None:
    """Render one delivery packet. Safe on redelivery: only a claimed packet renders."""
    services.render_delivery_packet(packet_id=packet_id)


@shared_task(name="reach.refresh_rollups", queue="default", ignore_result=True)
def refresh_rollups_task() -> None:
    """Recompute the dashboard's rollups of the recent days (beat). Safe to repeat."""
    rollups.refresh_recent()


@shared_task(name="reach.rebuild_rollups", queue="default", ignore_result=True)
def rebuild_rollups_task() -> None:
    """Check the rollups against plain counts and recompute them all (beat, nightly).
    Safe to repeat."""
    rollups.rebuild()
