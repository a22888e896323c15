"""Parsing of the scalar values clients send: money, timestamps, e-mails, phones, visitor ids. Pure, no I/O."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from trackbridge.domain.errors import InvalidInput

MAX_MONEY_PLACES = 4
MAX_MONEY = Decimal("100000000000000")  # 10^14 units: fits a 64-bit integer of 1/10,000 units.
VISITOR_ID = re.compile(r"^[0-9a-f]{16}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PLACEHOLDER_IDS = frozenset(
    {
        "",
        "anonymous",
        "guest",
        "distinctid",
        "distinct_id",
        "id",
        "not_authenticated",
        "email",
        "undefined",
        "true",
        "false",
        "[object object]",
        "nan",
        "none",
        "null",
        "0",
    }
)
# Epoch values at or above this are milliseconds (in seconds it would be the year 5138; in milliseconds it is 1973).
_MS_THRESHOLD = 100_000_000_000


def parse_money(value: object, field: str) -> Decimal:
    """A money amount from a number or a numeric string, kept exact as a Decimal."""
    if isinstance(value, bool) or value is None:
        raise InvalidInput("must be a number or a numeric string", field)
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, (int, str, Decimal)):
        raise InvalidInput("must be a number or a numeric string", field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not a number", field) from None
    if not amount.is_finite():
        raise InvalidInput("must be a finite number", field)
    if abs(amount) >= MAX_MONEY:
        raise InvalidInput("is too large", field)
    if amount != amount.quantize(Decimal(1).scaleb(-MAX_MONEY_PLACES)):
        raise InvalidInput(f"has more than {MAX_MONEY_PLACES} decimal places", field)
    return amount


def parse_int(value: object, field: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or value is None:
        raise InvalidInput("must be an integer", field)
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value)
    ):
        number = int(value)
    else:
        raise InvalidInput(f"{value!r} is not an integer", field)
    if minimum is not None and number < minimum:
        raise InvalidInput(f"must be at least {minimum}", field)
    return number


def parse_timestamp(value: object, field: str, default_tz: tzinfo = UTC) -> datetime:
    """A moment from epoch milliseconds (number or numeric string, as seed 004 sends) or an ISO 8601 string.

    Naive ISO date-times are read in ``default_tz`` (the project's time zone).
    """
    if isinstance(value, bool) or value is None:
        raise InvalidInput("must be epoch milliseconds or an ISO 8601 date-time", field)
    if isinstance(value, (int, float)) or (isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value)):
        number = float(value)
        seconds = number / 1000 if number >= _MS_THRESHOLD else number
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidInput(f"{value!r} is out of range", field) from None
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"{value!r} is not epoch milliseconds or an ISO 8601 date-time", field) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=default_tz)
        return moment.astimezone(UTC)
    raise InvalidInput("must be epoch milliseconds or an ISO 8601 date-time", field)


def normalize_email(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput("must be a string", field)
    email = value.strip().lower()
    if not EMAIL.match(email) or len(email) > 320:
        raise InvalidInput(f"{value!r} is not an e-mail address", field)
    return email


def normalize_phone(value: str) -> str | None:
    """Digits only, with the country code, as Metrica wants them (``+7 (999) 555-11-11`` → ``79995551111``)."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("00"):
        digits = digits[2:]
    return digits or None


def is_placeholder_id(value: str) -> bool:
    """Ids that must never link anything (formats.md §5)."""
    return value.strip().strip("\"'").lower() in PLACEHOLDER_IDS


def check_visitor_id(value: object, field: str) -> str:
    if not isinstance(value, str) or not VISITOR_ID.match(value):
        raise InvalidInput("must be 16 lower-case hexadecimal characters", field)
    return value


def check_currency(value: object, field: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        raise InvalidInput("must be a three-letter ISO 4217 code", field)
    return value.strip().upper()


def format_money(value: Decimal) -> str:
    """Money as a decimal string with at least two places: ``10.42``, ``0.00``, ``0.1234``."""
    cents = value.quantize(Decimal("0.01"))
    return format(cents if cents == value else value.normalize(), "f")
