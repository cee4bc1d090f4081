"""What the send engine needs to know about the configured ESP: how many recipients one
batch call may carry, which path personalises the messages, and whether the ESP honours
an idempotency key (which closes the window between "the ESP accepted" and "the rows are
marked"; see the README, "Alert sending per ESP").

Two paths. "rendered" (Resend, Postmark, the file backend): the engine renders each
message itself and sends the chunk as one call to the ESP's batch endpoint that takes
distinct messages (Harbor's thin subclasses of anymail's backends in
``harbor.mail_backends`` give each message its own content). "merge" (SendGrid, Mailgun,
Brevo): one content per chunk with the ESP's merge placeholders, and each recipient's
name, legislators block and unsubscribe link as anymail's ``merge_data``; the ESP merges
on the fly.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class EspProfile:
    name: str
    # Recipients per batch call: the ESP's documented limit.
    batch_limit: int
    # "rendered": each message rendered by Harbor, one call to the ESP's batch endpoint.
    # "merge": one content with the ESP's merge placeholders, each recipient's values
    # as anymail's merge_data, one batch call (the ESP merges on the fly).
    # "unsupported": the engine refuses to start (a clear error), see the README.
    path: str
    # Where the ESP honours a key per call, how; "" when it does not.
    idempotency: str
    endpoint: str = ""
    # The merge path: the ESP's placeholder for a merge field in the content, ...
    placeholder: Callable[[str], str] | None = None
    # ... anymail's esp_extra for the call, ...
    esp_extra: dict = field(default_factory=dict)
    # ... and the message header that carries the chunk's idempotency key ("" if none).
    idempotency_header: str = ""
    # A note for the README table and the refusal message.
    note: str = ""


# SendGrid's legacy substitutions replace a literal string: the merge field's name with
# delimiters nobody types (anymail applies the same format to the merge_data keys).
SENDGRID_FIELD_FORMAT = "-harbor-{}-"


def _sendgrid_field(name: str) -> str:
    return SENDGRID_FIELD_FORMAT.format(name)


def _mailgun_field(name: str) -> str:
    # Mailgun's on-the-fly templating: recipient-variables as %recipient.KEY%.
    return f"%recipient.{name}%"


def _brevo_field(name: str) -> str:
    # Brevo's template language escapes every variable; Harbor's values are already
    # what the message must carry (the _html ones escaped by Harbor), so each is put in
    # as it is.
    return "{% autoescape off %}{{ params." + name + " }}{% endautoescape %}"


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
    # anymail's own backends whose batch send merges on the fly from merge_data: one
    # content per call with the ESP's placeholders, each recipient's name, legislators
    # block and unsubscribe link as merge values (alerts.rendering.merge_shell).
    "anymail.backends.sendgrid.EmailBackend": EspProfile(
        "SendGrid",
        1000,
        "merge",
        "",
        "/v3/mail/send (personalizations, substitutions)",
        placeholder=_sendgrid_field,
        esp_extra={"merge_field_format": SENDGRID_FIELD_FORMAT},
        note="anymail has dropped official support for SendGrid (a warning at start)",
    ),
    "anymail.backends.mailgun.EmailBackend": EspProfile(
        "Mailgun",
        1000,
        "merge",
        "",
        "/v3/<domain>/messages (recipient-variables)",
        placeholder=_mailgun_field,
    ),
    "anymail.backends.brevo.EmailBackend": EspProfile(
        "Brevo",
        1000,
        "merge",
        "idempotencyKey header, 30 min",
        "/v3/smtp/email (messageVersions, params)",
        placeholder=_brevo_field,
        idempotency_header="idempotencyKey",
    ),
    # Amazon SES's SendBulkEmail needs a stored template (and its extra pulls boto3):
    # not built, refused with a clear message.
    "anymail.backends.amazon_ses.EmailBackend": EspProfile(
        "Amazon SES",
        50,
        "unsupported",
        "",
        "SendBulkEmail (stored template)",
        note="the stored-template path is not built",
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
    if profile.path == "unsupported":
        instead = USE_INSTEAD.get(backend_path())
        hint = f" Set EMAIL_BACKEND={instead}." if instead else ""
        if profile.note:
            reason = f"{profile.note}."
        else:
            reason = (
                "each message is personal and this backend sends one content per batch."
            )
        raise ImproperlyConfigured(
            f"Alerts cannot be sent through {profile.name} yet: {reason}{hint} "
            "See the README, Alert sending."
        )
    return profile


def chunk_size() -> int:
    """Recipients per chunk: the ESP's limit, or less if ALERTS_CHUNK_SIZE says so."""
    limit = current_profile().batch_limit
    wanted = settings.ALERTS_CHUNK_SIZE or limit
    return max(1, min(limit, wanted))
