import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from harbor.states import STATE_CHOICES
from supporters.services import normalize_zip

from .importers import normalize_identifier
from .models import Bill, SafeHarborLaw


class LookupForm(forms.Form):
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
        ),
    )
    address = forms.CharField(
        label=_("Street address (optional)"),
        max_length=200,
        required=False,
        help_text=_("Needed when your ZIP code is split between districts."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    # Chosen among the ZIP's districts on the results page ("AL-06"); not shown here.
    # A bad value is ignored rather than an error: the field is not shown to correct.
    district = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, geocoding: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not geocoding:
            # Without a geocoder an address cannot be used: do not ask for one. One
            # sent anyway (an old link) is reported by the page, not validated.
            del self.fields["address"]

    def clean_district(self):
        value = self.cleaned_data["district"][:10].strip().upper()
        return value if re.fullmatch(r"[A-Z]{2}-\d{2}", value) else ""

    def clean_zip_code(self):
        # The one ZIP rule (ASCII digits, ZIP or ZIP+4), with this page's own wording.
        try:
            value = normalize_zip("".join(self.cleaned_data["zip_code"].split()))
        except ValidationError as exc:
            if exc.code == "nonexistent":
                raise
            raise forms.ValidationError(
                _("Enter a 5-digit ZIP code, like 78701.")
            ) from None
        return value[:5]

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("zip_code"):
            self.add_error("zip_code", _("Enter your ZIP code."))
        return data


class BillForm(forms.ModelForm):
    jurisdiction = forms.ChoiceField(
        label=_("Jurisdiction"), choices=[("US", _("Congress")), *STATE_CHOICES]
    )
    source_urls_text = forms.CharField(
        label=_("Source links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One URL per line."),
    )

    class Meta:
        model = Bill
        fields = [
            "jurisdiction",
            "session",
            "identifier",
            "title",
            "summary",
            "stage",
            "introduced_on",
        ]
        widgets = {"introduced_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "session": _("The Congress number (118) or the state session (89R)."),
            "identifier": _("As printed: H.R. 2200, S. 1, HB 12."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["source_urls_text"].initial = "\n".join(
                self.instance.source_urls
            )

    def clean(self):
        data = super().clean()
        if data.get("jurisdiction") and data.get("identifier"):
            try:
                data["identifier"] = normalize_identifier(
                    data["jurisdiction"], data["identifier"]
                )
            except ValueError as exc:
                self.add_error("identifier", str(exc))
        return data

    def clean_source_urls_text(self):
        urls = [
            line.strip() for line in self.cleaned_data["source_urls_text"].splitlines()
        ]
        urls = [u for u in urls if u]
        validator = forms.URLField(assume_scheme="https").clean
        for url in urls:
            validator(url)
        return urls


class SafeHarborForm(forms.ModelForm):
    source_url = forms.URLField(
        label=_("Source URL"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = SafeHarborLaw
        fields = [
            "status",
            "immunity",
            "diversion",
            "services",
            "training",
            "buyer_penalties",
            "citation",
            "year",
            "source_name",
            "source_url",
            "as_of",
            "notes",
        ]
