"""Form pieces every app's forms share: the honeypot and the search box."""

import unicodedata

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


def strip_control_characters(value: str) -> str:
    """``value`` without control characters (NUL included, which PostgreSQL refuses in
    text), other whitespace collapsed to single spaces."""
    return " ".join(
        "".join(
            " " if unicodedata.category(ch) == "Cc" else ch for ch in value or ""
        ).split()
    )


class SearchText(forms.CharField):
    """A free-text search or filter box: never an error, never a NUL in a query."""

    def to_python(self, value):
        return strip_control_characters(super().to_python(value))
