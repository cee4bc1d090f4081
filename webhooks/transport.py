"""The one way a webhook leaves Harbor: a signed POST with guard rails.

- http and https only; no proxy from the environment; redirects are never followed (a
  3xx is a failure the staff page names), so a receiver cannot bounce Harbor elsewhere;
- the peer's address is checked after the connection is made and before a byte is sent
  (so DNS rebinding cannot slip past a check made earlier): loopback, private,
  link-local, multicast and reserved addresses are refused unless
  ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` (tests and ``DEBUG``);
- a connect and a read timeout; at most ``WEBHOOKS_MAX_RESPONSE_BYTES`` of the answer is
  read (and none of it kept).

Signature: ``X-Harbor-Signature: sha256=<hex>``, the HMAC-SHA256, keyed with the
endpoint's secret, of ``<X-Harbor-Timestamp>.<raw body>`` (the timestamp is signed too, so
an old request replayed later fails the receiver's freshness check).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

USER_AGENT = "Harbor-Webhooks/1"


class RefusedAddress(requests.exceptions.ConnectionError):
    """The URL's host resolved to an address webhooks may not reach."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Harbor-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"


def address_allowed(ip: str) -> bool:
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return True
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


def _check_peer(conn) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    peer = sock.getpeername()[0]
    if not address_allowed(peer):
        conn.close()
        raise RefusedAddress(f"refused address {peer}")


class _CheckedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self)


class _CheckedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self)


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }


def _refusal_in(exc: BaseException | None, depth: int = 0) -> BaseException | None:
    """The ``RefusedAddress`` that urllib3 and requests wrapped ``exc`` around."""
    if exc is None or depth > 8:
        return None
    if isinstance(exc, RefusedAddress):
        return exc
    inner = [exc.__cause__, exc.__context__, getattr(exc, "reason", None)]
    inner += [a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)]
    for candidate in inner:
        found = _refusal_in(candidate, depth + 1)
        if found is not None:
            return found
    return None


def url_problem(url: str) -> str:
    """Why ``url`` cannot be a webhook's URL (empty when it can). Checks what can be
    checked without the network: scheme, host, and an address literal."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "scheme"
    if parts.username or parts.password:
        return "credentials"
    try:
        ipaddress.ip_address(parts.hostname)
    except ValueError:
        if parts.hostname == "localhost" and not address_allowed("127.0.0.1"):
            return "private"
        return ""
    return "" if address_allowed(parts.hostname) else "private"


@dataclass(frozen=True)
class Answer:
    status: int
    # A 429's or 503's Retry-After, in seconds, when given as a number.
    retry_after: float | None = None


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy or netrc from the environment
    adapter = _CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def post(*, url: str, secret: str, event: str, key: str, body: bytes) -> Answer:
    """POST ``body`` to ``url``, signed. Returns the status code; raises
    ``requests.RequestException`` for a network failure, a timeout or a refused
    address, ``ValueError`` for a URL that is not http(s). Never follows a redirect.
    Makes a network call: never call it inside a transaction."""
    if url_problem(url) == "scheme":
        raise ValueError("not an http(s) URL")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Harbor-Event": event,
        "X-Harbor-Timestamp": timestamp,
        "X-Harbor-Signature": signature(secret, timestamp, body),
        "Idempotency-Key": key,
    }
    with _session() as session:
        try:
            response = session.post(
                url,
                data=body,
                headers=headers,
                timeout=(
                    settings.WEBHOOKS_CONNECT_TIMEOUT,
                    settings.WEBHOOKS_READ_TIMEOUT,
                ),
                allow_redirects=False,
                stream=True,
            )
        except requests.ConnectionError as exc:
            if _refusal_in(exc):
                raise RefusedAddress(str(_refusal_in(exc))) from exc
            raise
        try:
            # Read (and drop) at most a bounded answer, so the connection ends cleanly
            # without a huge or endless body holding the worker.
            left = settings.WEBHOOKS_MAX_RESPONSE_BYTES
            for chunk in response.iter_content(8192):
                left -= len(chunk)
                if left <= 0:
                    break
        finally:
            response.close()
    retry_after = None
    raw = response.headers.get("Retry-After", "")
    if raw.strip().isdigit():
        retry_after = float(raw.strip())
    return Answer(status=response.status_code, retry_after=retry_after)
