"""The secret of an API token: how it is made, hashed and read from a request."""

import hashlib
import secrets

# "hbr_" tells a Harbor token apart in a config file or a secret scanner's report.
TOKEN_PREFIX = "hbr_"  # noqa: S105 (a marker, not a secret)
# Headers that carry a token: OSDI's and Action Network's own, then the usual one.
TOKEN_HEADERS = ("HTTP_OSDI_API_TOKEN", "HTTP_OSDI_TOKEN")


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_from_request(request) -> str:
    """The token a request carries (``OSDI-API-Token``, ``OSDI-Token`` or
    ``Authorization: Token …``), or "" for none."""
    meta = request.META
    for header in TOKEN_HEADERS:
        value = meta.get(header, "").strip()
        if value:
            return value
    scheme, _, value = meta.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return ""
