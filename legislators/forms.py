from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from harbor.states import STATE_CHOICES
from supporters.services import normalize_zip

from .importers import normalize_identifier
from .models import Bill, SafeHarborLaw


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that answers "Select a valid choice" for an id that is
    not an integer the database can hold, before querying with it.

    Django's ``pk__in`` lookup passes an out-of-range integer to the database, where
    it raises OverflowError (SQLite) or a DataError (PostgreSQL): a 500 on a crafted
    POST."""

    def clean(self, value):
        pk = self.queryset.model._meta.pk
        if isinstance(value, list | tuple) and isinstance(pk, models.IntegerField):
            low, high = connections[self.queryset.db].ops.integer_field_range(
                pk.get_internal_type()
            )
            for item in value:
                try:
                    number = int(item)
                except (TypeError, ValueError):
                    number = None
                if number is None or not low <= number <= high:
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": str(item)[:40]},
                    )
        return super().clean(value)


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
    campaigns = IdMultipleChoiceField(
        queryset=Campaign.objects.order_by("title"),
        required=False,
        label=_("Linked campaigns"),
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
            self.fields["campaigns"].initial = list(self.instance.campaigns.all())

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
