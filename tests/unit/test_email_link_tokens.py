"""Signed e-mail link tokens (tb_r): round trip, forgery, expiry, rotation, URL building."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from trackbridge.domain.email_links import TokenRefused, link_with_token, make_token, read_token
from trackbridge.domain.errors import InvalidInput

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SECRET = "m3trilo-secr3t"


def test_a_token_carries_the_customer_and_reads_back() -> None:
    token = make_token(SECRET, 1, 12345, NOW + timedelta(days=90))
    claim = read_token(SECRET, 1, token, NOW)
    assert claim.customer_id == 12345
    assert claim.expires_at == int((NOW + timedelta(days=90)).timestamp())


def test_a_token_is_url_safe_and_holds_no_email() -> None:
    token = make_token(SECRET, 1, 7, NOW + timedelta(days=90))
    assert all(ch.isalnum() or ch in "._-" for ch in token)
    assert "@" not in token
    assert len(token) < 50


def test_an_expired_token_is_refused() -> None:
    token = make_token(SECRET, 1, 7, NOW - timedelta(seconds=1))
    with pytest.raises(TokenRefused, match="expired"):
        read_token(SECRET, 1, token, NOW)


def test_a_token_with_another_customer_id_is_refused() -> None:
    token = make_token(SECRET, 1, 7, NOW + timedelta(days=1))
    forged = "8" + token[1:]
    with pytest.raises(TokenRefused, match="signature"):
        read_token(SECRET, 1, forged, NOW)


def test_a_token_from_another_project_or_after_rotation_is_refused() -> None:
    token = make_token(SECRET, 1, 7, NOW + timedelta(days=1))
    with pytest.raises(TokenRefused):
        read_token(SECRET, 2, token, NOW)
    with pytest.raises(TokenRefused):
        read_token("rotated-secret", 1, token, NOW)


@pytest.mark.parametrize("value", [None, 5, "", "abc", "1.2.3", "1.2." + "x" * 21 + "!"])
def test_malformed_tokens_are_refused(value: object) -> None:
    with pytest.raises(TokenRefused):
        read_token(SECRET, 1, value, NOW)


def test_the_parameter_is_added_to_the_url_keeping_query_and_fragment() -> None:
    url = link_with_token("https://shop.example/landing?utm_source=news&tb_r=old#top", "1.2.abc")
    parts = urlsplit(url)
    assert parse_qs(parts.query) == {"utm_source": ["news"], "tb_r": ["1.2.abc"]}
    assert parts.fragment == "top"


def test_only_absolute_http_urls_take_a_token() -> None:
    with pytest.raises(InvalidInput):
        link_with_token("javascript:alert(1)", "t")
    with pytest.raises(InvalidInput):
        link_with_token("/relative", "t")
