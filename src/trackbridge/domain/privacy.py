"""The visitor's IP address: which one to believe behind proxies, and how much of it to keep. Pure.

Anonymisation levels follow Matomo's "bytes" setting. IPv4: level 1, 2 or 3 zeroes that many trailing bytes
(``198.51.100.57`` → ``198.51.100.0`` / ``198.51.0.0`` / ``198.0.0.0``). IPv6 addresses are far sparser, so each
level drops a whole routing unit instead: level 1 keeps the /64 (the subscriber's network; the device's interface id
goes), level 2 keeps the /48 (a site), level 3 keeps the /32 (an operator's allocation).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_ANONYMIZE_LEVEL = 3
_IPV4_PREFIX = {0: 32, 1: 24, 2: 16, 3: 8}
_IPV6_PREFIX = {0: 128, 1: 64, 2: 48, 3: 32}


def parse_ip(value: str | None) -> IpAddress | None:
    """An address from a header or socket value: IPv4, IPv6, ``[v6]:port`` or ``v4:port``; IPv4-mapped IPv6 becomes
    IPv4. None when the value is not an address (Starlette's test client reports ``testclient``)."""
    if not value:
        return None
    text = value.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def anonymize_ip(ip: str, level: int) -> str:
    """``ip`` with its trailing part zeroed (see the module docstring); level 0 keeps it whole (normalised).

    A value that is not an IP address is kept at level 0 and dropped (``""``) at any other level: nothing unmasked
    survives anonymisation.
    """
    if not 0 <= level <= MAX_ANONYMIZE_LEVEL:
        raise ValueError(f"anonymisation level must be 0 to {MAX_ANONYMIZE_LEVEL}, got {level}")
    address = parse_ip(ip)
    if address is None:
        return ip if level == 0 else ""
    prefix = _IPV4_PREFIX[level] if address.version == 4 else _IPV6_PREFIX[level]
    network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    return str(network.network_address)


@lru_cache(maxsize=32)
def parse_networks(cidrs: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    """CIDR blocks (a bare address is a /32 or /128). Raises ValueError for anything else."""
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def _is_trusted(address: IpAddress, networks: tuple[IpNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str | None:
    """The visitor's address. ``X-Forwarded-For`` counts only when the connecting peer is a trusted proxy; it is
    read from the right (the hop nearest to us), skipping trusted proxies, and the first untrusted hop is the client.
    If every hop is trusted, the leftmost is the client; a malformed hop stops the walk at the last trusted one."""
    peer_address = parse_ip(peer)
    if peer_address is None:
        return None
    networks = parse_networks(tuple(trusted))
    if not forwarded_for or not networks or not _is_trusted(peer_address, networks):
        return str(peer_address)
    nearest = peer_address
    for hop in reversed(forwarded_for.split(",")):
        address = parse_ip(hop)
        if address is None:
            break
        nearest = address
        if not _is_trusted(address, networks):
            break
    return str(nearest)
