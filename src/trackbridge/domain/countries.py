"""Country names by ISO 3166-1 alpha-2 code, from ``domain/data/countries.json`` (read once). Pure."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def _names() -> dict[str, str]:
    text = resources.files("trackbridge.domain").joinpath("data", "countries.json").read_text(encoding="utf-8")
    names: dict[str, str] = json.loads(text)["countries"]
    return names


def country_name(code: str | None) -> str | None:
    """The English short name of a two-letter country code (any case); None when unknown."""
    if not code:
        return None
    return _names().get(code.strip().upper())
