"""Lookup mappings a user edits: ``utm_source`` / ``utm_campaign`` → lead source, ``utm_medium`` → channel.

New visits take their lead source and channel through them; visits always keep the raw UTM values as well.
"""

from __future__ import annotations

from enum import StrEnum

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.projects import Project
from trackbridge.services.ports import UnitOfWork
from trackbridge.services.tracking_ports import LookupMappings

MAX_MAPPINGS = 10_000


class LookupKind(StrEnum):
    LEAD_SOURCE = "lead_source"
    CHANNEL = "channel"

    @property
    def fields(self) -> tuple[str, ...]:
        return ("utm_source", "utm_campaign") if self is LookupKind.LEAD_SOURCE else ("utm_medium",)


def get_mappings(uow: UnitOfWork, project: Project, kind: LookupKind) -> LookupMappings:
    with uow.read() as tx:
        return tx.tracking.lookup_mappings(project.id, kind.value)


def replace_mappings(
    uow: UnitOfWork, project: Project, kind: LookupKind, items: list[tuple[str, str, str]]
) -> LookupMappings:
    """Replaces every mapping of a kind with ``items`` of (field, value, target); a repeated key is refused."""
    if len(items) > MAX_MAPPINGS:
        raise InvalidInput(f"at most {MAX_MAPPINGS} mappings", "items")
    mappings: LookupMappings = {}
    for index, (field, value, target) in enumerate(items):
        if field not in kind.fields:
            raise InvalidInput(f"must be one of {', '.join(kind.fields)}", f"items[{index}].field")
        if not value.strip() or not target.strip():
            raise InvalidInput("value and target must not be empty", f"items[{index}]")
        if (field, value) in mappings:
            raise InvalidInput(f"{field} {value!r} is mapped twice", f"items[{index}]")
        mappings[(field, value)] = target.strip()
    with uow.transaction() as tx:
        tx.tracking.replace_lookup_mappings(project.id, kind.value, mappings)
    return mappings
