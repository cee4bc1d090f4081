"""Harbor's one door to Twilio: the REST client (placing a call) and the webhook
signature check. Everything else in the patch-through flow goes through here.

The real ``twilio`` library is used throughout. Its ``Client`` takes an ``http_client``;
``BaseUrlHttpClient`` is a ``TwilioHttpClient`` that sends the requests meant for
``https://api.twilio.com`` to ``TWILIO_API_BASE_URL`` instead (Twilio itself in
production, a loopback fake in tests), so the library builds every request as it would
for Twilio.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

TWILIO_API_HOST = "api.twilio.com"


def is_configured() -> bool:
    """Whether patch-through calling is on: account, token and caller id all set."""
    return bool(
        settings.TWILIO_ACCOUNT_SID
        and settings.TWILIO_AUTH_TOKEN
        and settings.TWILIO_FROM_NUMBER
    )


class BaseUrlHttpClient(TwilioHttpClient):
    """A ``TwilioHttpClient`` whose requests to api.twilio.com go to ``base_url``
    (scheme, host and port; the path is kept). Other Twilio hosts are left alone."""

    def __init__(self, *, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args, **kwargs) -> Response:
        parts = urlsplit(url)
        if parts.hostname == TWILIO_API_HOST and self.base_url:
            base = urlsplit(self.base_url)
            url = urlunsplit(parts._replace(scheme=base.scheme, netloc=base.netloc))
        return super().request(method, url, *args, **kwargs)


def client() -> Client:
    """A Twilio REST client for the configured account (a new one each call: cheap, and
    nothing is shared between threads)."""
    return Client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        http_client=BaseUrlHttpClient(
            base_url=settings.TWILIO_API_BASE_URL,
            timeout=settings.TWILIO_HTTP_TIMEOUT,
        ),
    )


class CallNotPlacedError(Exception):
    """Twilio did not accept the call. ``bad_number`` is true when Twilio refused the
    number itself (the supporter can correct it), false for anything else."""

    def __init__(self, message: str, *, bad_number: bool) -> None:
        super().__init__(message)
        self.bad_number = bad_number


# Twilio's error codes for a "To" number it will not call.
# https://www.twilio.com/docs/api/errors
_BAD_NUMBER_CODES = {13223, 13224, 21210, 21211, 21214, 21215, 21216, 21217}


@dataclass(frozen=True)
class PlacedCall:
    sid: str
    status: str


def place_call(*, to: str, answer_url: str, status_callback_url: str) -> PlacedCall:
    """Ask Twilio to call ``to`` (E.164) from the configured number; when the supporter
    answers, Twilio requests ``answer_url`` for TwiML, and reports the call's progress to
    ``status_callback_url``. A network call: never inside a transaction. Not idempotent
    (each call rings the phone once more); raise ``CallNotPlacedError`` on refusal."""
    try:
        call = client().calls.create(
            to=to,
            from_=settings.TWILIO_FROM_NUMBER,
            url=answer_url,
            method="POST",
            status_callback=status_callback_url,
            status_callback_method="POST",
            status_callback_event=["initiated", "ringing", "answered", "completed"],
        )
    except TwilioRestException as error:
        raise CallNotPlacedError(
            f"Twilio error {error.code} (HTTP {error.status})",
            bad_number=error.code in _BAD_NUMBER_CODES,
        ) from error
    except (TwilioException, OSError) as error:
        # OSError covers requests' connection errors and timeouts.
        raise CallNotPlacedError(type(error).__name__, bad_number=False) from error
    return PlacedCall(sid=call.sid or "", status=call.status or "")


def public_url(request: HttpRequest) -> str:
    """The URL Twilio requested, as Twilio saw it: ``SITE_URL`` plus the path and query.
    Behind a proxy the request's own host and scheme may differ from what Twilio used,
    so they are never trusted for the signature."""
    return settings.SITE_URL + request.get_full_path()


def has_valid_signature(request: HttpRequest) -> bool:
    """Whether ``X-Twilio-Signature`` signs this POST (full public URL and form params)
    with the account's auth token, checked by the library's ``RequestValidator``.
    False when Twilio is not configured or the header is missing."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    return bool(validator.validate(public_url(request), request.POST, signature))
