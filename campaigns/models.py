"""Campaigns: the public face of every push, what it owns (its bill links, its targeting
rule, its video) and the ``Attribution`` base that every action on it inherits."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harbor.models import TimestampedModel
from harbor.states import STATE_CHOICES

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def validate_youtube_id(value: str) -> None:
    if value and not YOUTUBE_ID.match(value):
        raise ValidationError(_("Enter the 11-character YouTube video id."))


def validate_video_url(value: str) -> None:
    site_path = value.startswith("/") and not value.startswith("//")
    if value and not (site_path or value.startswith("https://")):
        raise ValidationError(_("Use a site path (/media/...) or an https:// address."))


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
        "accounts.Chapter",
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
    # The campaign page's optional video: a YouTube id (shown through
    # youtube-nocookie.com) or a self-hosted file.
    video_youtube_id = models.CharField(
        max_length=11,
        blank=True,
        validators=[validate_youtube_id],
        help_text=_("Shown through youtube-nocookie.com (privacy-enhanced mode)."),
    )
    video_file_url = models.CharField(
        max_length=300,
        blank=True,
        validators=[validate_video_url],
        help_text=_("A self-hosted MP4 or WebM file."),
    )
    video_caption = models.CharField(max_length=200, blank=True)

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
        return reverse("pages:campaign", kwargs={"slug": self.slug})

    @property
    def has_video(self) -> bool:
        return bool(self.video_youtube_id or self.video_file_url)


class CampaignBill(models.Model):
    """A campaign's stand on one bill, and whose members its call and letter actions
    reach. The bill list follows the bill as it moves: sponsors and cosponsors are read
    from the bill's sponsorships when targets are computed (``campaigns.targeting``)."""

    class Position(models.TextChoices):
        SUPPORT = "support", _("Support")
        OPPOSE = "oppose", _("Oppose")

    class TargetChamber(models.TextChoices):
        # The chamber of the bill's jurisdiction whose members the campaign targets.
        UPPER = "upper", _("Senate")
        LOWER = "lower", _("House")
        BOTH = "both", _("Both chambers")

    # A link means nothing without either side.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="bill_links"
    )
    bill = models.ForeignKey(
        "legislators.Bill", on_delete=models.CASCADE, related_name="campaign_links"
    )
    position = models.CharField(
        max_length=10, choices=Position.choices, default=Position.SUPPORT
    )
    target_chamber = models.CharField(
        max_length=10, choices=TargetChamber.choices, default=TargetChamber.BOTH
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "bill"], name="one_link_per_campaign_bill"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.position} {self.bill}"


class Attribution(models.Model):
    """What every action on a campaign carries (signatures now; calls, letters and alert
    clicks next), so reach can be counted by campaign, chapter, source, channel, state and
    district as they were when the action was taken. Filled by
    ``campaigns.services.attribution_fields``."""

    # An action stays counted for its campaign; a campaign with actions is closed, not
    # deleted (PROTECT).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The chapter credited: the supporter's state chapter if known, else the campaign's.
    # A chapter reorganisation keeps the action (SET_NULL).
    chapter = models.ForeignKey(
        "accounts.Chapter",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    # The referral code of the share link (or alert) that brought this action.
    referred_by_code = models.CharField(max_length=16, blank=True, db_index=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    # Where the action was taken: "page", "widget", "email", "api".
    channel = models.CharField(max_length=20, blank=True)
    # The supporter's place when acting (they may move later).
    state = models.CharField(max_length=2, blank=True)
    congressional_district = models.CharField(max_length=8, blank=True)
    state_upper_district = models.CharField(max_length=50, blank=True)
    state_lower_district = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
