"""Petitions, signatures, their counter, their emails and organisation sign-ons (issue #4)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Attribution
from harbor.jobs import Job
from harbor.models import TimestampedModel
from harbor.states import STATE_CHOICES


class PetitionQuerySet(models.QuerySet):
    def public(self):
        """Petitions anyone may see: open or closed, never drafts."""
        return self.exclude(status=Petition.Status.DRAFT)


class Petition(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        # Signatures are evidence delivered to a target: deleting a campaign must not
        # silently delete them; close or move the petition first.
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True, max_length=200)
    # Markdown, rendered through harbor.markdown (sanitized).
    text = models.TextField(blank=True)
    target = models.CharField(
        max_length=200, help_text=_("Who the petition is addressed to.")
    )
    goal = models.PositiveIntegerField(default=1000, validators=[MinValueValidator(1)])
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    requires_double_opt_in = models.BooleanField(
        default=False,
        help_text=_(
            "A signature counts only after the signer follows the emailed link."
        ),
    )
    language = models.CharField(
        max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # The campaign's next step shown on the thank-you page; blank falls back to the
    # legislator lookup and the campaign page.
    next_action_label = models.CharField(max_length=200, blank=True)
    next_action_url = models.URLField(blank=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(starts_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="petition_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(goal__gte=1), name="petition_goal_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("petitions:detail", kwargs={"slug": self.slug})

    def is_open_at(self, when) -> bool:
        return (
            self.status == self.Status.OPEN
            and (self.starts_at is None or self.starts_at <= when)
            and (self.ends_at is None or when < self.ends_at)
        )

    @property
    def is_open(self) -> bool:
        return self.is_open_at(timezone.now())


class Signature(Attribution):
    # A signature belongs to its petition and its signer: erasing either erases it.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="signatures"
    )
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.CASCADE, related_name="signatures"
    )
    comment = models.TextField(max_length=1000, blank=True)
    # Consent to list the signer's first name and city among the recent signers.
    is_public = models.BooleanField(default=False)
    # Whether the signer ticked the email opt-in (recorded on confirmation when the petition
    # requires double opt-in, at once otherwise).
    wants_email = models.BooleanField(default=False)
    # Null until the signature counts: at once, or when the emailed link is confirmed.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    referral_code = models.CharField(max_length=16, unique=True)
    # HMAC of the IP with SECRET_KEY: lets staff spot floods, never reveals the address.
    ip_hash = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=10, blank=True)
    # What the recent-signers list shows, as typed on this signature's form (never the
    # supporter record's stored name or city: anyone can type anyone's email).
    public_name = models.CharField(max_length=100, blank=True)
    public_city = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "supporter"], name="one_signature_per_supporter"
            )
        ]
        indexes = [
            models.Index(fields=["petition", "-created_at"], name="signature_recent"),
            models.Index(
                fields=["petition", "confirmed_at"], name="signature_confirmed"
            ),
        ]

    def __str__(self) -> str:
        return f"Signature #{self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class IntakeBatch(Job):
    """One batch of intake rows being drained into supporters and signatures (a job:
    harbor/jobs.py). The rows it took carry its id; the transaction that writes their
    signatures deletes them and finishes this row, so a worker killed mid-batch leaves
    the batch as it was, and its retry repeats nothing."""

    size = models.PositiveIntegerField(default=0)
    signature_count = models.PositiveIntegerField(default=0)
    supporter_count = models.PositiveIntegerField(default=0)
    set_aside_count = models.PositiveIntegerField(default=0)

    job_task_name = "petitions.drain_intake_batch"
    job_queue = "transactional"
    max_attempts = 10

    def __str__(self) -> str:
        return f"Intake batch #{self.pk} ({self.status})"


class SignatureIntake(models.Model):
    """A signature as the form gave it, written in one statement by the sign request and
    drained into a Supporter and a Signature by a worker (``petitions.intake``).

    The unique (petition, email) key answers "you already signed" at once, before the
    drain. A drained row is deleted in the transaction that writes its signature, so the
    table holds only what is waiting and what was set aside (with the reason)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be drained")
        SET_ASIDE = "set_aside", _("Set aside")

    # Signatures waiting for a petition go with it.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="intake"
    )
    email = models.CharField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    comment = models.TextField(max_length=1000, blank=True)
    wants_email = models.BooleanField(default=False)
    is_public = models.BooleanField(default=False)
    # The signature's own share code, drawn at signing: the thank-you page shows it
    # before the drain, and the drained signature keeps it (unique there too).
    referral_code = models.CharField(max_length=16, unique=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=10, blank=True)
    referred_by_code = models.CharField(max_length=16, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=20, blank=True)
    # What the ZIP alone says for certain (petitions.services.location_from_zip).
    state = models.CharField(max_length=2, blank=True)
    congressional_district = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_default=Status.PENDING,
    )
    # Why a row was set aside (a field name and rule, never the value typed).
    error = models.CharField(max_length=300, blank=True, db_default="")
    # The batch draining this row; a batch whose worker died keeps its rows.
    batch = models.ForeignKey(
        IntakeBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rows",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "email"], name="one_intake_per_petition_email"
            )
        ]
        indexes = [
            models.Index(fields=["petition", "status"], name="intake_pending"),
            models.Index(fields=["status", "batch"], name="intake_unbatched"),
        ]

    def __str__(self) -> str:
        return f"Intake #{self.pk} ({self.status})"


class SignatureCountShard(models.Model):
    """One of N rows whose sum is a petition's confirmed-signature count.

    Each counted signature adds one to a random shard, so a viral spike spreads its updates
    over N rows instead of locking one hot row."""

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="count_shards"
    )
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "shard"], name="one_row_per_shard"
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}/{self.shard}: {self.count}"


class SignatureEmail(Job):
    """One email about one signature (thank-you or confirmation): at most one per kind.
    A job (harbor/jobs.py): done means sent, skipped means the address is suppressed."""

    class Kind(models.TextChoices):
        THANK_YOU = "thank_you", _("Thank you")
        CONFIRM = "confirm", _("Confirm your signature")

    signature = models.ForeignKey(
        Signature, on_delete=models.CASCADE, related_name="emails"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message_id = models.CharField(max_length=200, blank=True)
    esp_status = models.CharField(max_length=30, blank=True)

    job_task_name = "petitions.send_signature_email"
    job_queue = "transactional"
    max_attempts = 20

    class Meta(Job.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["signature", "kind"], name="one_email_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for signature #{self.signature_id} ({self.status})"


class OrganisationSignOn(TimestampedModel):
    """An organisation adding its name to a petition; public once staff approve it."""

    class Kind(models.TextChoices):
        NONPROFIT = "nonprofit", _("Nonprofit")
        BUSINESS = "business", _("Business")
        TRAVEL = "travel", _("Travel and tourism company")
        FAITH = "faith", _("Faith community")
        SCHOOL = "school", _("School or university")
        GOVERNMENT = "government", _("Public agency")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="sign_ons"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(max_length=254)
    website = models.URLField(blank=True)
    # Kept in the database (PNG/JPEG/WebP only, checked by magic bytes) so any web process
    # on any host can serve it; never SVG, which can carry script.
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_content_type = models.CharField(max_length=30, blank=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # keep the decision when a login is removed
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "contact_email", "name"], name="one_sign_on_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DeliveryReport(Job):
    """One delivery PDF, rendered by a worker (a job: a big petition's report takes
    minutes)."""

    # Reports go with their petition.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="delivery_reports"
    )
    # The report lists the signers this person may see; only they download it. A report
    # whose requester is deleted can no longer be downloaded by anyone but national staff.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    signature_count = models.PositiveIntegerField(default=0)
    # Signatures still in the intake when it was rendered (counted publicly, not listed).
    pending_count = models.PositiveIntegerField(default=0)
    # In the database so that any web process on any host can serve it.
    pdf = models.BinaryField(blank=True, default=b"")

    STATUS_TEXT = {
        Job.Status.PENDING: _("Waiting for a worker"),
        Job.Status.RUNNING: _("Being prepared"),
        Job.Status.DONE: _("Ready"),
        Job.Status.FAILED: _("Failed"),
    }

    job_task_name = "petitions.render_delivery_report"
    max_attempts = 3
    # Rendering 100,000 signers takes a couple of minutes and does not heartbeat.
    stale_after_seconds = 600

    class Meta(Job.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Delivery report #{self.pk} ({self.status})"
