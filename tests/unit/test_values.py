"""Parsing of money, times, e-mails, phones and ids."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.values import (
    check_visitor_id,
    format_money,
    is_placeholder_id,
    normalize_email,
    normalize_phone,
    parse_int,
    parse_money,
    parse_timestamp,
)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("10.42", "10.42"),
        (10.42, "10.42"),
        (7, "7"),
        (" 0.1 ", "0.1"),
        ("-3.5", "-3.5"),
        ("1e2", "1E+2"),
        (0.1 + 0.2, None),
    ],
)
def test_money_is_exact(raw: object, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidInput, match="decimal places"):
            parse_money(raw, "amount")
        return
    assert parse_money(raw, "amount") == Decimal(expected)


@pytest.mark.parametrize("raw", ["ten", "", None, True, [], "NaN", "Infinity", "1.00001", "1e20"])
def test_money_refuses_what_is_not_an_amount(raw: object) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_money(raw, "amount")
    assert error.value.field == "amount"


def test_money_is_formatted_with_two_places_at_least() -> None:
    assert [format_money(Decimal(v)) for v in ("10.4200", "0", "0.1234", "5.5")] == ["10.42", "0.00", "0.1234", "5.50"]


def test_timestamps_from_milliseconds_seconds_strings_and_iso() -> None:
    expected = datetime(2018, 2, 7, 11, 58, 35, 732000, tzinfo=UTC)
    assert parse_timestamp(1518004715732, "t") == expected
    assert parse_timestamp("1518004715732", "t") == expected
    assert parse_timestamp(1518004715, "t") == expected.replace(microsecond=0)
    assert parse_timestamp("2018-02-07T11:58:35.732Z", "t") == expected
    berlin = parse_timestamp("2018-02-07 12:58:35.732", "t", ZoneInfo("Europe/Berlin"))
    assert berlin == expected


@pytest.mark.parametrize("raw", ["yesterday", None, True, "", 10**30, [1]])
def test_timestamps_refuse_the_rest(raw: object) -> None:
    with pytest.raises(InvalidInput):
        parse_timestamp(raw, "createdAt")


def test_integers_accept_numeric_strings_only() -> None:
    assert parse_int("3", "q") == 3
    assert parse_int(2.0, "q") == 2
    for raw in ("two", 1.5, True, None):
        with pytest.raises(InvalidInput):
            parse_int(raw, "q")
    with pytest.raises(InvalidInput, match="at least 1"):
        parse_int(0, "q", minimum=1)


def test_emails_are_lower_cased_and_checked() -> None:
    assert normalize_email("  JohnyBravo@Gmail.COM ", "email") == "johnybravo@gmail.com"
    for raw in ("nope", "a@b", 42, "a b@c.de"):
        with pytest.raises(InvalidInput):
            normalize_email(raw, "email")


def test_phones_keep_digits_with_country_code() -> None:
    assert normalize_phone("+7 (999) 555-11-11") == "79995551111"
    assert normalize_phone("0049 30 1234") == "49301234"
    assert normalize_phone("n/a") is None


@pytest.mark.parametrize("value", ["null", "undefined", "Guest", '"none"', "0", "", "[object Object]", " NaN "])
def test_placeholder_ids_are_recognised(value: str) -> None:
    assert is_placeholder_id(value)


def test_real_ids_are_not_placeholders() -> None:
    assert not is_placeholder_id("crm-42")
    assert not is_placeholder_id("ann@example.com")


def test_visitor_ids_are_16_lower_hex() -> None:
    assert check_visitor_id("0123456789abcdef", "visitorId") == "0123456789abcdef"
    for raw in ("0123456789ABCDEF", "0123456789abcde", "0123456789abcdefa", "zzzzzzzzzzzzzzzz", 12):
        with pytest.raises(InvalidInput):
            check_visitor_id(raw, "visitorId")
