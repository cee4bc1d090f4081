"""An alert's content for one recipient: subject, plain text and HTML (CSS inlined).

The body is Markdown with merge fields written ``{{ first_name }}``. It is not a Django
template and reaches nothing but the values below: a fixed list of names, each replaced
by a string Harbor computes. Anything else between ``{{ }}`` (an attribute, a filter, a
tag ``{% %}``) is refused when the alert is saved (``template_errors``), so a draft never
holds a field that could read data it was not given.

Rendering: the Markdown is rendered with each field replaced by an inert placeholder,
sanitized (``harbor.markdown``), and only then are the placeholders replaced by the
escaped values, so a supporter's name never becomes markup and a field never widens what
the sanitizer let through. The plain-text part is the Markdown itself with the values put
in and links written out.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from harbor.markdown import render_markdown
from legislators.selectors import District, Seat, seats_for
from supporters.models import Supporter

from .models import Alert

# The merge fields, with what each one is, for the compose page's help.
MERGE_FIELDS: dict[str, str] = {
    "first_name": _("The recipient's first name (or “friend”)."),
    "last_name": _("The recipient's last name."),
    "legislators": _(
        "The recipient's own legislators with their phone numbers, from their state "
        "and districts (a list)."
    ),
    "action_link": _("The campaign's action link, carrying this alert's source code."),
    "campaign_title": _("The campaign's title."),
    "chapter_name": _("The chapter's name."),
}
# Fields allowed in the subject and preheader (one line each; no list, no link).
LINE_FIELDS = frozenset({"first_name", "last_name", "campaign_title", "chapter_name"})

# Anything that looks like template syntax: {{ ... }}, {% ... %}, {# ... #}.
_TEMPLATE_SYNTAX = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_PLACEHOLDER = "HARBORMERGEFIELD{}END"
_PLACEHOLDER_RE = re.compile(r"HARBORMERGEFIELD(\d+)END")
_LINK_TARGET = re.compile(r"\]\(\s*\{\{\s*([a-z_]+)\s*\}\}")
_FIELD_IN_TAG = re.compile(r"<[^>]*\{\{")
_HREF_PLACEHOLDER = re.compile(r'href="HARBORMERGEFIELD(\d+)END"')
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")


# Markdown emphasis (**strong**, __strong__, *em*, _em_) and heading marks, for the
# plain-text part. Only around words: a marker inside a word (first_name) or a lone star
# (a list bullet, "5 * 3") is left alone.
_STRONG = re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_EM = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)


def plain_text(markdown: str) -> str:
    """``markdown`` as plain text: emphasis markers and heading marks dropped, the words
    kept. Lists, quotes and links are left for the reader (links are written out by the
    caller)."""
    text = _HEADING.sub(r"\1", markdown)
    text = _STRONG.sub(r"\2", text)
    return _EM.sub(r"\2", text)


def template_errors(text: str, *, allowed: frozenset[str] | None = None) -> list[str]:
    """What is wrong with the merge fields of ``text`` (empty when it is fine): each
    unknown name, and any template syntax that is not a plain ``{{ name }}``."""
    names = allowed if allowed is not None else frozenset(MERGE_FIELDS)
    errors: list[str] = []
    for match in _TEMPLATE_SYNTAX.finditer(text or ""):
        whole = match.group(0)
        field = _FIELD.fullmatch(whole)
        if field is None:
            errors.append(
                gettext(
                    "“%(text)s” is not a merge field: only plain fields such as "
                    "{{ first_name }} are allowed (no filters, dots or tags)."
                )
                % {"text": whole[:60]}
            )
        elif field.group(1) not in names:
            errors.append(
                gettext(
                    "“%(text)s” is not a merge field you can use here. Allowed: "
                    "%(names)s."
                )
                % {
                    "text": whole[:60],
                    "names": ", ".join("{{ " + n + " }}" for n in sorted(names)),
                }
            )
    for match in _LINK_TARGET.finditer(text or ""):
        if match.group(1) != "action_link":
            errors.append(
                gettext(
                    "Only {{ action_link }} can be a link's address, not “%(text)s”."
                )
                % {"text": match.group(0)[2:60]}
            )
    if _FIELD_IN_TAG.search(text or ""):
        errors.append(
            gettext(
                "A merge field cannot go inside an HTML tag: write links as "
                "[words]({{ action_link }})."
            )
        )
    if "HARBORMERGEFIELD" in (text or ""):
        errors.append(gettext("The text contains a reserved word (HARBORMERGEFIELD)."))
    return errors


@dataclass(frozen=True)
class Contact:
    """One of a recipient's legislators, as the alert names them."""

    title: str
    name: str
    phone: str

    @property
    def line(self) -> str:
        if self.phone:
            return f"{self.title} {self.name}: {self.phone}"
        return f"{self.title} {self.name}"


def _phone_of(legislator) -> str:
    # The Washington or Capitol office first (it always answers), else the first
    # district office with a number.
    offices = sorted(
        (o for o in legislator.offices.all() if o.phone),
        key=lambda o: (o.kind not in ("dc", "capitol"), o.pk),
    )
    return offices[0].phone if offices else ""


def _district_of(code: str) -> District | None:
    """ "TX-07" → District("TX", 7); None for anything else."""
    state, _sep, number = (code or "").partition("-")
    if len(state) != 2 or not number.isdigit():
        return None
    return District(state.upper(), int(number))


def action_link(alert: Alert) -> str:
    """The campaign's action (its open petition, else its page) with the alert's source
    code, which the action stores as ``Attribution.referred_by_code``."""
    from petitions.models import Petition

    query = urlencode(
        {
            "ref": alert.source_code,
            "utm_source": "alert",
            "utm_medium": "email",
            "utm_campaign": alert.campaign.slug if alert.campaign else "",
        }
    )
    if alert.campaign is None:
        return f"{settings.SITE_URL}/?{query}"
    petition = (
        Petition.objects.filter(campaign=alert.campaign, status=Petition.Status.OPEN)
        .order_by("-created_at")
        .first()
    )
    path = (
        petition.get_absolute_url() if petition else alert.campaign.get_absolute_url()
    )
    return f"{settings.SITE_URL}{path}?{query}"


class AlertRenderer:
    """Renders one alert for many recipients: the Markdown, the action link and each
    district's legislators are worked out once and reused (a chunk of a thousand
    recipients in one state reads the legislators a handful of times, not a thousand).
    Reads only; safe to repeat."""

    def __init__(self, alert: Alert):
        self.alert = alert
        self._link: str | None = None
        self._contacts: dict[tuple, list[Contact]] = {}
        self._order: list[str] = []
        self._shells: dict[tuple, tuple[str, str, str]] = {}
        self._merge_shells: dict[str, tuple[str, str, str]] = {}
        self._blocks: dict[tuple, str] = {}
        self._css = ""
        self._legislators_as_tokens = False
        body = _FIELD.sub(self._placeholder, alert.body or "")
        self._html_body = str(render_markdown(body))

    def _placeholder(self, match: re.Match) -> str:
        self._order.append(match.group(1))
        return _PLACEHOLDER.format(len(self._order) - 1)

    @property
    def link(self) -> str:
        if self._link is None:
            self._link = action_link(self.alert)
        return self._link

    def contacts_for(self, supporter: Supporter) -> list[Contact]:
        """The supporter's legislators (US senators, House member, state legislators
        where the districts are stored), each with a phone number."""
        key = (
            supporter.state,
            supporter.congressional_district,
            supporter.state_upper_district,
            supporter.state_lower_district,
        )
        if key not in self._contacts:
            district = _district_of(supporter.congressional_district)
            seats: list[Seat] = (
                seats_for(
                    districts=[district] if district else [],
                    state_upper=supporter.state_upper_district,
                    state_lower=supporter.state_lower_district,
                    state=supporter.state or (district.state if district else ""),
                )
                if supporter.state or district
                else []
            )
            self._contacts[key] = [
                Contact(title=seat.member_title, name=leg.name, phone=_phone_of(leg))
                for seat in seats
                for leg in seat.legislators
            ]
        return self._contacts[key]

    def _values(self, supporter: Supporter) -> dict[str, Callable[[], str]]:
        alert = self.alert
        return {
            "first_name": lambda: supporter.first_name or gettext("friend"),
            "last_name": lambda: supporter.last_name,
            "campaign_title": lambda: alert.campaign.title if alert.campaign else "",
            "chapter_name": lambda: chapter_name(alert),
            "action_link": lambda: self.link,
        }

    def _legislators_text(self, supporter: Supporter) -> str:
        if self._legislators_as_tokens:
            return _PERSON_FIELD.format("LEGTEXT")
        contacts = self.contacts_for(supporter)
        if not contacts:
            return gettext(
                "(We do not know your district yet: look up your legislators at %(url)s)"
            ) % {"url": f"{settings.SITE_URL}/legislators/"}
        return "\n".join(f"- {c.line}" for c in contacts)

    def _legislators_html(self, supporter: Supporter) -> str:
        if self._legislators_as_tokens:
            return _PERSON_FIELD.format("LEGHTML")
        contacts = self.contacts_for(supporter)
        if not contacts:
            url = f"{settings.SITE_URL}/legislators/"
            return (
                escape(
                    gettext(
                        "We do not know your district yet: look up your legislators."
                    )
                )
                + f' <a href="{escape(url)}">{escape(url)}</a>'
            )
        items = []
        for c in contacts:
            phone = ""
            if c.phone:
                tel = re.sub(r"[^0-9+]", "", c.phone)
                phone = f': <a href="tel:{escape(tel)}">{escape(c.phone)}</a>'
            items.append(f"<li>{escape(c.title)} {escape(c.name)}{phone}</li>")
        return '<ul class="legislators">' + "".join(items) + "</ul>"

    def line(self, text: str, supporter: Supporter) -> str:
        """A one-line field (subject, preheader) with its merge fields filled in."""
        values = self._values(supporter)
        filled = _FIELD.sub(
            lambda m: values[m.group(1)]() if m.group(1) in LINE_FIELDS else "",
            text or "",
        )
        return " ".join(filled.split())

    def text_body(self, supporter: Supporter) -> str:
        values = self._values(supporter)

        def fill(match: re.Match) -> str:
            name = match.group(1)
            if name == "legislators":
                return self._legislators_text(supporter)
            return values[name]() if name in values else ""

        # The sender's Markdown as plain text (emphasis and heading marks dropped) before
        # any value goes in, so a name with underscores or stars stays as typed.
        text = _FIELD.sub(fill, plain_text(self.alert.body or ""))
        # [words](url) → words (url): readable where no link can be clicked.
        return _MD_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)

    def html_body(self, supporter: Supporter) -> str:
        values = self._values(supporter)
        html = self._html_body
        # A paragraph that is only the legislators field becomes the list itself.
        for index, name in enumerate(self._order):
            if name == "legislators":
                html = html.replace(
                    f"<p>{_PLACEHOLDER.format(index)}</p>",
                    self._legislators_html(supporter),
                )

        def fill_href(match: re.Match) -> str:
            # Only the action link may be an address (template_errors refuses others).
            if self._order[int(match.group(1))] != "action_link":
                return 'href="#"'
            return f'href="{escape(self.link)}"'

        def fill(match: re.Match) -> str:
            name = self._order[int(match.group(1))]
            if name == "legislators":
                return self._legislators_html(supporter)
            if name == "action_link":
                return f'<a href="{escape(self.link)}">{escape(self.link)}</a>'
            return escape(values[name]()) if name in values else ""

        html = _HREF_PLACEHOLDER.sub(fill_href, html)
        return _PLACEHOLDER_RE.sub(fill, html)

    def render(
        self, supporter: Supporter, *, unsubscribe_url: str = ""
    ) -> tuple[str, str, str]:
        """(subject, text, html) for ``supporter``, in the alert's language.

        The wrapper templates and the CSS inlining run once per district (the only part
        of a message besides the person's own fields that differs between recipients):
        the result is kept as a shell with the person's name and unsubscribe link as
        tokens, and each recipient's message is that shell with the tokens replaced in
        one pass (their values escaped in the HTML, as the templates would)."""
        key = (*self._district_key(supporter), bool(unsubscribe_url))
        shell = self._shells.get(key)
        if shell is None:
            if len(self._shells) >= _MAX_SHELLS:
                self._shells.clear()
            shell = self._shells[key] = self._render_shell(
                supporter, with_unsubscribe=bool(unsubscribe_url)
            )
        values = {
            "FIRST": supporter.first_name or gettext("friend"),
            "LAST": supporter.last_name,
            "UNSUB": unsubscribe_url,
        }
        subject_text, text_shell, html_shell = shell
        subject = " ".join(
            _PERSON_TOKEN_RE.sub(lambda m: values[m.group(1)], subject_text).split()
        )
        text = _PERSON_TOKEN_RE.sub(lambda m: values[m.group(1)], text_shell)
        html = _PERSON_TOKEN_RE.sub(lambda m: escape(values[m.group(1)]), html_shell)
        return subject, text, html

    def _district_key(self, supporter: Supporter) -> tuple[str, str, str, str]:
        return (
            supporter.state,
            supporter.congressional_district,
            supporter.state_upper_district,
            supporter.state_lower_district,
        )

    def _render_shell(
        self, supporter: Supporter, *, with_unsubscribe: bool
    ) -> tuple[str, str, str]:
        """The message for anyone of ``supporter``'s district, with person tokens."""
        person = Supporter(
            first_name=_PERSON_FIELD.format("FIRST"),
            last_name=_PERSON_FIELD.format("LAST"),
            state=supporter.state,
            congressional_district=supporter.congressional_district,
            state_upper_district=supporter.state_upper_district,
            state_lower_district=supporter.state_lower_district,
        )
        unsubscribe_url = _PERSON_FIELD.format("UNSUB") if with_unsubscribe else ""
        context = {
            "alert": self.alert,
            "subject": self.line(self.alert.subject, person),
            "preheader": self.line(self.alert.preheader, person),
            "chapter_name": chapter_name(self.alert),
            "postal_address": settings.HARBOR_POSTAL_ADDRESS,
            "unsubscribe_url": unsubscribe_url,
        }
        with translation.override(settings.LANGUAGE_CODE):
            text = render_to_string(
                "emails/alert/body.txt",
                {**context, "body": self.text_body(person)},
            )
            html = render_to_string(
                "emails/alert/body.html",
                {**context, "body": self.html_body(person)},
            )
        if not self._css:
            self._css = "\n".join(_STYLE_RE.findall(html))
        # render_to_string marks its output safe; the text part is plain text (the
        # sender's own characters), so it must stay escapable where a page shows it.
        return context["subject"], str.__str__(text), css_inline.inline(html)

    # --- the merge path: one content per batch, the ESP fills in each recipient's part ---

    def merge_shell(self, placeholder: Callable[[str], str]) -> tuple[str, str, str]:
        """(subject, text, html) of the alert for every recipient at once, for an ESP
        that merges on the fly: each per-recipient part (first and last name, the
        unsubscribe link, the legislators block) is the ESP's merge placeholder
        ``placeholder(field)`` for a field of ``merge_values``. The plain fields go in
        the subject and text, their ``_html`` twins (escaped by Harbor; the ESP puts
        values in as they are) in the HTML. Rendered once per renderer and format."""
        probe = placeholder("x")
        shell = self._merge_shells.get(probe)
        if shell is not None:
            return shell
        self._legislators_as_tokens = True
        try:
            subject, text, html = self._render_shell(Supporter(), with_unsubscribe=True)
        finally:
            self._legislators_as_tokens = False

        def fill(kind: str) -> Callable[[re.Match], str]:
            return lambda m: placeholder(_MERGE_FIELD_OF[m.group(1)][kind])

        shell = (
            _PERSON_TOKEN_RE.sub(fill("text"), subject),
            _PERSON_TOKEN_RE.sub(fill("text"), text),
            _PERSON_TOKEN_RE.sub(fill("html"), html),
        )
        self._merge_shells[probe] = shell
        return shell

    def merge_values(self, supporter: Supporter, *, unsubscribe_url: str) -> dict:
        """The merge data of one recipient for ``merge_shell``: every value a string,
        the ``_html`` ones escaped (and the legislators block with its CSS inlined as
        the rendered message has it), so the merged message is the rendered one."""
        first = supporter.first_name or gettext("friend")
        last = supporter.last_name
        return {
            "first_name": first,
            "first_name_html": escape(first),
            "last_name": last,
            "last_name_html": escape(last),
            "unsubscribe_url": unsubscribe_url,
            "unsubscribe_url_html": escape(unsubscribe_url),
            "legislators": self._legislators_text(supporter),
            "legislators_html": self._legislators_block(supporter),
        }

    def _legislators_block(self, supporter: Supporter) -> str:
        """The legislators HTML of ``supporter``'s district, CSS inlined with the
        message's own stylesheet; once per district."""
        key = self._district_key(supporter)
        block = self._blocks.get(key)
        if block is None:
            if not self._css:
                self.merge_shell(lambda name: name)  # reads the stylesheet
            with translation.override(settings.LANGUAGE_CODE):
                raw = self._legislators_html(supporter)
            block = css_inline.inline_fragment(raw, self._css) if self._css else raw
            if len(self._blocks) >= _MAX_SHELLS:
                self._blocks.clear()
            self._blocks[key] = block
        return block


# The person's own fields in a rendered shell (letters and digits only, so Markdown,
# escaping and CSS inlining leave them as they are); "HARBORMERGEFIELD" and so these
# tokens cannot be typed into an alert (template_errors). Filled in one pass, so a
# value that happens to contain a token is never filled again.
_PERSON_FIELD = "HARBORMERGEFIELDPERSON{}END"
_PERSON_TOKEN_RE = re.compile(
    r"HARBORMERGEFIELDPERSON(FIRST|LAST|UNSUB|LEGTEXT|LEGHTML)END"
)
# Each token's merge field in the merge path, as plain text and as HTML.
_MERGE_FIELD_OF = {
    "FIRST": {"text": "first_name", "html": "first_name_html"},
    "LAST": {"text": "last_name", "html": "last_name_html"},
    "UNSUB": {"text": "unsubscribe_url", "html": "unsubscribe_url_html"},
    "LEGTEXT": {"text": "legislators", "html": "legislators"},
    "LEGHTML": {"text": "legislators_html", "html": "legislators_html"},
}
# Every merge field of ``merge_values``.
MERGE_VALUE_FIELDS = (
    "first_name", "first_name_html", "last_name", "last_name_html",
    "unsubscribe_url", "unsubscribe_url_html", "legislators", "legislators_html",
)  # fmt: skip
_STYLE_RE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)
# Shells kept per renderer (one per district combination seen; a few KB each).
_MAX_SHELLS = 2000


def chapter_name(alert: Alert) -> str:
    return alert.chapter.name if alert.chapter else gettext("the national network")


def render_for(
    alert: Alert, supporter: Supporter, *, unsubscribe_url: str = ""
) -> tuple[str, str, str]:
    """(subject, text, html) of ``alert`` for one recipient. For many recipients use one
    ``AlertRenderer`` (it reuses the Markdown and each district's legislators). Reads
    only; safe to repeat."""
    return AlertRenderer(alert).render(supporter, unsubscribe_url=unsubscribe_url)
