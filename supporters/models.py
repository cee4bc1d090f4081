"""Supporters, chapters, memberships, consent and tags."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import Chapter
from harbor.jobs import Job
from harbor.models import TimestampedModel
from harbor.states import STATE_CHOICES


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
            email_opt_in=True,
            unsubscribed_at__isnull=True,
            suppressed_at__isnull=True,
            erased_at__isnull=True,
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
    # The login of the same person, if they have one (a chapter leader, a staff member).
    # It gives them nothing: staff power comes from accounts.RoleGrant.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        # Deleting a login must not erase the supporter's record and actions.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supporter",
    )
    # Set by supporters.privacy.erase_supporter: the personal data is gone, the row stays
    # (anonymous) so that every count over the supporter's actions stays the same.
    erased_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = SupporterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
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
            and self.erased_at is None
        )


class ChapterMembership(TimestampedModel):
    """A supporter belongs to a chapter (their state's, or one they joined). Confers no
    staff power: leading a chapter is an accounts.RoleGrant."""

    # Memberships go with either side: they mean nothing without both.
    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, related_name="memberships"
    )
    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "supporter"], name="one_membership_per_chapter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supporter} in {self.chapter}"


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


class SuppressedAddress(models.Model):
    """An address that must never be mailed again (hard bounce, spam complaint, staff),
    kept as a keyed hash (``supporters.suppression.email_hash``) and tied to no supporter,
    so it survives the supporter's erasure. ``Supporter.suppressed_at`` mirrors it for the
    supporters who exist."""

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(
        max_length=20, choices=Supporter.SuppressionReason.choices
    )
    # What put it here ("webhook:Postmark", "admin", ...); never the address.
    source = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "suppressed addresses"

    def __str__(self) -> str:
        return f"{self.reason} {self.email_hash[:12]}…"


class SupporterImport(Job):
    """One uploaded CSV, validated whole and then written whole, or not at all. A job
    (harbor/jobs.py): failed means rejected, nothing imported."""

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
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # [{"line": 7, "reason": "..."}], at most MAX_REPORTED_ERRORS; error_count has them all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)

    STATUS_TEXT = {
        Job.Status.PENDING: _("Waiting for a worker"),
        Job.Status.RUNNING: _("Importing"),
        Job.Status.DONE: _("Imported"),
        Job.Status.FAILED: _("Rejected: nothing was imported"),
    }

    job_task_name = "supporters.run_import"
    # A rejected file is final; a crash is retried from the start (one transaction).
    max_attempts = 3

    class Meta(Job.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (self.Status.DONE, self.Status.FAILED) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class Subscription(TimestampedModel):
    """A supporter on one of Harbor's lists (the newsletter today); alerts target lists.
    Consent to email at all is on Supporter; a subscription says which list."""

    class List(models.TextChoices):
        NEWSLETTER = "newsletter", _("Newsletter and action alerts")

    # A subscription is part of the supporter's record: erased with it.
    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    list = models.CharField(max_length=30, choices=List.choices)
    source = models.CharField(max_length=100, blank=True)
    subscribed_at = models.DateTimeField()
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-subscribed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "list"], name="one_subscription_per_list"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supporter} on {self.list}"
