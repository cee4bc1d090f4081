"""Public forms of the call flow. Validation and cleaning only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from harbor.forms import HoneypotMixin, clip_hidden
from legislators.forms import LookupForm
from supporters.services import clean_name, normalize_email

from .models import Outreach

MAX_ID = 2**31 - 1


class CallStartForm(HoneypotMixin, LookupForm):
    """ZIP code, and the street address when this site geocodes (the lookup's own
    fields and rules), with where the caller came from."""

    ref = forms.CharField(required=False, widget=forms.HiddenInput)
    utm_source = forms.CharField(required=False, widget=forms.HiddenInput)
    utm_medium = forms.CharField(required=False, widget=forms.HiddenInput)
    utm_campaign = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_ref(self):
        return clip_hidden(self.cleaned_data["ref"], 16)

    def clean_utm_source(self):
        return clip_hidden(self.cleaned_data["utm_source"], 100)

    def clean_utm_medium(self):
        return clip_hidden(self.cleaned_data["utm_medium"], 100)

    def clean_utm_campaign(self):
        return clip_hidden(self.cleaned_data["utm_campaign"], 100)


class OutcomeForm(forms.Form):
    legislator = forms.IntegerField(min_value=1, max_value=MAX_ID)
    office = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    outcome = forms.ChoiceField(choices=Outreach.Outcome.choices)


class FinishForm(HoneypotMixin):
    first_name = forms.CharField(
        label=_("First name (optional)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    wants_email = forms.BooleanField(
        label=_("Keep me informed by email about this campaign and Harbor's work."),
        required=False,
    )

    def clean_first_name(self):
        return clean_name(self.cleaned_data["first_name"])

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])
