"""Writes for reach: requesting and rendering delivery packets (jobs)."""

import logging

from django.contrib.auth import get_user_model

from accounts.models import AuditEvent
from accounts.services import record_audit
from campaigns.models import Campaign
from harbor import jobs

from . import documents, selectors
from .models import DeliveryPacket

logger = logging.getLogger(__name__)


def request_delivery_packet(
    *, campaign: Campaign, user, request=None
) -> DeliveryPacket:
    """Create a packet for ``user`` (it will hold the actions they may see), audit the
    request and queue its rendering after commit. Not idempotent: each call is a new
    packet."""
    packet = DeliveryPacket.objects.create(campaign=campaign, requested_by=user)
    # The delivery action of the audit log (a packet is a delivery document); its own
    # action name would need a migration of accounts.
    record_audit(
        actor=user,
        action=AuditEvent.Action.DELIVERY_REQUESTED,
        obj=campaign,
        changes={"delivery_packet": packet.pk},
        request=request,
    )
    jobs.enqueue_on_commit(DeliveryPacket, packet.pk)
    return packet


def render_delivery_packet(*, packet_id: int) -> DeliveryPacket | None:
    """Render a claimed packet and store its PDF and CSV. Safe to repeat: only a
    pending packet (or one whose worker died, once its claim is stale) is claimed, by
    one caller, and the documents are stored only while the claim is still this
    worker's. Returns the packet, or None if it could not be claimed or the claim was
    lost."""
    claim = jobs.claim(DeliveryPacket, packet_id)
    if claim is None:
        logger.info("delivery packet=%s not claimable", packet_id)
        return None
    packet = DeliveryPacket.objects.select_related("campaign").get(pk=packet_id)
    user = packet.requested_by or get_user_model()(is_active=False)
    try:
        sections = selectors.delivery_packet(user, campaign=packet.campaign)
        pdf = documents.render_packet_pdf(title=packet.campaign.title, packets=sections)
        csv = documents.render_packet_csv(sections)
    except Exception as exc:
        # Recorded for the staff page, then raised for the worker's log.
        jobs.fail(claim, error=type(exc).__name__)
        raise
    done = jobs.finish(
        claim,
        pdf=pdf,
        csv=csv,
        legislator_count=len(sections),
        constituent_count=sum(s.constituent_count for s in sections),
    )
    if not done:
        return None
    logger.info("delivery packet=%s done bytes=%d", packet_id, len(pdf))
    return DeliveryPacket.objects.get(pk=packet_id)
