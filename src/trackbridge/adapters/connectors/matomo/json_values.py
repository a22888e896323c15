"""Matomo's loosely typed JSON values (numbers as numbers or numeric strings, ``""`` or ``"unknown"`` for none) read as
Python values: each reader gives None for what it cannot read, except :func:`as_moment`, which raises ValueError."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

UNKNOWN = frozenset({"", "unknown", "unk", "xx", "n/a", "none", "null"})


def as_moment(value: Any) -> datetime:
    number = as_int(value)
    if number is None:
        raise ValueError(f"not a unix timestamp: {value!r}")
    return datetime.fromtimestamp(number, UTC)


def as_text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def as_known(value: Any) -> str | None:
    text = as_text(value)
    return None if text is None or text.lower() in UNKNOWN else text


def as_int(value: Any) -> int | None:
    number = as_number(value)
    return None if number is None else int(number)


def as_number(value: Any) -> int | float | None:
    """Matomo sends numbers as numbers or numeric strings (``"3"``, ``"48.850000"``)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def as_float(value: Any) -> float | None:
    number = as_number(value)
    return None if number is None else float(number)


def drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
