"""Lists staff type into a form, one entry per line: networks (CIDR) and email domains."""

from __future__ import annotations

import ipaddress

from outcry.lib.mailbox import email_domain

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _lines(text: str) -> list[str]:
    # A "#" starts a note ("# campus library"), so a list can say why an entry is there.
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


HASHED = "hash:"


def parse_networks(text: str) -> tuple[Network, ...]:
    """Raises ValueError naming the first line that is not an address, a network or a hashed network."""
    networks = []
    for line in _lines(text):
        if line.startswith(HASHED):
            if not all(c in "0123456789abcdef" for c in line[len(HASHED):]) or len(line) == len(HASHED):
                raise ValueError(line)
            continue  # see hashed_networks
        try:
            # strict=False: 192.0.2.7/24 means the /24 it lies in, as a person typing it means.
            networks.append(ipaddress.ip_network(line, strict=False))
        except ValueError:
            raise ValueError(line) from None
    return tuple(networks)


def hashed_networks(text: str) -> frozenset[str]:
    """The lines "hash:<keyed hash of a network>": a network seen in a velocity wave, which Outcry knows
    only by its hash (outcry.lib.hashing), blocked without anyone learning or storing its address."""
    return frozenset(line[len(HASHED):] for line in _lines(text) if line.startswith(HASHED))


def parse_domains(text: str) -> frozenset[str]:
    """Each as outcry.lib.mailbox.email_domain gives it for an address (lowercase, IDN as punycode,
    aliases folded), so a listed domain matches however a supporter types it. Raises ValueError naming a bad line."""
    domains = set()
    for line in _lines(text):
        try:
            domain = email_domain("x@" + line.lstrip("@").rstrip("."))
        except UnicodeError:
            raise ValueError(line) from None
        if "." not in domain or "@" in domain or " " in domain:
            raise ValueError(line)
        domains.add(domain)
    return frozenset(domains)


def in_networks(ip: str, networks: tuple[Network, ...]) -> bool:
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in networks)


def in_domains(domain: str, domains: frozenset[str]) -> bool:
    """True for a listed domain and for any of its subdomains."""
    parts = domain.lower().split(".")
    return any(".".join(parts[i:]) in domains for i in range(len(parts)))
