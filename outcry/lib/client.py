"""Who is asking: the client's address behind trusted reverse proxies, and the network a limit counts.

X-Forwarded-For is believed only from a peer inside TRUSTED_PROXIES (a CIDR list): anyone else can
write anything there. From a trusted peer the header is read from the right, each proxy having
appended the address it saw; the first address that is not itself a trusted proxy is the client
(everything to its left is the client's to forge). TRUSTED_PROXY_COUNT, the older setting, still caps
how many entries are read, but only from a trusted peer; set alone, it trusts the loopback and private
ranges where a proxy in front of Outcry usually sits, and the deploy check asks for TRUSTED_PROXIES.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Where a reverse proxy in front of Outcry usually is, for deployments that set only TRUSTED_PROXY_COUNT.
PRIVATE_RANGES = ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    cidrs = tuple(settings.TRUSTED_PROXIES)
    if not cidrs and settings.TRUSTED_PROXY_COUNT:
        cidrs = PRIVATE_RANGES
    return _networks(cidrs)


def _parse(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:198.51.100.7) is that IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_ip(request: HttpRequest) -> str:
    peer_text = str(request.META.get("REMOTE_ADDR", ""))
    peer = _parse(peer_text)
    proxies = trusted_proxies()
    if peer is None or not _is_trusted(peer, proxies):
        return str(peer) if peer else peer_text
    hops = [part for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if settings.TRUSTED_PROXY_COUNT:
        hops = hops[-settings.TRUSTED_PROXY_COUNT:]
    client = peer
    for text in reversed(hops):
        address = _parse(text)
        if address is None:
            # Garbage in the header: the last address a trusted proxy vouched for is all we know.
            break
        client = address
        if not _is_trusted(address, proxies):
            break
    return str(client)


def limit_network(ip: str) -> str:
    """The network a rate limit or a velocity group counts as one client: an IPv6 address stands for its
    /OUTCRY_RATE_IPV6_PREFIX (64, what one subscriber is given and can rotate through freely), an IPv4
    address for its /OUTCRY_RATE_IPV4_PREFIX (32)."""
    address = _parse(ip)
    if address is None:
        return ip
    prefix = settings.OUTCRY_RATE_IPV4_PREFIX if address.version == 4 else settings.OUTCRY_RATE_IPV6_PREFIX
    if prefix >= address.max_prefixlen:
        return str(address)
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def see_other(url: str) -> HttpResponse:
    """Post/Redirect/Get: a 303 makes every browser follow with a GET."""
    response = HttpResponse(status=303)
    response["Location"] = url
    return response
