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
    AnymailRequestsAPIError,
)
from anymail.message import AnymailMessage, AnymailRecipientStatus
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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
    if isinstance(exc, requests.RequestException):
        return SendFailure.TRANSIENT
    if isinstance(exc, AnymailRecipientsRefused):
        return SendFailure.PERMANENT
    status = getattr(exc, "status_code", None)
    if isinstance(exc, AnymailRequestsAPIError) and status is None:
        return SendFailure.TRANSIENT  # no answer at all: a network failure
    if status is not None:
        if status == 429 or status >= 500:
            return SendFailure.TRANSIENT
        if status in (401, 403):
            return SendFailure.CONFIGURATION
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
    reply_to: list[str] | None = None,
) -> dict[str, AnymailRecipientStatus]:
    """Send ``template`` to ``recipients`` in one ESP call; return status by email.

    Suppressed addresses (bounce, complaint, manual) are dropped here, whatever the caller
    checked before. ``reply_to`` sets the Reply-To of every message of the batch (a
    supporter's letter to a legislator: replies go to the supporter). Not safe to
    repeat: callers claim their send rows before calling.
    """
    if _suppression_check is None:
        raise ImproperlyConfigured(
            "No suppression check is registered: refusing to send."
        )
    blocked = _suppression_check([r.email for r in recipients], stream == "bulk")
    live = [r for r in recipients if r.email not in blocked]
    if not live:
        return {}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject, text, html = render_email(template, context)
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
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
    message.merge_headers = {
        r.email: {
            "List-Unsubscribe": f"<{r.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        for r in live
        if r.unsubscribe_url
    }
    # merge_metadata makes this a batch: each recipient gets their own message (their own
    # unsubscribe header and send id) from one API call.
    message.send()
    status = message.anymail_status
    logger.info("sent template=%s stream=%s recipients=%d", template, stream, len(live))
    return dict(status.recipients)
