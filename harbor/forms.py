"""Form pieces every app's forms share: the honeypot. (Control characters in search
boxes and filters are removed for every query string by
harbor.middleware.StripControlCharactersFromQueryMiddleware.)"""

from django import forms
from django.utils.translation import gettext_lazy as _


class HoneypotMixin(forms.Form):
    # Hidden from people by CSS and aria-hidden; bots that fill every field fill it.
    website_url = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix("website_url"), ""))


def clip_hidden(value: str, length: int) -> str:
    """A hidden tracking field (referral code, UTM) clipped, never rejected: the person
    filling in the form cannot see it, so it cannot be theirs to correct."""
    return (value or "").strip()[:length]
