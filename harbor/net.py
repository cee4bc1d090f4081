"""The client's address, taken only from what a trusted proxy wrote, and kept only as a
keyed hash.

The peer (REMOTE_ADDR) is the client unless it is one of ``HARBOR_TRUSTED_PROXIES``
(CIDRs). Only then is the forwarded-for header (``HARBOR_CLIENT_IP_HEADER``, default
X-Forwarded-For) read, right to left: each trusted proxy appends the address it saw, so
the right-most entry that is not itself a trusted proxy is the client. Whatever lies left
of it was written by the client and is never believed.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.utils.crypto import salted_hmac

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)


def trusted_networks() -> tuple[_Network, ...]:
    """HARBOR_TRUSTED_PROXIES as networks (parsed once per distinct setting)."""
    return _networks(tuple(c for c in settings.HARBOR_TRUSTED_PROXIES if c.strip()))


def _parse(value: str) -> _Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: _Address, networks: tuple[_Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR when the peer is not a trusted proxy; else the
    right-most forwarded-for entry that is not a trusted proxy (an entry that is not an
    address stops the walk at the hop before it). '' when there is none."""
    peer_text = request.META.get("REMOTE_ADDR", "")[:64]
    peer = _parse(peer_text)
    networks = trusted_networks()
    if peer is None or not networks or not _is_trusted(peer, networks):
        return str(peer) if peer is not None else peer_text
    header = settings.HARBOR_CLIENT_IP_HEADER or "HTTP_X_FORWARDED_FOR"
    client = peer
    for entry in reversed(request.META.get(header, "")[:4096].split(",")):
        address = _parse(entry)
        if address is None:
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def hash_ip(ip_address: str) -> str:
    """HMAC-SHA256 of the IP keyed with SECRET_KEY; '' for no IP. The IP is never stored."""
    if not ip_address:
        return ""
    return salted_hmac("harbor.ip", ip_address, algorithm="sha256").hexdigest()


def request_ip_hash(request) -> str:
    return hash_ip(client_ip(request)) if request is not None else ""


def lockout_ip(request) -> str:
    """The address django-axes keys a login lockout by and stores: not the client's IP
    (IPs are kept only as keyed hashes) but an IPv6 address made of the first 16 bytes
    of that keyed hash, so axes' address column holds nothing that identifies the
    client, and one client still maps to one value. '' when there is no address."""
    digest = hash_ip(client_ip(request))
    if not digest:
        return ""
    return str(ipaddress.IPv6Address(bytes.fromhex(digest[:32])))


def login_username(request, credentials) -> str:
    """The username django-axes counts failures under: the typed email, trimmed and
    lower-cased, so "Staff@Example.org " is not a fresh set of five tries."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) or (
        request.POST.get(field, "") if request else ""
    )
    return str(value).strip().lower()[:254]
