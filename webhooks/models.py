"""Outgoing webhooks: where Harbor POSTs its new records (``WebhookEndpoint``) and each
POST to make (``WebhookDelivery``, a job). Not the ESPs' incoming webhooks, which are
``harbor/webhooks.py``."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from harbor.jobs import Job
from harbor.models import TimestampedModel


class Event(models.TextChoices):
    SUPPORTER_CREATED = "supporter.created", _("A new supporter")
    SIGNATURE_CREATED = "signature.created", _("A new petition signature")
    OUTREACH_CREATED = "outreach.created", _("A new call or letter to a legislator")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(TimestampedModel):
    """A URL that receives the events it subscribes to, signed with its own secret.

    National (``chapter`` empty): every new record. A chapter's: only the records a
    leader of that chapter may see (``accounts.selectors.visible_to``)."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # The HMAC key. Stored as is (signing needs it); shown to staff once, when created
    # or rotated, never again on any page.
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    # Event values (``Event``), at least one.
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    # Deleting a chapter removes its endpoints (and their deliveries) with it: an
    # endpoint scoped to a chapter that is gone has nothing left to receive.
    chapter = models.ForeignKey(
        "accounts.Chapter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who set it up; the audit log keeps the rest.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def is_national(self) -> bool:
        return self.chapter_id is None

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(e, e)) for e in self.events]


class WebhookDelivery(Job):
    """One POST of one record's event to one endpoint. Its ``idempotency_key`` is fixed
    when the row is made and sent with every attempt (header and body), so a receiver
    that saw a delivery already can tell a repeat: a worker killed after the receiver
    answered, or a staff "retry now"."""

    # A delivery means nothing without its endpoint.
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=30, choices=Event.choices)
    # "petitions.signature" and its pk: which record this delivery announced.
    object_type = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The OSDI-flavoured record, as built when it was announced (the body adds the
    # event name and the key). Personal data: only what webhooks.payloads puts in, and
    # only until delivered (or skipped): then it is emptied. A failed delivery keeps it
    # for "retry now".
    payload = models.JSONField(default=dict)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    STATUS_TEXT = {
        Job.Status.PENDING: _("Waiting"),
        Job.Status.RUNNING: _("Sending"),
        Job.Status.DONE: _("Delivered"),
        Job.Status.SKIPPED: _("Not sent: the endpoint was turned off"),
        Job.Status.FAILED: _("Failed"),
    }

    job_task_name = "webhooks.deliver"
    # Slow receivers must not hold up a signer's email: the bulk queue.
    job_queue = "bulk"
    # With harbor.jobs.backoff: about 10 s, 20 s, 40 s … 10 min, some 20 minutes in all.
    max_attempts = 8

    class Meta(Job.Meta):
        ordering = ["-created_at", "-pk"]
        indexes = [
            *Job.Meta.indexes,
            models.Index(
                fields=["endpoint", "-created_at"], name="webhookdelivery_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.object_id} to endpoint {self.endpoint_id}"
