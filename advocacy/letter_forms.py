"""The write flow's letter form (its first step is the call flow's start form, see
``advocacy.letter_views``). Validation and cleaning only."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from harbor.forms import HoneypotMixin
from supporters.services import (
    clean_name,
    clean_text,
    normalize_email,
)

PREFIXES = [
    ("", _("—")),
    ("Mx.", "Mx."),
    ("Ms.", "Ms."),
    ("Mrs.", "Mrs."),
    ("Mr.", "Mr."),
    ("Dr.", "Dr."),
    ("Rev.", "Rev."),
]


class LetterForm(HoneypotMixin):
    """Step two: the supporter's letters (one subject and body per target a letter
    can reach) and how they sign them. ``targets`` are the supporter's
    ``targets.Target``s; fields exist only for them, so a forged legislator id is never
    read."""

    prefix = forms.ChoiceField(label=_("Title"), choices=PREFIXES, required=False)
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    street_address = forms.CharField(
        label=_("Street address"),
        max_length=200,
        help_text=_("Offices answer their own constituents: they need your address."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        help_text=_("Replies from the offices come to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    wants_email = forms.BooleanField(
        label=_("Keep me informed by email about this campaign and Harbor's work."),
        required=False,
    )

    def __init__(self, *args, targets=(), needs_prefix: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        self.needs_prefix = needs_prefix
        limit = settings.LETTERS_MAX_BODY_CHARS
        for target in self.targets:
            if not target.can_get_letters:
                continue
            pk = target.legislator.pk
            self.fields[f"subject_{pk}"] = forms.CharField(
                label=_("Subject"),
                max_length=200,
                error_messages={
                    "max_length": _("Keep the subject under 200 characters.")
                },
            )
            self.fields[f"body_{pk}"] = forms.CharField(
                label=_("Your letter"),
                max_length=limit,
                error_messages={
                    "max_length": _(
                        "Your letter is too long: keep it under %(limit)s characters."
                    )
                    % {"limit": f"{limit:,}"}
                },
                widget=forms.Textarea(attrs={"rows": 12}),
            )

    def letter_fields(self, target):
        pk = target.legislator.pk
        return self[f"subject_{pk}"], self[f"body_{pk}"]

    def clean_first_name(self):
        return clean_name(self.cleaned_data["first_name"])

    def clean_last_name(self):
        return clean_name(self.cleaned_data["last_name"])

    def clean_street_address(self):
        value = clean_text(self.cleaned_data["street_address"])
        if len(value) < 3:
            raise forms.ValidationError(_("Enter your street address."))
        return value

    def clean_city(self):
        value = clean_name(self.cleaned_data["city"])
        if len(value) < 2:
            raise forms.ValidationError(_("Enter your city."))
        return value

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        if self.needs_prefix and not data.get("prefix"):
            self.add_error(
                "prefix",
                _("Congress's letter system asks for a title: choose one."),
            )
        for name, _field in self.fields.items():
            if name.startswith(("subject_", "body_")) and name in data:
                text = clean_text(data[name], multiline=name.startswith("body_"))
                if len(text) < 6:
                    self.add_error(name, _("Write a few words at least."))
                data[name] = text
        return data
