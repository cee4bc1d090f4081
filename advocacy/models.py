"""Calls and letters to legislators: a campaign's advocacy actions and their outreaches
(after OSDI's advocacy campaigns and outreaches)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Attribution
from harbor.jobs import Job
from harbor.models import TimestampedModel


class AdvocacyCampaign(TimestampedModel):
    """A campaign's call or letter action (OSDI "advocacy campaign"): whom it targets and
    the words (sandboxed templates, ``advocacy.scripts``)."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        LETTER = "letter", _("Letter")

    class BillGroup(models.TextChoices):
        SPONSORS = "sponsors", _("The bill's sponsors")
        COSPONSORS = "cosponsors", _("The bill's sponsors and cosponsors")
        NOT_YET = "not_cosponsors", _("Members of the chamber who have not cosponsored")

    # An action is part of its campaign.
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="advocacy_actions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    is_active = models.BooleanField(
        default=True, help_text=_("Shown on the campaign page while it is live.")
    )
    # Targets: any mix of these.
    targets_own_us_senators = models.BooleanField(
        _("the supporter's US senators"), default=False
    )
    targets_own_us_representative = models.BooleanField(
        _("the supporter's US representative (or delegate)"), default=False
    )
    targets_own_state_senator = models.BooleanField(
        _("the supporter's state senator"), default=False
    )
    targets_own_state_representative = models.BooleanField(
        _("the supporter's state representative"), default=False
    )
    target_legislators = models.ManyToManyField(
        "legislators.Legislator",
        blank=True,
        related_name="+",
        verbose_name=_("named legislators"),
    )
    # A bill with a campaign's action on it is not deleted under it.
    target_bill = models.ForeignKey(
        "legislators.Bill",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target_bill_group = models.CharField(
        max_length=20, choices=BillGroup.choices, blank=True
    )
    # Words: sandboxed templates (advocacy/scripts.py).
    script = models.TextField(
        help_text=_(
            "The ask. Variables: {{ legislator_title }}, {{ legislator_name }}, "
            "{{ legislator_last_name }}, {{ bill_number }}, {{ bill_title }}, "
            "{{ supporter_city }}, {{ supporter_first_name }}."
        )
    )
    cosponsor_script = models.TextField(
        blank=True,
        help_text=_("For the bill's sponsors and cosponsors: a thank-you."),
    )
    talking_points = models.TextField(blank=True, help_text=_("Markdown."))
    letter_subject = models.CharField(max_length=200, blank=True)
    letter_body = models.TextField(blank=True)

    class Meta:
        ordering = ["campaign", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind"], name="one_advocacy_action_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.get_kind_display()}"

    def clean(self) -> None:
        from .scripts import ScriptError, validate_script

        errors: dict[str, list[str]] = {}
        for field in ("script", "cosponsor_script", "letter_subject", "letter_body"):
            try:
                validate_script(getattr(self, field) or "")
            except ScriptError as error:
                errors.setdefault(field, []).append(str(error))
        if self.target_bill_group and not self.target_bill_id:
            errors.setdefault("target_bill", []).append(
                str(_("Choose the bill whose members this action targets."))
            )
        if errors:
            raise ValidationError(errors)


class Outreach(Attribution):
    """One call or one letter to one legislator (OSDI "outreach")."""

    class Method(models.TextChoices):
        CLICK_TO_CALL = "click_to_call", _("Click to call")
        PATCH_THROUGH = "patch_through", _("Patch-through call")
        EMAIL = "email", _("Email")
        CWC = "cwc", _("Communicating with Congress")
        CONTACT_FORM = "contact_form", _("Contact form")

    class Outcome(models.TextChoices):
        TALKED = "talked_to_staff", _("Talked to staff")
        VOICEMAIL = "left_voicemail", _("Left a voicemail")
        BUSY = "busy_or_no_answer", _("Busy or no answer")
        VOICEMAIL_FULL = "voicemail_full", _("Voicemail full")
        SKIPPED = "skipped", _("Skipped")

    class Delivery(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        NO_ROUTE = "no_route", _("No route")
        COPIED = "copied_to_contact_form", _("Copied to the contact form")

    # An action with outreaches is deactivated, not deleted.
    advocacy_campaign = models.ForeignKey(
        AdvocacyCampaign, on_delete=models.PROTECT, related_name="outreaches"
    )
    kind = models.CharField(max_length=10, choices=AdvocacyCampaign.Kind.choices)
    legislator = models.ForeignKey(
        "legislators.Legislator", on_delete=models.PROTECT, related_name="outreaches"
    )
    # Email is optional: most callers stay anonymous.
    supporter = models.ForeignKey(
        "supporters.Supporter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreaches",
    )
    # One supporter's pass through their targets.
    session = models.UUIDField(db_index=True)
    # The number called; offices are replaced on every import (SET_NULL).
    office = models.ForeignKey(
        "legislators.Office",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreaches",
    )
    method = models.CharField(max_length=20, choices=Method.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    delivery_status = models.CharField(
        max_length=30, choices=Delivery.choices, blank=True
    )
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A double click or a replayed form counts once.
            models.UniqueConstraint(
                fields=["session", "legislator", "kind"],
                name="one_outreach_per_session_legislator",
            )
        ]
        indexes = [
            models.Index(
                fields=["office", "created_at"], name="outreach_office_recent"
            ),
            models.Index(
                fields=["advocacy_campaign", "legislator"], name="outreach_by_target"
            ),
        ]
        verbose_name_plural = "outreaches"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.legislator_id} #{self.pk}"


# --- letters (advocacy/letters.py) ------------------------------------------------------


class LetterSender(TimestampedModel):
    """Who signed one supporter's letters of one session, as they typed it on the write
    form: CWC delivers the constituent's name and address with each letter, and a state
    office gets them under the letter. Kept apart from ``Supporter`` because a public
    form never overwrites a supporter's profile."""

    session = models.UUIDField(unique=True)
    # The letters stay on record if the supporter is erased; their details go with
    # this row (erasure deletes it).
    supporter = models.ForeignKey(
        "supporters.Supporter",
        on_delete=models.CASCADE,
        related_name="letter_senders",
    )
    prefix = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    street_address = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=10)
    email = models.EmailField(max_length=254)

    def __str__(self) -> str:
        return f"letter sender #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class LetterDelivery(Job):
    """The delivery of one letter (an ``Outreach`` of kind letter) by email or CWC: a
    job (harbor/jobs.py), so a redelivered task never sends twice and a lost message is
    recovered by the sweep. The outreach's ``delivery_status`` is what supporters and
    staff see; this row is the machinery."""

    class Method(models.TextChoices):
        EMAIL = "email", _("Email")
        CWC = "cwc", _("Communicating with Congress")

    # A delivery exists only for its letter.
    outreach = models.OneToOneField(
        Outreach, on_delete=models.CASCADE, related_name="letter_delivery"
    )
    sender = models.ForeignKey(
        LetterSender, on_delete=models.CASCADE, related_name="deliveries"
    )
    method = models.CharField(max_length=10, choices=Method.choices)
    # CWC's DeliveryId (32 letters and digits), fixed at creation so that a retry is the
    # same delivery to CWC; the ESP's message id for email.
    cwc_delivery_id = models.CharField(max_length=32, blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    job_task_name = "advocacy.deliver_letter"
    job_queue = "transactional"
    max_attempts = 8

    class Meta(Job.Meta):
        verbose_name_plural = "letter deliveries"

    def __str__(self) -> str:
        return f"{self.method} delivery of outreach #{self.outreach_id} ({self.status})"


def new_patch_call_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class PatchCall(TimestampedModel):
    """One patch-through call (``advocacy.patch_through``): Twilio calls the supporter,
    reads each target's script and connects them, one target after another.

    Twilio's webhooks name the call by ``token`` (unguessable, in the URL), never by the
    primary key. ``legs`` freezes the targets when the call is asked for: the legislator
    and office ids and the rendered script of each, so a webhook can only ever reach
    these legislators. ``target_index`` is the leg in progress; moving it on is the one
    conditional update that records a leg's outcome, so a retried webhook records
    nothing twice. The phone number and the scripts (which may hold the supporter's
    name and city) are kept only while the call runs, then blanked."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")  # the row exists, Twilio not asked yet
        PLACED = "placed", _("Placed")  # Twilio accepted it and is ringing
        IN_PROGRESS = "in_progress", _("In progress")  # the supporter answered
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Not connected")  # refused, busy, no answer

    token = models.CharField(max_length=40, unique=True, default=new_patch_call_token)
    # A call's outreaches keep their action; an action with calls is deactivated.
    advocacy_campaign = models.ForeignKey(
        AdvocacyCampaign, on_delete=models.PROTECT, related_name="patch_calls"
    )
    # The same session as the outreaches it records (``Outreach.session``).
    session = models.UUIDField(db_index=True)
    call_sid = models.CharField(max_length=34, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    # The last CallStatus Twilio reported (queued, ringing, in-progress, completed, ...).
    twilio_status = models.CharField(max_length=20, blank=True)
    # E.164; blank once the call has ended or failed.
    phone_number = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=10, default="en")
    legs = models.JSONField(default=list, blank=True)
    target_index = models.PositiveSmallIntegerField(default=0)
    # Attribution for the outreaches: the supporter's place (state and districts, no
    # ZIP) and source, as ``advocacy.services.Place`` and ``Source`` fields.
    place = models.JSONField(default=dict, blank=True)
    source = models.JSONField(default=dict, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Patch call #{self.pk} ({self.status})"

    @property
    def is_over(self) -> bool:
        return self.status in (self.Status.FINISHED, self.Status.FAILED)
