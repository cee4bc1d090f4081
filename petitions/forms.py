"""Public forms: sign, organisation sign-on, newsletter. Validation and cleaning only."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from harbor.forms import HoneypotMixin, clip_hidden
from harbor.states import STATE_CHOICES
from harbor.text import validate_typed_text
from supporters.services import (
    clean_name,
    clean_public_zip,
    clean_text,
    normalize_email,
    normalize_phone,
)

from .models import OrganisationSignOn

MAX_LOGO_BYTES = 300 * 1024
LOGO_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class SignForm(HoneypotMixin):
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
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric"}
        ),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    comment = forms.CharField(
        label=_("Why are you signing? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wants_email = forms.BooleanField(
        label=_("Keep me informed by email about this campaign and Harbor's work."),
        required=False,
    )
    is_public = forms.BooleanField(
        label=_("Show my first name and city among the recent signers."),
        required=False,
    )
    ref = forms.CharField(required=False, widget=forms.HiddenInput)
    utm_source = forms.CharField(required=False, widget=forms.HiddenInput)
    utm_medium = forms.CharField(required=False, widget=forms.HiddenInput)
    utm_campaign = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_first_name(self):
        return clean_name(self.cleaned_data["first_name"])

    def clean_last_name(self):
        return clean_name(self.cleaned_data["last_name"])

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    def clean_zip_code(self):
        return clean_public_zip(self.cleaned_data["zip_code"])

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_comment(self):
        return clean_text(self.cleaned_data["comment"], multiline=True)

    def clean_ref(self):
        return clip_hidden(self.cleaned_data["ref"], 16)

    def clean_utm_source(self):
        return clip_hidden(self.cleaned_data["utm_source"], 100)

    def clean_utm_medium(self):
        return clip_hidden(self.cleaned_data["utm_medium"], 100)

    def clean_utm_campaign(self):
        return clip_hidden(self.cleaned_data["utm_campaign"], 100)


class SignOnForm(HoneypotMixin):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of organisation"), choices=OrganisationSignOn.Kind
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", "—"), *STATE_CHOICES], required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.CharField(label=_("Contact email"), max_length=254)
    website = forms.URLField(
        label=_("Website (optional)"),
        required=False,
        max_length=200,
        assume_scheme="https",
    )
    logo = forms.FileField(
        label=_("Logo (optional, PNG or JPEG, at most 300 KB)"), required=False
    )

    def clean_name(self):
        return clean_name(self.cleaned_data["name"])

    def clean_contact_name(self):
        return clean_name(self.cleaned_data["contact_name"])

    def clean_city(self):
        return clean_name(self.cleaned_data["city"])

    def clean_contact_email(self):
        return normalize_email(self.cleaned_data["contact_email"])

    def clean_website(self):
        # Listed publicly as a link: the same characters are refused as in a name.
        validate_typed_text(self.cleaned_data["website"])
        return self.cleaned_data["website"]

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size > MAX_LOGO_BYTES:
            raise ValidationError(_("The logo must be at most 300 KB."), code="too_big")
        data = upload.read()
        for magic, content_type in LOGO_TYPES:
            if data.startswith(magic):
                return (data, content_type)
        raise ValidationError(_("The logo must be a PNG or JPEG image."), code="type")
