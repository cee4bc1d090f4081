"""The dashboard's filters: a GET form (date range, chapter, campaign)."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import chapters_visible_to
from campaigns.models import Campaign

from .dashboard import Filters

# The longest range one page draws (a day per point; the rollups hold any range).
MAX_DAYS = 3 * 366


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    chapter = forms.ModelChoiceField(
        label=_("Chapter"),
        queryset=None,
        required=False,
        empty_label=_("All my chapters"),
        to_field_name="slug",
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("title"),
        required=False,
        empty_label=_("All campaigns"),
        to_field_name="slug",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = chapters_visible_to(user).order_by("name")

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(
            days=settings.REACH_DEFAULT_DAYS - 1
        )
        if start > end:
            raise forms.ValidationError(
                _("The start date must be before the end date.")
            )
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(
                _("Choose a range of at most %(days)d days.") % {"days": MAX_DAYS}
            )
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> Filters:
        """The filters asked for, or the default range when the form is invalid."""
        if self.is_valid():
            data = self.cleaned_data
            return Filters(
                start=data["start"],
                end=data["end"],
                chapter=data.get("chapter"),
                campaign=data.get("campaign"),
            )
        end = timezone.localdate()
        return Filters(
            start=end - dt.timedelta(days=settings.REACH_DEFAULT_DAYS - 1), end=end
        )
