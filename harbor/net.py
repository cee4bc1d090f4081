"""The client's address, taken only from what a trusted proxy wrote, and kept only as a
keyed hash."""

from django.conf import settings
from django.utils.crypto import salted_hmac


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the right-most entry of the header named by
    HARBOR_CLIENT_IP_HEADER (the one the trusted proxy appended)."""
    header = settings.HARBOR_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def hash_ip(ip_address: str) -> str:
    """HMAC-SHA256 of the IP keyed with SECRET_KEY; '' for no IP. The IP is never stored."""
    if not ip_address:
        return ""
    return salted_hmac("harbor.ip", ip_address, algorithm="sha256").hexdigest()


def request_ip_hash(request) -> str:
    return hash_ip(client_ip(request)) if request is not None else ""
