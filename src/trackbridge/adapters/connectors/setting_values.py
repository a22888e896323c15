"""Checks for single connector setting values: each turns what a user sent (JSON from the API, ``k=v`` strings from
the CLI) into a typed value, or raises InvalidInput that names the field. Shared by every connector's settings."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from trackbridge.domain.errors import InvalidInput

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
MAX_INT = 2**31 - 1


def flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidInput("must be true or false", field)


def bounded_int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{value!r} is not a whole number", field)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not a whole number", field) from None
    if not low <= number <= high:
        raise InvalidInput(f"must be between {low} and {high}", field)
    return number


def positive_int(value: Any, field: str) -> int:
    return bounded_int(value, field, 1, MAX_INT)


def bounded_float(value: Any, field: str, low: float, high: float) -> float:
    if isinstance(value, bool):
        raise InvalidInput(f"{value!r} is not a number", field)
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not a number", field) from None
    if not low <= number <= high:
        raise InvalidInput(f"must be between {low:g} and {high:g}", field)
    return number


def choice(value: Any, field: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip() not in choices:
        raise InvalidInput(f"must be one of {', '.join(choices)}", field)
    return value.strip()


def http_url(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("an http(s) URL is required", field)
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InvalidInput(f"{value!r} is not an http(s) URL", field)
    if parts.fragment or parts.username or parts.password:
        raise InvalidInput("give the URL without credentials or fragment", field)
    return text


def text_list(value: Any, field: str) -> list[str]:
    """A list of strings, or a comma-separated string (as the CLI sends it)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("a list of names (or a comma-separated string)", field)
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))
