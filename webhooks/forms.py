"""The endpoint form: validation and cleaning only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Chapter

from . import transport
from .models import Event

URL_PROBLEMS = {
    "scheme": _("Enter an address that starts with https:// (or http://)."),
    "credentials": _(
        "Leave the user name and password out of the address: the signature "
        "authenticates Harbor to the receiver."
    ),
    "private": _(
        "That address is on a private network or this machine; webhooks go only to "
        "public addresses."
    ),
}


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Address (URL) that receives the webhooks"),
        max_length=500,
        assume_scheme="https",
    )
    description = forms.CharField(
        label=_("Description (for staff)"), max_length=200, required=False
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    chapter = forms.ModelChoiceField(
        label=_("Whose records"),
        queryset=Chapter.objects.order_by("kind", "name"),
        required=False,
        empty_label=_("National: every chapter's records"),
    )
    is_active = forms.BooleanField(label=_("On"), required=False, initial=True)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        problem = transport.url_problem(url)
        if problem:
            raise forms.ValidationError(URL_PROBLEMS[problem])
        return url


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status"))],
    )

    def __init__(self, *args, **kwargs):
        from .models import WebhookDelivery

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Every status"))] + [
            (value, WebhookDelivery.STATUS_TEXT.get(value, label))
            for value, label in WebhookDelivery.Status.choices
        ]
