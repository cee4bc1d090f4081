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


# --- rollups of the reach dashboard (issue #12; reach/rollups.py keeps them) -----------
#
# Rollups are derived data: rebuilt from the action tables at any time, so their keys
# point at campaigns and chapters without database constraints (a deleted chapter or
# campaign leaves rows that the next rebuild drops, never a failed delete).


class DailyReach(models.Model):
    """How many actions of one kind a (day, campaign, chapter) had, by one dimension:
    the total, the state, the congressional district, the legislator reached (with the
    call's outcome or the letter's status, and the caller's place), the channel, the UTM
    tags, the referral code. A day is the action's creation day in Harbor's time zone.
    Chapter leaders see the rows of their chapters (``visible_to``, path ``chapter``)."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("Signatures")
        CALL = "call", _("Calls")
        LETTER = "letter", _("Letters")
        # Calls and letters of people who gave no email: one per session.
        ANONYMOUS = "anonymous", _("Anonymous sessions")

    class Dimension(models.TextChoices):
        TOTAL = "total", _("Total")
        STATE = "state", _("State")
        DISTRICT = "district", _("Congressional district")
        TARGET = "target", _("Legislator")
        CHANNEL = "channel", _("Channel")
        UTM = "utm", _("UTM tags")
        REFERRAL = "referral", _("Referral code")

    day = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    # total: ""; state: "TX"; district: "TX-07"; target: "<legislator id>|<outcome or
    # delivery status>|<state>|<congressional, state upper, state lower district>" (the
    # acting person's place, "|"-separated); utm: "<source>|<medium>|<campaign>".
    key = models.CharField(max_length=400, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    chapter = models.ForeignKey(
        "accounts.Chapter",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["dimension", "day"], name="reach_daily_dim_day"),
            models.Index(
                fields=["campaign", "dimension", "day"], name="reach_daily_cmp"
            ),
            models.Index(
                fields=["chapter", "dimension", "day"], name="reach_daily_chp"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.dimension}={self.key}: {self.count}"


class ReachPerson(models.Model):
    """The day a known person (a supporter) was first reached, by any channel: signed,
    called or wrote, or opened, clicked or acted on an alert. One row per person and
    scope: a (campaign, chapter) pair, or ``ALL`` for both (every campaign, every
    chapter) so the national figure is one count. ``NONE`` marks an action without a
    campaign or chapter. Plain integers, not keys: 0 and -1 are no rows."""

    ALL = 0
    NONE = -1

    supporter_id = models.BigIntegerField()
    campaign_key = models.BigIntegerField()
    chapter_key = models.BigIntegerField()
    first_day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supporter_id", "campaign_key", "chapter_key"],
                name="one_reach_person_per_scope",
            )
        ]
        indexes = [
            models.Index(
                fields=["campaign_key", "chapter_key", "first_day"],
                name="reach_person_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id} in {self.campaign_key}/{self.chapter_key}"


class AlertFunnel(models.Model):
    """One alert's funnel: of its frozen recipients, how many were sent, delivered,
    opened, clicked, acted, unsubscribed and bounced. Dated by the day it was frozen.
    Chapter leaders see their chapters' alerts (``visible_to``, path ``chapter``)."""

    alert = models.OneToOneField(
        "alerts.Alert",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    day = models.DateField()
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    chapter = models.ForeignKey(
        "accounts.Chapter",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    recipients = models.PositiveIntegerField()
    sent = models.PositiveIntegerField()
    delivered = models.PositiveIntegerField()
    opened = models.PositiveIntegerField()
    clicked = models.PositiveIntegerField()
    acted = models.PositiveIntegerField()
    unsubscribed = models.PositiveIntegerField()
    bounced = models.PositiveIntegerField()

    STAGES = (
        "sent",
        "delivered",
        "opened",
        "clicked",
        "acted",
        "unsubscribed",
        "bounced",
    )

    def __str__(self) -> str:
        return f"Funnel of alert {self.alert_id}"


class RollupRun(models.Model):
    """One refresh of the rollups: which days it recomputed (all, or from
    ``since``), when it finished, and, for a full rebuild, whether the rollups matched
    plain counts of the action tables before it (the exactness check)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    since = models.DateField(null=True, blank=True)
    is_full = models.BooleanField(default=False)
    # {"signature": [rollup, counted], ...} for what differed; {} when exact.
    mismatches = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Rollup run {self.started_at:%Y-%m-%d %H:%M}"
