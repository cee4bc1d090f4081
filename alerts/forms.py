"""Staff forms for alerts: compose (content and audience) and the send confirmation.
Validation and cleaning only."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Chapter
from campaigns.models import Campaign
from harbor.states import STATE_CHOICES
from petitions.models import Petition
from supporters.models import Tag

from .audience import Filters
from .models import Alert
from .rendering import LINE_FIELDS, MERGE_FIELDS, template_errors

NATIONAL = "national-list"
_DISTRICT = re.compile(r"^[A-Z]{2}-\d{2}$")


def _split(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,\n]", value or "") if p.strip()][:100]


class AlertForm(forms.Form):
    chapter = forms.ChoiceField(label=_("Chapter"))
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("title"),
        required=False,
        help_text=_("The action link leads to this campaign's petition or page."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    preheader = forms.CharField(
        label=_("Preheader"),
        max_length=200,
        required=False,
        help_text=_("The line an inbox shows after the subject."),
    )
    body = forms.CharField(
        label=_("Message (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=20000,
    )
    from_name = forms.CharField(label=_("From name"), max_length=100)
    from_email = forms.EmailField(label=_("From address"))
    reply_to = forms.EmailField(label=_("Reply-to address"), required=False)

    # --- the audience ---
    states = forms.MultipleChoiceField(
        label=_("States"),
        choices=STATE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    congressional_districts = forms.CharField(
        label=_("Congressional districts"),
        required=False,
        max_length=1000,
        help_text=_("Comma-separated, such as TX-07, TX-35."),
    )
    state_upper_districts = forms.CharField(
        label=_("State senate districts"), required=False, max_length=1000
    )
    state_lower_districts = forms.CharField(
        label=_("State house districts"), required=False, max_length=1000
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags (any of them)"),
        queryset=Tag.objects.order_by("name"),
        to_field_name="name",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    petition = forms.ModelChoiceField(
        label=_("Petition"),
        queryset=Petition.objects.order_by("title"),
        required=False,
    )
    petition_mode = forms.ChoiceField(
        label=_("Who, for that petition"),
        choices=[("signed", _("Signed it")), ("not_signed", _("Has not signed it"))],
        initial="signed",
        required=False,
    )
    outreach_campaign = forms.ModelChoiceField(
        label=_("Calls and letters on campaign"),
        queryset=Campaign.objects.order_by("title"),
        required=False,
    )
    outreach_mode = forms.ChoiceField(
        label=_("Who, for those calls and letters"),
        choices=[("acted", _("Called or wrote")), ("not_yet", _("Not yet"))],
        initial="acted",
        required=False,
    )
    newsletter = forms.BooleanField(
        label=_("Subscribed to the newsletter only"), required=False
    )
    joined_since = forms.DateField(
        label=_("Joined on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, chapters, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self._chapters = {str(c.pk): c for c in chapters}
        choices = [(pk, c.name) for pk, c in self._chapters.items()]
        if national:
            choices.insert(0, (NATIONAL, _("The national list (needs approval)")))
        self.fields["chapter"].choices = choices
        self.merge_fields = [("{{ " + n + " }}", h) for n, h in MERGE_FIELDS.items()]
        self.link_help = _(
            "Write links as [words](%(field)s). Nothing else between double braces is "
            "allowed."
        ) % {"field": "{{ action_link }}"}

    def clean_chapter(self) -> Chapter | None:
        value = self.cleaned_data["chapter"]
        if value == NATIONAL:
            return None
        return self._chapters[value]

    def _clean_template(self, name: str, allowed=None) -> str:
        value = self.cleaned_data[name]
        errors = template_errors(value, allowed=allowed)
        if errors:
            raise ValidationError(errors)
        return value

    def clean_subject(self):
        return self._clean_template("subject", LINE_FIELDS)

    def clean_preheader(self):
        return self._clean_template("preheader", LINE_FIELDS)

    def clean_body(self):
        return self._clean_template("body")

    def clean_congressional_districts(self) -> list[str]:
        values = [
            v.upper() for v in _split(self.cleaned_data["congressional_districts"])
        ]
        bad = [v for v in values if not _DISTRICT.match(v)]
        if bad:
            raise ValidationError(
                _("Write districts as state and number, such as TX-07: %(bad)s")
                % {"bad": ", ".join(bad[:5])}
            )
        return values

    def clean_state_upper_districts(self) -> list[str]:
        return [v[:50] for v in _split(self.cleaned_data["state_upper_districts"])]

    def clean_state_lower_districts(self) -> list[str]:
        return [v[:50] for v in _split(self.cleaned_data["state_lower_districts"])]

    def filters(self) -> Filters:
        """The audience filters of a valid form."""
        d = self.cleaned_data
        return Filters(
            states=list(d.get("states") or []),
            congressional_districts=d.get("congressional_districts") or [],
            state_upper_districts=d.get("state_upper_districts") or [],
            state_lower_districts=d.get("state_lower_districts") or [],
            tags=[t.name for t in d.get("tags") or []],
            petition=d["petition"].pk if d.get("petition") else None,
            petition_mode=d.get("petition_mode") or "signed",
            outreach_campaign=(
                d["outreach_campaign"].pk if d.get("outreach_campaign") else None
            ),
            outreach_mode=d.get("outreach_mode") or "acted",
            newsletter=bool(d.get("newsletter")),
            joined_since=d["joined_since"].isoformat() if d.get("joined_since") else "",
        )

    @staticmethod
    def initial_for(alert: Alert) -> dict:
        f = Filters.from_json(alert.audience)
        return {
            "chapter": str(alert.chapter_id) if alert.chapter_id else NATIONAL,
            "campaign": alert.campaign_id,
            "subject": alert.subject,
            "preheader": alert.preheader,
            "body": alert.body,
            "from_name": alert.from_name,
            "from_email": alert.from_email,
            "reply_to": alert.reply_to,
            "states": f.states,
            "congressional_districts": ", ".join(f.congressional_districts),
            "state_upper_districts": ", ".join(f.state_upper_districts),
            "state_lower_districts": ", ".join(f.state_lower_districts),
            "tags": f.tags,
            "petition": f.petition,
            "petition_mode": f.petition_mode,
            "outreach_campaign": f.outreach_campaign,
            "outreach_mode": f.outreach_mode,
            "newsletter": f.newsletter,
            "joined_since": f.joined_since or None,
        }


AUDIENCE_FIELDS = (
    "chapter", "states", "congressional_districts", "state_upper_districts",
    "state_lower_districts", "tags", "petition", "petition_mode", "outreach_campaign",
    "outreach_mode", "newsletter", "joined_since",
)  # fmt: skip


class AudienceForm(AlertForm):
    """Only the audience part of the compose form (the live count reads it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in AUDIENCE_FIELDS:
                del self.fields[name]


class ConfirmSendForm(forms.Form):
    typed_count = forms.CharField(
        label=_("Type the number of people to confirm"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("now", _("Send now")), ("later", _("Schedule for later"))],
        initial="now",
        widget=forms.RadioSelect,
    )
    scheduled_for = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The typed time is read in the site's time zone (TIME_ZONE): say which.
        self.fields["scheduled_for"].help_text = _("Time zone: %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }

    def clean(self):
        data = super().clean()
        if data.get("when") == "later":
            at = data.get("scheduled_for")
            if at is None:
                self.add_error("scheduled_for", _("Choose when to send it."))
            elif at <= timezone.now():
                self.add_error("scheduled_for", _("Choose a time in the future."))
        else:
            data["scheduled_for"] = None
        return data
