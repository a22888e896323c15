"""IP anonymisation and the client address behind proxies (domain/privacy.py)."""

from __future__ import annotations

import pytest

from trackbridge.domain.privacy import anonymize_ip, client_ip, parse_ip

PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.10"]


@pytest.mark.parametrize(
    ("level", "expected"),
    [(0, "198.51.100.57"), (1, "198.51.100.0"), (2, "198.51.0.0"), (3, "198.0.0.0")],
)
def test_anonymize_ipv4_zeroes_that_many_trailing_bytes(level: int, expected: str) -> None:
    assert anonymize_ip("198.51.100.57", level) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (0, "2001:db8:1234:5678:9abc:def0:1234:5678"),
        (1, "2001:db8:1234:5678::"),
        (2, "2001:db8:1234::"),
        (3, "2001:db8::"),
    ],
)
def test_anonymize_ipv6_keeps_the_64_48_or_32_bit_prefix(level: int, expected: str) -> None:
    assert anonymize_ip("2001:0db8:1234:5678:9abc:def0:1234:5678", level) == expected


def test_anonymize_treats_ipv4_mapped_ipv6_as_ipv4() -> None:
    assert anonymize_ip("::ffff:198.51.100.57", 2) == "198.51.0.0"


def test_anonymize_drops_a_value_that_is_not_an_address_unless_level_0() -> None:
    assert anonymize_ip("testclient", 0) == "testclient"
    assert anonymize_ip("testclient", 1) == ""


@pytest.mark.parametrize("level", [-1, 4])
def test_anonymize_refuses_unknown_levels(level: int) -> None:
    with pytest.raises(ValueError, match="level"):
        anonymize_ip("198.51.100.57", level)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        (" 198.51.100.7:5123 ", "198.51.100.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("unknown", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_ip_accepts_the_forms_headers_and_sockets_use(value: str | None, expected: str | None) -> None:
    parsed = parse_ip(value)
    assert (str(parsed) if parsed else None) == expected


def test_forwarded_for_is_ignored_when_the_peer_is_not_trusted() -> None:
    assert client_ip("203.0.113.9", "198.51.100.1", PROXIES) == "203.0.113.9"


def test_forwarded_for_is_ignored_without_trusted_proxies() -> None:
    assert client_ip("10.0.0.2", "198.51.100.1", []) == "10.0.0.2"


def test_client_is_the_first_untrusted_hop_from_the_right() -> None:
    # The visitor forged the first entry; our proxies are 10.0.0.5 and 10.0.0.2 (the peer).
    assert client_ip("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.5", PROXIES) == "198.51.100.1"


def test_trusted_proxy_given_as_a_bare_address_and_ipv6_ranges_are_honoured() -> None:
    assert client_ip("192.0.2.10", "198.51.100.1", PROXIES) == "198.51.100.1"
    assert client_ip("2001:db8:ffff::3", "2001:db8:1::5", PROXIES) == "2001:db8:1::5"


def test_when_every_hop_is_trusted_the_leftmost_is_the_client() -> None:
    assert client_ip("10.0.0.2", "10.1.1.1, 10.0.0.5", PROXIES) == "10.1.1.1"


def test_a_malformed_hop_stops_at_the_last_trusted_one() -> None:
    assert client_ip("10.0.0.2", "198.51.100.1, garbage, 10.0.0.5", PROXIES) == "10.0.0.5"


def test_ports_in_forwarded_hops_are_dropped() -> None:
    assert client_ip("10.0.0.2", "198.51.100.1:5555", PROXIES) == "198.51.100.1"


def test_no_peer_or_a_peer_that_is_not_an_address_gives_none() -> None:
    assert client_ip(None, "198.51.100.1", PROXIES) is None
    assert client_ip("testclient", None, PROXIES) is None


def test_invalid_trusted_cidr_is_refused() -> None:
    with pytest.raises(ValueError):
        client_ip("10.0.0.2", "198.51.100.1", ["not-a-cidr"])
