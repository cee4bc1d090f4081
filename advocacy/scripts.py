"""Call scripts and letter templates, rendered sandboxed.

A template is plain text with ``{{ variable }}`` placeholders, where ``variable`` is one
of ``VARIABLES``. That is the whole language: no tags (``{% %}``), no comments
(``{# #}``), no attribute or index walks (``{{ a.b }}``), no filters (``{{ a|f }}``).
The parser is our own (not Django's template engine), so nothing but the given strings
is ever reachable: there is no object to walk from.

``validate_script`` is what the admin calls on save: a clear message naming what is
wrong. ``render_script`` never raises: a template that does not validate (one saved
before a rule, or written around the admin) renders as an empty string, and the flow
shows the talking points alone.
"""

import dataclasses
import logging
import re

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

VARIABLES = (
    "legislator_title",
    "legislator_name",
    "legislator_last_name",
    "bill_number",
    "bill_title",
    "supporter_city",
    "supporter_first_name",
)

# The longest template accepted (a letter is the longest).
MAX_LENGTH = 20_000

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = re.compile(r"^\s*([a-z_]+)\s*$")


class ScriptError(ValueError):
    """A template that is not allowed, with a message for the staff member."""


@dataclasses.dataclass(frozen=True)
class ScriptContext:
    legislator_title: str = ""
    legislator_name: str = ""
    legislator_last_name: str = ""
    bill_number: str = ""
    bill_title: str = ""
    supporter_city: str = ""
    supporter_first_name: str = ""

    def value(self, name: str) -> str:
        return str(getattr(self, name) or "")


def validate_script(template: str) -> None:
    """Raise ``ScriptError`` with a clear message if ``template`` uses anything but
    ``{{ variable }}`` placeholders of the listed variables."""
    if len(template) > MAX_LENGTH:
        raise ScriptError(_("Keep it under %(max)d characters.") % {"max": MAX_LENGTH})
    if "{%" in template or "%}" in template:
        raise ScriptError(
            _("Template tags ({%% %%}) are not allowed: use only %(names)s.")
            % {"names": _names()}
        )
    if "{#" in template:
        raise ScriptError(_("Template comments ({# #}) are not allowed."))
    for match in _PLACEHOLDER.finditer(template):
        inner = match.group(1)
        name = _NAME.match(inner)
        if not name or name.group(1) not in VARIABLES:
            raise ScriptError(
                _("“%(placeholder)s” is not allowed: use only %(names)s.")
                % {"placeholder": match.group(0)[:60], "names": _names()}
            )
    rest = _PLACEHOLDER.sub("", template)
    if "{{" in rest or "}}" in rest:
        raise ScriptError(_("A “{{” has no matching “}}” (or the other way round)."))


def render_script(template: str, context: ScriptContext) -> str:
    """``template`` with each placeholder replaced by its value; "" if the template is
    not allowed (see the module docstring). The result is plain text: pages escape it
    when they show it."""
    try:
        validate_script(template or "")
    except ScriptError:
        logger.warning("Refused to render a script that does not validate")
        return ""
    return _PLACEHOLDER.sub(
        lambda match: context.value(_NAME.match(match.group(1)).group(1)),  # type: ignore[union-attr]
        template or "",
    )


def _names() -> str:
    return ", ".join("{{ " + name + " }}" for name in VARIABLES)
