"""Supporters, chapters, memberships, consent and tags."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from harbor.models import TimestampedModel
from harbor.states import STATE_CHOICES


class Chapter(TimestampedModel):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("National")
        STATE = "state", _("State")

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="national", state="") | ~models.Q(kind="national")
                )
                & (~models.Q(kind="state") | ~models.Q(state="")),
                name="chapter_state_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(kind="state"),
                name="one_chapter_per_state",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SupporterQuerySet(models.QuerySet):
    def emailable(self):
        """Supporters who may receive bulk email (opted in, not unsubscribed or suppressed)."""
        return self.filter(
            email_opt_in=True, unsubscribed_at__isnull=True, suppressed_at__isnull=True
        )


class Supporter(TimestampedModel):
    class SuppressionReason(models.TextChoices):
        BOUNCE = "bounce", _("Bounced")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Suppressed by staff")

    # Stored normalized (stripped, lower-cased) by supporters.services.normalize_email.
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    street_address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    phone = PhoneNumberField(blank=True)
    # Known districts: "TX-07" style for Congress (00 at-large); state districts as named
    # by Open States ("127", "22A", "At-Large").
    congressional_district = models.CharField(max_length=8, blank=True, db_index=True)
    state_upper_district = models.CharField(max_length=50, blank=True)
    state_lower_district = models.CharField(max_length=50, blank=True)
    source = models.CharField(max_length=100, blank=True)
    # Current consent; the history is in ConsentEvent.
    email_opt_in = models.BooleanField(default=False)
    opt_in_at = models.DateTimeField(null=True, blank=True)
    opt_in_source = models.CharField(max_length=100, blank=True)
    opt_in_method = models.CharField(max_length=50, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppression_reason = models.CharField(
        max_length=20, choices=SuppressionReason.choices, blank=True
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="supporters")
    chapters = models.ManyToManyField(
        Chapter, through="ChapterMembership", related_name="supporters", blank=True
    )
    # A supporter who leads a chapter logs in as this user.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        # Deleting a login must not erase the supporter's record and actions.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supporter",
    )

    objects = SupporterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("view_all_supporters", "Can see supporters of every chapter")]
        constraints = [
            # Emails are stored normalized; this keeps any other write path honest.
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="supporter_email_lowercase",
            ),
            models.CheckConstraint(
                condition=models.Q(suppressed_at__isnull=True)
                | ~models.Q(suppression_reason=""),
                name="suppression_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["state", "congressional_district"])]

    def __str__(self) -> str:
        return f"Supporter #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_emailable(self) -> bool:
        return (
            self.email_opt_in
            and self.unsubscribed_at is None
            and self.suppressed_at is None
        )


class ChapterMembership(TimestampedModel):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        MEMBER = "member", _("Member")

    # Memberships go with either side: they mean nothing without both.
    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, related_name="memberships"
    )
    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "supporter"], name="one_membership_per_chapter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supporter} in {self.chapter} ({self.role})"


class ConsentEvent(models.Model):
    """An append-only record of every change to a supporter's email consent."""

    class Kind(models.TextChoices):
        OPT_IN = "opt_in", _("Opted in")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")
        SUPPRESS = "suppress", _("Suppressed")
        RESUBSCRIBE = "resubscribe", _("Re-subscribed")

    # Erasing a supporter erases their consent history with them.
    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="consent_events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    source = models.CharField(max_length=100, blank=True)
    method = models.CharField(max_length=50, blank=True)
    reason = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d}"


class SupporterImport(TimestampedModel):
    """One uploaded CSV, validated whole and then written whole, or not at all."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Rejected: nothing was imported")

    file_name = models.CharField(max_length=255)
    # Kept in the database so any worker on any host can read it.
    content = models.BinaryField()
    chapter = models.ForeignKey(
        Chapter,
        # An import record without its chapter still tells who imported what and when.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
    )
    tag = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # keep the audit trail when a login is removed
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # [{"line": 7, "reason": "..."}], at most MAX_REPORTED_ERRORS; error_count has them all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (self.Status.DONE, self.Status.FAILED) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
