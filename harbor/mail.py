"""The one send path. Every message, transactional or bulk, leaves through ``send_batch``.

It renders ``templates/emails/<name>/{subject.txt,body.txt,body.html}``, drops suppressed
recipients, adds ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` per recipient, sends one
ESP batch call with per-recipient ``merge_data`` and ``merge_metadata``, and returns anymail's
status per recipient for the caller to record on its send rows.

Never call this inside a transaction: it makes a network call.
"""

import enum
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import requests
from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailRecipientsRefused,
)
from anymail.message import AnymailMessage, AnymailRecipientStatus
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


# --- suppression: the supporters app registers its check (harbor imports no app) --------

SuppressionCheck = Callable[[Iterable[str], bool], set[str]]
_suppression_check: SuppressionCheck | None = None


def register_suppression_check(check: SuppressionCheck) -> None:
    """Called once by ``supporters`` when Django starts: ``check(emails, bulk)`` returns
    the addresses that must not be mailed."""
    global _suppression_check
    _suppression_check = check


# --- failures: classified here, once, for every sender ---------------------------------


class SendFailure(enum.Enum):
    TRANSIENT = "transient"  # retry with backoff: 429, throttling, 5xx, network
    PERMANENT = "permanent"  # record per recipient, never retry: rejected recipient
    CONFIGURATION = "configuration"  # a bad API key or sender: fail loudly


# Amazon SES (and boto) name throttling in the error, not always with a 429.
_THROTTLING_WORDS = ("Throttling", "ThrottlingException", "TooManyRequests")


def classify_send_error(exc: BaseException) -> SendFailure:
    """What a send's exception means for the caller: retry, record, or stop."""
    if isinstance(exc, AnymailRecipientsRefused):
        return SendFailure.PERMANENT
    # The ESP's answer first: anymail's AnymailRequestsAPIError is also a requests
    # HTTPError (a RequestException), so a 401 or 422 must not pass for a network error.
    status = getattr(exc, "status_code", None)
    if status is not None:
        if status == 429 or status >= 500:
            return SendFailure.TRANSIENT
        if status in (401, 403):
            return SendFailure.CONFIGURATION
    elif isinstance(exc, requests.RequestException):
        return SendFailure.TRANSIENT  # no answer at all: a network failure
    if isinstance(exc, AnymailAPIError) and any(
        word in str(exc) for word in _THROTTLING_WORDS
    ):
        return SendFailure.TRANSIENT
    if isinstance(exc, AnymailError):
        return SendFailure.PERMANENT
    return SendFailure.PERMANENT


def describe_send_error(exc: BaseException) -> str:
    """A short description for a send row: the class and status code, never the ESP's
    message text (it may quote an address)."""
    status = getattr(exc, "status_code", "") or ""
    return f"{type(exc).__name__} {status}".strip()


@dataclass(frozen=True)
class Recipient:
    email: str
    send_id: str
    merge_data: dict = field(default_factory=dict)
    unsubscribe_url: str = ""
    unsubscribe_mailto: str = ""  # with the https URL, when a mailbox takes requests


def _not_suppressed(recipients: list, stream: str) -> list:
    """The recipients whose address may be mailed on ``stream`` (bulk: not unsubscribed
    either). Refuses to send at all when no suppression check is registered."""
    blocked = blocked_addresses([r.email for r in recipients], bulk=stream == "bulk")
    return [r for r in recipients if r.email not in blocked]


def blocked_addresses(emails: Iterable[str], *, bulk: bool) -> set[str]:
    """Of ``emails``, those that must not be mailed (bulk: unsubscribed too), by the
    registered check. For callers that exclude them before sending (an alert's freeze);
    the send functions here check again whatever the caller did."""
    if _suppression_check is None:
        raise ImproperlyConfigured(
            "No suppression check is registered: refusing to send."
        )
    return _suppression_check(list(emails), bulk)


def _unsubscribe_headers(live: list) -> dict[str, dict[str, str]]:
    """RFC 8058 one-click unsubscribe headers, per recipient that has a URL (and the
    mailto beside it where the recipient carries one)."""
    return {
        r.email: {
            "List-Unsubscribe": ", ".join(
                f"<{uri}>"
                for uri in (r.unsubscribe_url, getattr(r, "unsubscribe_mailto", ""))
                if uri
            ),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        for r in live
        if r.unsubscribe_url
    }


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """Render (subject, text, html) of the email template ``name``."""
    subject = render_to_string(f"emails/{name}/subject.txt", context).strip()
    text = render_to_string(f"emails/{name}/body.txt", context)
    html = render_to_string(f"emails/{name}/body.html", context)
    return " ".join(subject.split()), text, html


def send_batch(
    *,
    template: str,
    recipients: list[Recipient],
    context: dict,
    stream: str,
    language: str | None = None,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
) -> dict[str, AnymailRecipientStatus]:
    """Send ``template`` to ``recipients`` in one ESP call; return status by email.

    ``from_email`` ("Name <address>") and ``reply_to`` default to the site's sender
    (a chapter's alerts name their own).

    Suppressed addresses (bounce, complaint, manual) are dropped here, whatever the caller
    checked before. ``reply_to`` sets the Reply-To of every message of the batch (a
    supporter's letter to a legislator: replies go to the supporter). Not safe to
    repeat: callers claim their send rows before calling.
    """
    live = _not_suppressed(recipients, stream)
    if not live:
        return {}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject, text, html = render_email(template, context)
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=[r.email for r in live],
        reply_to=reply_to or None,
    )
    message.attach_alternative(html, "text/html")
    # One tag: some ESPs (Postmark) accept no more.
    message.tags = [template]
    message.metadata = {"stream": stream}
    if any(r.merge_data for r in live):
        # Per-recipient merge fields need an ESP that merges without a stored template
        # (SendGrid, Mailgun, Brevo); Postmark refuses, loudly, rather than send unmerged.
        message.merge_data = {r.email: r.merge_data for r in live}
    message.merge_metadata = {r.email: {"send_id": r.send_id} for r in live}
    message.merge_headers = _unsubscribe_headers(live)
    # merge_metadata makes this a batch: each recipient gets their own message (their own
    # unsubscribe header and send id) from one API call.
    message.send()
    status = message.anymail_status
    logger.info("sent template=%s stream=%s recipients=%d", template, stream, len(live))
    return dict(status.recipients)


@dataclass(frozen=True)
class PersonalMessage:
    """One recipient's own message in a batch: already rendered for them."""

    email: str
    send_id: str
    subject: str
    text: str
    html: str
    unsubscribe_url: str = ""
    unsubscribe_mailto: str = ""


def send_personal_batch(
    *,
    messages: list[PersonalMessage],
    from_email: str,
    tag: str,
    stream: str = "bulk",
    reply_to: list[str] | None = None,
    idempotency_key: str = "",
    metadata: dict | None = None,
) -> dict[str, AnymailRecipientStatus]:
    """Send ``messages``, each with its own content and unsubscribe headers, in ONE ESP
    batch call; return anymail's status by email (suppressed addresses have none).

    For senders whose content differs per recipient beyond merge fields (an action
    alert: each supporter's own legislators). The configured backend must take
    per-recipient content (``supports_merge_content``: Harbor's Resend, Postmark and file
    backends in ``harbor.mail_backends``); ``idempotency_key`` is sent where the ESP
    honours one, so repeating the call with the same key and messages sends nothing new.
    Suppressed addresses are dropped here, as in ``send_batch``. Never call this inside a
    transaction: it makes a network call.
    """
    live = _not_suppressed(messages, stream)
    if not live:
        return {}
    connection = get_connection()
    if not getattr(connection, "supports_merge_content", False):
        raise ImproperlyConfigured(
            f"{type(connection).__module__}.{type(connection).__name__} cannot send "
            "per-recipient content in one batch; use a backend of harbor.mail_backends."
        )
    first = live[0]
    message = AnymailMessage(
        subject=first.subject,
        body=first.text,
        from_email=from_email,
        to=[m.email for m in live],
        reply_to=reply_to or None,
        connection=connection,
    )
    message.attach_alternative(first.html, "text/html")
    message.tags = [tag]
    message.metadata = {"stream": stream, **(metadata or {})}
    message.merge_metadata = {m.email: {"send_id": m.send_id} for m in live}
    message.merge_headers = _unsubscribe_headers(live)
    extra: dict = {
        "merge_content": {
            m.email: {"subject": m.subject, "text": m.text, "html": m.html}
            for m in live
        }
    }
    if idempotency_key:
        extra["idempotency_key"] = idempotency_key
    message.esp_extra = extra
    message.send()
    logger.info("sent personal batch tag=%s recipients=%d", tag, len(live))
    return dict(message.anymail_status.recipients)


def send_merge_batch(
    *,
    subject: str,
    text: str,
    html: str,
    recipients: list[Recipient],
    from_email: str,
    tag: str,
    stream: str = "bulk",
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    esp_extra: dict | None = None,
    metadata: dict | None = None,
) -> dict[str, AnymailRecipientStatus]:
    """Send one content with each recipient's ``merge_data`` in ONE ESP batch call, for
    an ESP that merges on the fly (SendGrid substitutions, Mailgun recipient-variables,
    Brevo ``messageVersions`` params): ``subject``, ``text`` and ``html`` carry that ESP's
    merge placeholders, and each recipient's values (their name, their legislators,
    their unsubscribe link) travel as anymail's ``merge_data``. Unsubscribe headers per
    recipient (``merge_headers``), the send id in ``merge_metadata``, suppressed
    addresses dropped, as in ``send_batch``. ``headers`` go on every message (Brevo's
    ``idempotencyKey`` travels there); ``esp_extra`` is anymail's. Never call this
    inside a transaction: it makes a network call."""
    live = _not_suppressed(recipients, stream)
    if not live:
        return {}
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=from_email,
        to=[r.email for r in live],
        reply_to=reply_to or None,
        headers=dict(headers or {}),
    )
    message.attach_alternative(html, "text/html")
    message.tags = [tag]
    message.metadata = {"stream": stream, **(metadata or {})}
    message.merge_data = {r.email: r.merge_data for r in live}
    message.merge_metadata = {r.email: {"send_id": r.send_id} for r in live}
    message.merge_headers = _unsubscribe_headers(live)
    if esp_extra:
        message.esp_extra = esp_extra
    message.send()
    logger.info("sent merge batch tag=%s recipients=%d", tag, len(live))
    return dict(message.anymail_status.recipients)
