"""HTTP requests to URLs that a user typed (webhooks), safe against server-side request forgery.

The host name is resolved once; unless private destinations are allowed, every address it resolves to
must be public (`ipaddress.is_global`, and neither multicast, NAT64 nor an IPv6 form of a private IPv4
address), and the connection goes to exactly the address that was checked: httpx runs over a network
backend pinned to it, so a second lookup (DNS rebinding) cannot send the request elsewhere, while TLS
still verifies the certificate for the name (SNI) and the Host header keeps the name. Redirects are
never followed (a 3xx is an answer like any other non-2xx), a failed lookup refuses the request, and
the exchange is bounded in time (`deadline` for the whole of it) and in how much is read back.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
MAX_RESPONSE_BYTES = 64 * 1024


class Refused(Exception):
    """The request was not made: the URL or the addresses it resolves to are not allowed."""


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (refused, unreachable, timed out)
    error: str = ""
    # True when the destination did not answer at all (connection refused, timeout): an outage, not a verdict.
    unreachable: bool = False


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (the one lookup a request gets)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_multicast or not ip.is_global:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        # NAT64 is "global" to ipaddress, but the gateway turns it into any IPv4 address, private ones too.
        if any(ip in network for network in NAT64):
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return True


def checked_address(host: str, port: int, *, allow_private: bool) -> str:
    """Resolve once and check every address; the one to connect to. Raises Refused (fail closed)."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise Refused(f"the host name could not be resolved ({type(error).__name__})") from None
    if not addresses:
        raise Refused("the host name resolves to no address")
    if not allow_private and not all(is_public(address) for address in addresses):
        raise Refused("the URL resolves to a private address")
    return addresses[0]


class _Bounded(httpcore.NetworkStream):
    """A connection that ends the exchange at its deadline and after max_bytes read, however the peer drips."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float, max_bytes: int) -> None:
        self.stream, self.deadline, self.left = stream, deadline, max_bytes

    def _timeout(self, timeout: float | None) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("the whole exchange took too long")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self.stream.read(min(max_bytes, max(self.left, 1)), self._timeout(timeout))
        self.left -= len(data)
        if self.left < 0:
            raise httpcore.ReadError("the answer is too large")
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self._timeout(timeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self.stream.start_tls(ssl_context, server_hostname, self._timeout(timeout))
        return _Bounded(tls, self.deadline, self.left)

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _PinnedBackend(httpcore.SyncBackend):
    """Connects to the checked address whatever host httpcore asks for; the name stays for SNI and Host."""

    def __init__(self, host: str, address: str, deadline: float, max_bytes: int) -> None:
        self.host, self.address, self.deadline, self.max_bytes = host, address, deadline, max_bytes

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        if host.strip("[]") != self.host.strip("[]"):
            raise httpcore.ConnectError("refused: not the host that was checked")
        stream = super().connect_tcp(self.address, port, timeout, local_address, socket_options)
        return _Bounded(stream, self.deadline, self.max_bytes)


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, timeout: float = 10.0,
         max_bytes: int = MAX_RESPONSE_BYTES) -> Answer:
    """POST `body` to `url` under the rules above. Never raises for network trouble: the Answer says."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return Answer(None, "refused: not a valid URL")
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return Answer(None, "refused: only http and https URLs")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        address = checked_address(parsed.host, port, allow_private=allow_private)
    except Refused as error:
        return Answer(None, f"refused: {error}")
    deadline = time.monotonic() + timeout
    transport = httpx.HTTPTransport(retries=0)
    # httpx has no public hook for the network backend: swap the pool for one that dials only `address`.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), max_connections=1, retries=0,
        network_backend=_PinnedBackend(parsed.host, address, deadline, max_bytes),
    )
    # trust_env=False: a proxy from the environment would do its own lookup of the name.
    with httpx.Client(transport=transport, follow_redirects=False, trust_env=False, timeout=timeout) as client:
        try:
            with client.stream("POST", url, content=body, headers=headers) as response:
                return Answer(response.status_code)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            return Answer(None, f"unreachable: {type(error).__name__}: {error}"[:300], unreachable=True)
        except httpx.TimeoutException as error:
            return Answer(None, f"timed out: {type(error).__name__}"[:300], unreachable=True)
        except httpx.HTTPError as error:
            return Answer(None, f"{type(error).__name__}: {error}"[:300])
