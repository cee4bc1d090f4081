"""harbor.net.client_ip: the forwarded-for header is believed only from a trusted proxy,
read right to left, skipping trusted hops."""

import pytest
from django.test import RequestFactory

from harbor.net import client_ip

rf = RequestFactory()


def _ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(rf.get("/", **meta))


@pytest.fixture
def proxies(settings):
    settings.HARBOR_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]
    settings.HARBOR_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.HARBOR_TRUSTED_PROXIES = []
    assert _ip("198.51.100.7", "203.0.113.1") == "198.51.100.7"


def test_an_untrusted_peer_never_sets_its_address(proxies):
    assert _ip("198.51.100.7", "203.0.113.1, 10.0.0.2") == "198.51.100.7"


def test_the_right_most_untrusted_entry_is_the_client(proxies):
    # The client forged "1.2.3.4" on the left; the proxies appended what they saw.
    assert _ip("10.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.5") == "203.0.113.9"
    assert _ip("10.0.0.1", "203.0.113.9") == "203.0.113.9"


def test_ipv6_ports_and_mapped_addresses(proxies):
    assert _ip("2001:db8:ffff::1", "[2001:db8:1::5]:443") == "2001:db8:1::5"
    assert _ip("::ffff:10.0.0.1", "203.0.113.9:5555") == "203.0.113.9"


def test_garbage_stops_at_the_last_address_seen(proxies):
    assert _ip("10.0.0.1", "203.0.113.9, not-an-ip") == "10.0.0.1"
    assert _ip("10.0.0.1", "") == "10.0.0.1"
    assert _ip("10.0.0.1", "10.0.0.3, 10.0.0.4") == "10.0.0.3"
