"""Celery interfaces to reach services. No logic here."""

from celery import shared_task

from harbor.celery import IDEMPOTENT_TASK_OPTIONS

from . import services


@shared_task(
    name="reach.render_delivery_packet", queue="default", **IDEMPOTENT_TASK_OPTIONS
)
def render_delivery_packet_task(packet_id: int) -> None:
    """Render one delivery packet. Safe on redelivery: only a claimed packet renders."""
    services.render_delivery_packet(packet_id=packet_id)
