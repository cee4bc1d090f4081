"""Fixed-window rate limits shared by every process: Redis INCR when REDIS_URL is set, else
a database row per (key, window) bumped with a conditional ``F()`` update.

Django's cache API is not used for this: DatabaseCache's ``incr`` is a read then a write,
so two processes can both read 4 and both write 5.
"""

import logging
import secrets
import threading
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.crypto import salted_hmac

from .models import RateLimitCounter

logger = logging.getLogger(__name__)

_redis_clients: dict[str, object] = {}
_redis_clients_lock = threading.Lock()
# Rows older than this are deleted now and then; longer than any window in use.
_KEEP_SECONDS = 24 * 3600


def hashed(value: str) -> str:
    """A keyed hash of a personal value (IP, email), so keys never hold the value itself."""
    return salted_hmac("harbor.ratelimit", value).hexdigest()[:40]


def _redis():
    from redis import Redis

    url = settings.REDIS_URL
    client = _redis_clients.get(url)
    if client is None:
        # A connection pool per process; created lazily so gunicorn forks before it exists.
        # Under a lock: two threads creating one each would leave one client unreferenced,
        # and its garbage collection closes the pool, connections in use included.
        with _redis_clients_lock:
            client = _redis_clients.get(url)
            if client is None:
                client = _redis_clients[url] = Redis.from_url(url, socket_timeout=2)
    return client


def _redis_hits(keys: list[str], window_start: int, window: int) -> list[int]:
    """Bump every key in one round trip (MULTI/EXEC) and return their new counts."""
    pipe = _redis().pipeline(transaction=True)
    for key in keys:
        name = f"harbor:ratelimit:{key}:{window_start}"
        pipe.incr(name)
        pipe.expire(name, window * 2)
    replies = pipe.execute()
    return [int(count) for count in replies[::2]]


def _db_hit(key: str, window_start: int) -> int:
    rows = RateLimitCounter.objects.filter(key=key, window=window_start)
    with transaction.atomic():
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(
                        key=key, window=window_start, count=1
                    )
                return 1
            except IntegrityError:
                # Another process created the row first: count on it.
                rows.update(count=F("count") + 1)
        # Inside the transaction the row is locked by this update (PostgreSQL) or the whole
        # database is (SQLite), so the count read is this hit's own.
        count = rows.values_list("count", flat=True).first() or 1
    if secrets.randbelow(500) == 0:
        RateLimitCounter.objects.filter(
            window__lt=int(time.time()) - _KEEP_SECONDS
        ).delete()
    return count


def hit_all(*, limits: dict[str, int], window: int) -> list[str]:
    """Count one hit of each key in ``limits`` (key -> limit) in the current window;
    return the keys that are over their limit.

    Not idempotent: every call counts. A limit of 0 or less means no limit (and no write)."""
    keys = [key for key, limit in limits.items() if limit > 0]
    if not keys:
        return []
    window_start = int(time.time()) // window * window
    if settings.REDIS_URL:
        counts = _redis_hits(keys, window_start, window)
    else:
        counts = [_db_hit(key, window_start) for key in keys]
    return [key for key, count in zip(keys, counts, strict=True) if count > limits[key]]


def hit(*, key: str, limit: int, window: int) -> bool:
    """Count one hit of ``key``; return whether it is within ``limit`` (see hit_all)."""
    return not hit_all(limits={key: limit}, window=window)


class RateLimitedError(Exception):
    """Too many submissions in the current window: ``"ip"`` from one address, or
    ``"email"`` for one email from one address."""


def check_public_form_limits(*, ip_address: str, email: str = "") -> None:
    """Count one public-form submission (sign, sign-on, newsletter, letter) against the
    per-IP limit and the per-email-from-this-IP limit; raise RateLimitedError("ip" or
    "email") past either. Not idempotent: each call counts one submission. Keys hold
    keyed hashes, never the address or the email.

    The email limit is keyed with the IP on purpose: keyed by the email alone, anyone
    could submit a stranger's address ten times from anywhere and lock that person out of
    every form (finding 2 of issue #11). Keyed with the IP, a flood of one address from
    one connection is stopped and the owner, signing from their own connection, is not.
    The mail an address receives needs no limit here: each petition sends one email per
    signer and re-sends a confirmation at most every ten minutes
    (``petitions.services.CONFIRM_RESEND_AFTER``). Without an IP the email is counted
    alone (no caller does that today)."""
    limits = {}
    if ip_address:
        limits[f"ip:{hashed(ip_address)}"] = settings.PUBLIC_FORM_RATE_LIMIT_PER_IP
    if email:
        pair = f"{ip_address}\n{email.strip().lower()}"
        limits[f"email:{hashed(pair)}"] = settings.PUBLIC_FORM_RATE_LIMIT_PER_EMAIL
    over = hit_all(limits=limits, window=settings.PUBLIC_FORM_RATE_LIMIT_WINDOW)
    if over:
        raise RateLimitedError(over[0].split(":", 1)[0])
