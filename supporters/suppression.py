"""The suppression list's keyed hash: what survives a supporter's erasure.

An address that bounced or complained is kept only as HMAC-SHA256(key, normalized email),
so the list can answer "is this address suppressed?" without holding the address. The key
is ``HARBOR_SUPPRESSION_KEY``, or, when that is unset, one derived from ``SECRET_KEY``
(then rotating ``SECRET_KEY`` empties the list in effect: set the key in production and
never change it).
"""

import hashlib
import hmac

from django.conf import settings


def _key() -> bytes:
    key = getattr(settings, "HARBOR_SUPPRESSION_KEY", "")
    if key:
        return key.encode()
    return hashlib.sha256(
        b"harbor.supporters.suppression:" + settings.SECRET_KEY.encode()
    ).digest()


def normalize_for_hash(email: str) -> str:
    """The form every address is hashed in: stripped and lower-cased, as supporters'
    emails are stored (``services.normalize_email`` without its validation: an ESP's
    webhook may report an address Harbor would not accept on a form)."""
    return (email or "").strip().lower()


def email_hasher():
    """``email_hash`` with its key read once: for hashing many addresses in a loop."""
    key = _key()

    def hash_of(email: str) -> str:
        return hmac.new(
            key, normalize_for_hash(email).encode(), hashlib.sha256
        ).hexdigest()

    return hash_of


def email_hash(email: str) -> str:
    """The keyed hash of ``email`` (64 hex characters)."""
    return hmac.new(
        _key(), normalize_for_hash(email).encode(), hashlib.sha256
    ).hexdigest()
