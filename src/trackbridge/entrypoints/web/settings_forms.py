"""The settings pages' text forms: lookup mappings and the status mapping, one entry per line, both ways."""

from __future__ import annotations

from collections.abc import Mapping

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.order_status import StatusType
from trackbridge.services.tracking_ports import LookupMappings

SEPARATOR = "|"
MAX_TEXT = 1_000_000


def _lines(text: str) -> list[tuple[int, str]]:
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"at most {MAX_TEXT} characters")
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]


def lookups_text(mappings: LookupMappings) -> str:
    """``field | value | target`` lines, sorted."""
    return "\n".join(f"{field} | {value} | {target}" for (field, value), target in sorted(mappings.items()))


def parse_lookups(text: str) -> list[tuple[str, str, str]]:
    """(field, value, target) per line ``field | value | target``; the service checks fields and repeats."""
    items: list[tuple[str, str, str]] = []
    for number, line in _lines(text):
        parts = [part.strip() for part in line.split(SEPARATOR)]
        if len(parts) != 3:
            raise InvalidInput(f"line {number}: write 'field | value | target', e.g. 'utm_source | fb | Facebook'")
        items.append((parts[0], parts[1], parts[2]))
    return items


def status_text(mapping: Mapping[str, StatusType]) -> str:
    """``status = TYPE`` lines, sorted."""
    return "\n".join(f"{name} = {kind.value}" for name, kind in sorted(mapping.items()))


def parse_status_mapping(text: str) -> dict[str, str]:
    """``{status: type}`` from ``status = TYPE`` lines (the type is checked by the service)."""
    mapping: dict[str, str] = {}
    for number, line in _lines(text):
        name, equals, kind = line.partition("=")
        if not equals or not name.strip() or not kind.strip():
            raise InvalidInput(f"line {number}: write 'your status = TYPE', e.g. 'awaiting_pickup = PAID'")
        if name.strip() in mapping:
            raise InvalidInput(f"line {number}: {name.strip()!r} is mapped twice")
        mapping[name.strip()] = kind.strip()
    return mapping
