"""What the send engine needs to know about the configured ESP: how many recipients one
batch call may carry, which path personalises the messages, and whether the ESP honours
an idempotency key (which closes the window between "the ESP accepted" and "the rows are
marked"; see the README, "Alert sending per ESP").

An alert's message differs per recipient beyond merge fields (each supporter's own
legislators and phone numbers), so the engine renders each message itself and sends the
chunk as one call to the ESP's batch endpoint that takes distinct messages. anymail sends
a batch as one call but copies one content into each message; Harbor's thin subclasses of
anymail's backends (``harbor.mail_backends``) give each message its own content.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class EspProfile:
    name: str
    # Recipients per batch call: the ESP's documented limit.
    batch_limit: int
    # "rendered": each message rendered by Harbor, one call to the ESP's batch endpoint.
    # "unsupported": the engine refuses to start (a clear error), see the README.
    path: str
    # Where the ESP honours a key per call, how; "" when it does not.
    idempotency: str
    endpoint: str = ""


# Keyed by the backend class's dotted path (settings.EMAIL_BACKEND).
PROFILES: dict[str, EspProfile] = {
    "harbor.mail_backends.ResendBatchBackend": EspProfile(
        "Resend", 100, "rendered", "Idempotency-Key header, 24 h", "/emails/batch"
    ),
    "harbor.mail_backends.PostmarkBatchBackend": EspProfile(
        "Postmark", 500, "rendered", "", "/email/batch"
    ),
    # The embedded setup: one file per message in HARBOR_MAIL_DIR.
    "harbor.mail_backends.FileEmailBackend": EspProfile(
        "File", 100, "rendered", "", "var/mail/"
    ),
    # anymail's own backends. Their batch sends merge on the fly from merge_data (or, for
    # Amazon SES and Postmark, a stored template): per-recipient blocks of legislators
    # are not a merge field they can fill, so these are refused until that path exists.
    "anymail.backends.sendgrid.EmailBackend": EspProfile(
        "SendGrid", 1000, "unsupported", "", "/v3/mail/send (personalizations)"
    ),
    "anymail.backends.mailgun.EmailBackend": EspProfile(
        "Mailgun", 1000, "unsupported", "", "/messages (recipient-variables)"
    ),
    "anymail.backends.brevo.EmailBackend": EspProfile(
        "Brevo",
        1000,
        "unsupported",
        "idempotencyKey header, 30 min",
        "/smtp/email (messageVersions)",
    ),
    "anymail.backends.amazon_ses.EmailBackend": EspProfile(
        "Amazon SES", 50, "unsupported", "", "SendBulkEmail (stored template)"
    ),
    "anymail.backends.postmark.EmailBackend": EspProfile(
        "Postmark", 500, "unsupported", "", "/email/batch (one content)"
    ),
    "anymail.backends.resend.EmailBackend": EspProfile(
        "Resend", 100, "unsupported", "", "/emails/batch (one content)"
    ),
}

# Harbor's backend to use instead of anymail's, where one exists.
USE_INSTEAD = {
    "anymail.backends.postmark.EmailBackend": "harbor.mail_backends.PostmarkBatchBackend",
    "anymail.backends.resend.EmailBackend": "harbor.mail_backends.ResendBatchBackend",
}


def backend_path() -> str:
    return str(settings.EMAIL_BACKEND)


def current_profile() -> EspProfile:
    """The profile of ``settings.EMAIL_BACKEND``; an unknown backend gets the smallest
    documented limit (Amazon SES's 50) if it takes per-recipient content."""
    path = backend_path()
    profile = PROFILES.get(path)
    if profile is not None:
        return profile
    backend = import_string(path)
    if getattr(backend, "supports_merge_content", False):
        return EspProfile(path, 50, "rendered", getattr(backend, "idempotency", ""))
    return EspProfile(path, 50, "unsupported", "")


def require_sendable() -> EspProfile:
    """The profile, or a clear configuration error before anything is frozen."""
    profile = current_profile()
    if profile.path != "rendered":
        instead = USE_INSTEAD.get(backend_path())
        hint = f" Set EMAIL_BACKEND={instead}." if instead else ""
        raise ImproperlyConfigured(
            f"Alerts cannot be sent through {profile.name} yet: each message is "
            f"personal and this backend sends one content per batch.{hint}"
        )
    return profile


def chunk_size() -> int:
    """Recipients per chunk: the ESP's limit, or less if ALERTS_CHUNK_SIZE says so."""
    limit = current_profile().batch_limit
    wanted = settings.ALERTS_CHUNK_SIZE or limit
    return max(1, min(limit, wanted))
