"""What reached each legislator and how far each campaign went."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from harbor.jobs import Job


class DeliveryPacket(Job):
    """One delivery packet of a campaign (issue #9, item 7): for each legislator the
    campaign targets, how many of their own constituents signed, called and wrote, and
    who (names and city only), as a PDF and a CSV. Rendered by a worker (a job)."""

    # Packets go with their campaign.
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="delivery_packets"
    )
    # The packet holds the actions this person may see; only they download it. A packet
    # whose requester is deleted can no longer be downloaded by anyone but national staff.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    legislator_count = models.PositiveIntegerField(default=0)
    constituent_count = models.PositiveIntegerField(default=0)
    # In the database so that any web process on any host can serve them.
    pdf = models.BinaryField(blank=True, default=b"")
    csv = models.BinaryField(blank=True, default=b"")

    STATUS_TEXT = {
        Job.Status.PENDING: _("Waiting for a worker"),
        Job.Status.RUNNING: _("Being prepared"),
        Job.Status.DONE: _("Ready"),
        Job.Status.FAILED: _("Failed"),
    }

    job_task_name = "reach.render_delivery_packet"
    max_attempts = 3
    # A national campaign's packet lists every acting constituent of 535 members.
    stale_after_seconds = 600

    class Meta(Job.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Delivery packet #{self.pk} ({self.status})"
