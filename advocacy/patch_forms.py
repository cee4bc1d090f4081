"""The "Harbor calls you" form of the call page (patch-through, when Twilio is on)."""

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from harbor.forms import HoneypotMixin

# Numbers on the North American plan that Harbor calls: the US and its territories.
CALLABLE_REGIONS = {"US", "PR", "GU", "VI", "AS", "MP"}


class PatchCallForm(HoneypotMixin, forms.Form):
    phone_number = PhoneNumberField(
        region="US",
        label=_("Your phone number"),
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
        ),
        max_length=30,
    )
    # The caller's signed pass (advocacy.passes): their session, place and source.
    call_pass = forms.CharField(max_length=2000, widget=forms.HiddenInput)

    def clean_phone_number(self) -> str:
        number = self.cleaned_data["phone_number"]
        parsed = phonenumbers.parse(number.as_e164)
        if phonenumbers.region_code_for_number(parsed) not in CALLABLE_REGIONS:
            raise forms.ValidationError(
                _("Harbor can call numbers in the United States and its territories."),
                code="region",
            )
        return number.as_e164
