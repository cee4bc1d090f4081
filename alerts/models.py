"""Action alerts: a chapter's email to its supporters, frozen into recipients and sent in
chunks through the one send path (issue #10).

The shared contract of three parts (compose/UI, the sending engine, tracking):
``Alert`` is composed and guarded by the staff pages; at send time its audience is frozen
into ``AlertRecipient`` rows, grouped into ``AlertChunk`` jobs (harbor/jobs.py), each one
ESP batch call; tracking fills the recipients' timestamps."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from harbor.jobs import Job
from harbor.models import TimestampedModel

# Lower-case letters and digits without look-alikes (0/o, 1/l/i): read aloud, typed back.
SOURCE_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


# Every alert's source code starts so, which tells it from a supporter's share code.
SOURCE_CODE_PREFIX = "al-"


def new_source_code() -> str:
    """A fresh code for an alert's action links (``Attribution.referred_by_code``)."""
    return SOURCE_CODE_PREFIX + "".join(
        secrets.choice(SOURCE_CODE_ALPHABET) for _ in range(10)
    )


class Alert(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        SCHEDULED = "scheduled", _("Scheduled")
        # Confirmed (and approved where needed); a worker is freezing its audience.
        PREPARING = "preparing", _("Preparing")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        # Finished, but some recipients failed (refused by the ESP, or their chunk
        # failed for good): the page says how many.
        SENT_WITH_FAILURES = "sent_with_failures", _("Sent, with failures")
        CANCELLED = "cancelled", _("Cancelled")

    # Null: the national list (every chapter's supporters).
    chapter = models.ForeignKey(
        "accounts.Chapter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    subject = models.CharField(max_length=200)
    preheader = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The line an inbox shows after the subject."),
    )
    # Markdown with merge fields (a sandboxed template: see alerts/rendering.py).
    body = models.TextField()
    from_name = models.CharField(max_length=100)
    from_email = models.EmailField()
    reply_to = models.EmailField(blank=True)
    # The filters (see alerts/audience.py).
    audience = models.JSONField(default=dict, blank=True)
    # In the alert's action links, stored on each action as Attribution.referred_by_code.
    source_code = models.CharField(max_length=16, unique=True, default=new_source_code)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # More than one chapter (the national list): a staff admin approves before sending.
    needs_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    # What the sender confirmed in words ("4,210 people in Texas"), who and when. The
    # audience is frozen as the confirming sender may see it.
    confirmed_count = models.PositiveIntegerField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Frozen at send time.
    recipient_count = models.PositiveIntegerField(default=0)
    frozen_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "scheduled_for"])]

    def __str__(self) -> str:
        return self.subject


class AlertRecipient(models.Model):
    """One per (alert, supporter), frozen at send time."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")
        # Never sent: the alert was cancelled before their chunk went out.
        CANCELLED = "cancelled", _("Cancelled")

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="recipients"
    )
    supporter = models.ForeignKey(
        "supporters.Supporter",
        on_delete=models.SET_NULL,
        null=True,
        related_name="alert_recipients",
    )
    # As frozen.
    email = models.EmailField()
    chunk = models.ForeignKey(
        "AlertChunk",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recipients",
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    esp_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    # A class name and status code, never an ESP's message text.
    error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # An open that a mail client's prefetch made, not a person.
    machine_open = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "supporter"], name="one_recipient_per_supporter"
            )
        ]
        indexes = [models.Index(fields=["alert", "status"])]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.email}"


class AlertChunk(Job):
    """One ESP batch call of an alert (a job: harbor/jobs.py)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    idempotency_key = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()

    job_task_name = "alerts.send_chunk"
    job_queue = "bulk"

    class Meta(Job.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "number"], name="one_chunk_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} #{self.number}"


class AlertStart(Job):
    """Freezing an alert's audience and cutting its chunks (a job: harbor/jobs.py), off
    the web request: a big alert's send returns at once and its page says preparing."""

    alert = models.OneToOneField(
        Alert, on_delete=models.CASCADE, related_name="start_job"
    )

    job_task_name = "alerts.start_alert"
    job_queue = "bulk"

    def __str__(self) -> str:
        return f"start of {self.alert_id}"
