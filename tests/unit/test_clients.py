from ipaddress import ip_network

import pytest

from referral_api.api.clients import client_of

PROXIES = [ip_network("10.0.0.0/8"), ip_network("2001:db8:ff::/48")]


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        # Not a trusted proxy: whatever it forwards is the client's own say.
        ("198.51.100.7", ["203.0.113.9"], "198.51.100.7"),
        ("10.0.0.2", [], "10.0.0.2"),  # a trusted proxy's own request (a health check)
        ("10.0.0.2", ["203.0.113.9"], "203.0.113.9"),
        # The rightmost hop that is not a trusted proxy; what is left of it is forged.
        ("10.0.0.2", ["192.0.2.1, 203.0.113.9"], "203.0.113.9"),
        ("10.0.0.2", ["192.0.2.1, 203.0.113.9, 10.1.1.1"], "203.0.113.9"),
        ("10.0.0.2", ["192.0.2.1", "203.0.113.9, 10.1.1.1"], "203.0.113.9"),  # two headers
        ("10.0.0.2", ["10.3.3.3, 10.1.1.1"], "10.3.3.3"),  # all trusted: the farthest
        ("10.0.0.2", ["203.0.113.9:4711"], "203.0.113.9"),
        ("10.0.0.2", ["[2001:db8:1:2::7]:443"], "2001:db8:1:2::/64"),
        # A hop that is no address: the trusted proxy that wrote it answers for it.
        ("10.0.0.2", ["203.0.113.9, unknown, 10.1.1.1"], "10.1.1.1"),
        ("10.0.0.2", ["203.0.113.9, "], "10.0.0.2"),
        # One IPv6 host holds a /64; an IPv4 host seen over IPv6 is its IPv4 address.
        ("2001:db8:1:2::7", [], "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", [], "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", [], "198.51.100.7"),
        ("::ffff:10.0.0.2", ["203.0.113.9"], "203.0.113.9"),
        ("2001:db8:ff::1", ["2001:db8:5::1"], "2001:db8:5::/64"),
        ("testclient", ["203.0.113.9"], "testclient"),  # not an IP connection
        (None, ["203.0.113.9"], "unknown"),
    ],
)
def test_the_client_is_the_rightmost_hop_no_trusted_proxy_wrote(peer, forwarded_for, client):
    assert client_of(peer, forwarded_for, PROXIES) == client


def test_without_trusted_proxies_forwarded_headers_are_never_read():
    assert client_of("127.0.0.1", ["203.0.113.9"], []) == "127.0.0.1"
