"""Who a request comes from, as far as the brake on failed authentications is concerned."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Network = IPv4Network | IPv6Network


def _address(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443, as some balancers write a hop
        text = text[1 : text.find("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":")[0]
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _client(address: IPv4Address | IPv6Address) -> str:
    # One IPv6 host usually holds a whole /64: counted by address, it would never be braked.
    if isinstance(address, IPv6Address):
        return str(IPv6Network((address, 64), strict=False))
    return str(address)


def _trusted(address: IPv4Address | IPv6Address, proxies: Iterable[Network]) -> bool:
    return any(address in network for network in proxies)


def client_of(peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client a request is counted against: an IPv4 address or an IPv6 /64.

    `peer` is the address the connection comes from; `forwarded_for` the request's
    X-Forwarded-For headers, in order. They are read only when the peer is one of the trusted
    `proxies`, and then from the right: each trusted proxy appends the address it was
    reached from, so the rightmost hop that is not a trusted proxy is the client, and every
    hop left of it is whatever the client chose to write. A hop that is not an address
    was written by the trusted proxy right of it, which is then counted as the client.
    """
    if peer is None:
        return "unknown"
    address = _address(peer)
    if address is None:  # not an IP connection (a Unix socket, a test client)
        return peer
    if not _trusted(address, proxies):
        return _client(address)
    hops = ",".join(forwarded_for).split(",") if forwarded_for else []
    for hop in reversed(hops):
        hop_address = _address(hop)
        if hop_address is None:
            break
        address = hop_address
        if not _trusted(address, proxies):
            break
    return _client(address)
