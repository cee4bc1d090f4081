"""The ESPs' webhooks: anymail's own views and URLs (``/anymail/<esp>/tracking/`` and
``/inbound/``), each wrapped so that a body anymail cannot parse (not JSON, the wrong
shape) is a 400 and never a 500 that the ESP would retry for days. anymail's
authentication runs first, so only a caller with the secret gets that far; errors of the
receivers' own (the database down) stay 500s, and the ESP retries them.
"""

import functools
import importlib.util
import logging

from anymail.urls import app_name as app_name
from anymail.urls import urlpatterns as anymail_patterns
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseBadRequest, HttpResponseForbidden
from django.urls import URLPattern

logger = logging.getLogger(__name__)

MALFORMED = (ValueError, KeyError, TypeError, AttributeError, IndexError)


def refusing_malformed(view):
    @functools.wraps(view)  # keeps csrf_exempt and login_not_required
    def wrapped(request, *args, **kwargs):
        # anymail accepts unauthenticated events when no secret is set (it only warns):
        # a forged bounce or complaint would suppress any address. Closed without one.
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            logger.warning(
                "webhook %s refused: ANYMAIL_WEBHOOK_SECRET unset", request.path
            )
            return HttpResponseForbidden(
                "Webhooks are off: ANYMAIL_WEBHOOK_SECRET is not set.",
                content_type="text/plain",
            )
        try:
            return view(request, *args, **kwargs)
        except ImproperlyConfigured as exc:
            # The ESP's own signing key is missing (Mailgun's, say): a configuration
            # error for the operator, and no event is accepted without it.
            logger.error("webhook %s refused: %s", request.path, exc)
            return HttpResponseForbidden(
                "Webhooks for this ESP are not configured.", content_type="text/plain"
            )
        except MALFORMED as exc:
            logger.warning(
                "webhook %s: malformed payload (%s)", request.path, type(exc).__name__
            )
            return HttpResponseBadRequest(
                "Malformed webhook payload.", content_type="text/plain"
            )

    return wrapped


# The ESPs Harbor sends through (README, "Email"); Amazon SES's only with its extra
# (boto3) installed, else its URL would be a 500 rather than a 404.
ESPS = ["brevo", "mailgun", "postmark", "resend", "sendgrid"]
if importlib.util.find_spec("boto3") is not None:
    ESPS.append("amazon_ses")
NAMES = {f"{esp}_{kind}_webhook" for esp in ESPS for kind in ("tracking", "inbound")}

urlpatterns = [
    URLPattern(
        p.pattern,
        refusing_malformed(p.callback),
        default_args=p.default_args,
        name=p.name,
    )
    for p in anymail_patterns
    if isinstance(p, URLPattern) and p.name in NAMES
]
