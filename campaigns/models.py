"""Campaigns: the public face of every push, with its actions (petition, call, letter)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harbor.models import TimestampedModel
from harbor.states import STATE_CHOICES


class CampaignQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status=Campaign.Status.LIVE)


class Campaign(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        CLOSED = "closed", _("Closed")

    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True, max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    # Markdown; rendered sanitized.
    story = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Blank for a national campaign, else the one state it is about.
    state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True)
    chapter = models.ForeignKey(
        "supporters.Chapter",
        # A campaign outlives a chapter reorganisation; its actions keep their history.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(starts_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", kwargs={"slug": self.slug})
