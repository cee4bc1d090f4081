"""Characters no typed text should carry, whatever the app. The domain's rules (names,
emails, ZIP codes) build on these in ``supporters.services``; search boxes and GET
filters get ``without_control_characters`` through ``harbor.middleware``."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Explicit direction marks, embeddings, overrides and isolates. Shown on a public page,
# they reorder the text around them ("Trojan Source"); no name or comment needs them,
# since browsers and PDF renderers find the direction of Arabic or Hebrew themselves.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Django decodes a form body that is not valid UTF-8 with this in place of each bad byte.
REPLACEMENT_CHARACTER = "\ufffd"
LINE_BREAKS = frozenset("\n\r\t")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def without_control_characters(value: str) -> str:
    """``value`` with each control character (NUL, tab, escape...: Unicode Cc) replaced
    by a space. For search terms and filters, where PostgreSQL refuses NUL outright."""
    if value.isprintable():
        return value
    return "".join(" " if _is_control(char) else char for char in value)


def validate_typed_text(value: str, *, multiline: bool = False) -> None:
    """Raise ValidationError if ``value`` holds bytes that were not text (U+FFFD),
    direction controls, or control characters (line breaks and tabs are allowed when
    ``multiline``)."""
    if REPLACEMENT_CHARACTER in value:
        raise ValidationError(
            _("Some characters of this text could not be read. Please type it again."),
            code="undecodable",
        )
    if not BIDI_CONTROLS.isdisjoint(value):
        raise ValidationError(
            _(
                "This text contains invisible characters that change its direction. "
                "Please type it again without them."
            ),
            code="bidi_control",
        )
    allowed = LINE_BREAKS if multiline else frozenset()
    if any(_is_control(char) and char not in allowed for char in value):
        raise ValidationError(
            _("This text cannot contain control characters."), code="control"
        )
