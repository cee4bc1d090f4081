"""Unsubscribe links: a signed token per recipient, the URL and mailto that carry it,
and the hooks higher apps register to hear of an unsubscribe.

The token is Django's ``signing`` (HMAC with ``SECRET_KEY``, salted) over the supporter id
and a topic ("newsletter", "alert:<id>"): unguessable, tamper-proof, and it never holds
the address. It does not expire: a link in an old email must still work.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "harbor.supporters.unsubscribe"
NEWSLETTER = "newsletter"


@dataclass(frozen=True)
class UnsubscribeToken:
    supporter_id: int
    topic: str  # "newsletter" or "<kind>:<id>", e.g. "alert:12"

    @property
    def kind(self) -> str:
        return self.topic.partition(":")[0]

    @property
    def ref(self) -> str:
        return self.topic.partition(":")[2]


def make_token(*, supporter_id: int, topic: str = NEWSLETTER) -> str:
    return signing.Signer(salt=SALT).sign_object(
        {"s": supporter_id, "t": topic}, compress=True
    )


def read_token(token: str) -> UnsubscribeToken | None:
    """The token's content, or None for anything not signed by Harbor."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token[:500])
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    supporter_id, topic = data.get("s"), data.get("t")
    if not isinstance(supporter_id, int) or not isinstance(topic, str):
        return None
    return UnsubscribeToken(supporter_id=supporter_id, topic=topic)


def unsubscribe_url(*, supporter_id: int, topic: str = NEWSLETTER) -> str:
    """The https link of ``List-Unsubscribe`` and of the footer: GET shows a button,
    POST (the button, or a mailbox's RFC 8058 one-click) unsubscribes."""
    token = make_token(supporter_id=supporter_id, topic=topic)
    return settings.SITE_URL + reverse("supporters:unsubscribe", args=[token])


def unsubscribe_mailto(*, supporter_id: int, topic: str = NEWSLETTER) -> str:
    """The mailto of ``List-Unsubscribe`` when ``HARBOR_UNSUBSCRIBE_MAILTO`` is set (its
    subject carries the token), else ""."""
    address = getattr(settings, "HARBOR_UNSUBSCRIBE_MAILTO", "")
    if not address:
        return ""
    token = make_token(supporter_id=supporter_id, topic=topic)
    return f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


# --- hooks: a higher app hears of unsubscribes on its topics (alerts marks its row) ----

UnsubscribeHook = Callable[..., None]
_hooks: dict[str, UnsubscribeHook] = {}


def register_topic(kind: str, hook: UnsubscribeHook) -> None:
    """Called once by an app's ``ready()``: ``hook(supporter_id=, ref=, at=)`` runs inside
    the unsubscribe's transaction for every token whose topic is ``<kind>:<ref>``."""
    _hooks[kind] = hook


def run_hook(token: UnsubscribeToken, *, at: datetime) -> None:
    hook = _hooks.get(token.kind)
    if hook is not None and token.ref:
        hook(supporter_id=token.supporter_id, ref=token.ref, at=at)
