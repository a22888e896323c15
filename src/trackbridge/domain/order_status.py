"""Order statuses: the five status types, a project's mapping of its own status names onto them, the status history
and the window in which a status change still moves the reports. Pure, no I/O.

Seed 003 (Metrica) knows five status types; every status a shop sends is mapped onto one of them:

- ``IN_PROGRESS``: placed, not paid yet;
- ``PAID``: paid (and possibly shipped, delivered);
- ``CANCELLED``: cancelled, failed, refunded in full, voided: the order leaves revenue;
- ``SPAM``: not a real order: it leaves the reports altogether;
- ``OTHER``: anything trackbridge cannot place: kept in the history, fires no goal, counts like a live order.

The defaults (:data:`DEFAULT_STATUS_TYPES`) cover the names WooCommerce, Magento, Shopify and seed 001 use. Matching is
case-insensitive and treats spaces, hyphens and underscores alike (``On Hold`` = ``on-hold`` = ``on_hold``). A project
maps its own names with :class:`StatusMapping`; its entries win over the defaults. WooCommerce's ``processing`` means
"paid, not shipped yet": the defaults follow the issue and call it IN_PROGRESS, so WooCommerce shops should map
``processing`` to PAID.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from trackbridge.domain.errors import InvalidInput

DEFAULT_REPORT_WINDOW = timedelta(days=90)


class StatusType(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    PAID = "PAID"
    CANCELLED = "CANCELLED"
    SPAM = "SPAM"
    OTHER = "OTHER"


_DEFAULTS_BY_TYPE: dict[StatusType, tuple[str, ...]] = {
    StatusType.PAID: (
        "paid",
        "completed",
        "complete",
        "processing_complete",
        "succeeded",
        "success",
        "shipped",
        "delivered",
    ),
    StatusType.IN_PROGRESS: (
        "in_progress",
        "pending",
        "pending_payment",
        "payment_pending",
        "processing",
        "new",
        "created",
        "open",
        "on_hold",
        "awaiting_payment",
        "awaiting_shipment",
        "authorized",
        "authorised",
    ),
    StatusType.CANCELLED: (
        "cancelled",
        "canceled",
        "failed",
        "refunded",
        "voided",
        "void",
        "declined",
        "expired",
        "rejected",
    ),
    StatusType.SPAM: ("spam", "fraud", "fraudulent", "test"),
    StatusType.OTHER: ("other",),
}

DEFAULT_STATUS_TYPES: Mapping[str, StatusType] = MappingProxyType(
    {name: status_type for status_type, names in _DEFAULTS_BY_TYPE.items() for name in names}
)

_SEPARATORS = re.compile(r"[\s\-_]+")


def status_key(name: str) -> str:
    """The form statuses are compared in: trimmed, lower-case, runs of spaces / hyphens / underscores as one ``_``."""
    return _SEPARATORS.sub("_", name.strip().lower()).strip("_")


def parse_status_type(value: object, field_name: str = "type") -> StatusType:
    """A status type from a user's mapping: ``paid``, ``PAID``, ``in progress``, ``IN_PROGRESS`` ..."""
    if isinstance(value, StatusType):
        return value
    if not isinstance(value, str):
        raise InvalidInput("must be one of IN_PROGRESS, PAID, CANCELLED, SPAM, OTHER", field_name)
    try:
        return StatusType(status_key(value).upper())
    except ValueError:
        raise InvalidInput(f"{value!r} is not one of IN_PROGRESS, PAID, CANCELLED, SPAM, OTHER", field_name) from None


@dataclass(frozen=True, slots=True)
class StatusMapping:
    """A project's status names → types. ``overrides`` (keys in any case) win over the defaults; with
    ``use_defaults=False`` only the project's own names are known. Unknown names are OTHER."""

    overrides: Mapping[str, StatusType] = field(default_factory=dict)
    use_defaults: bool = True

    def __post_init__(self) -> None:
        normalised = {status_key(name): parse_status_type(kind, name) for name, kind in self.overrides.items()}
        object.__setattr__(self, "overrides", MappingProxyType(normalised))

    @classmethod
    def from_user(cls, mapping: Mapping[str, object], *, use_defaults: bool = True) -> StatusMapping:
        """From a user's ``{their_status: type}``; the type may be spelled in any case. Refuses empty names."""
        for name in mapping:
            if not isinstance(name, str) or not status_key(name):
                raise InvalidInput("status names must be non-empty strings", "status_mapping")
        return cls(
            {name: parse_status_type(kind, f"status_mapping.{name}") for name, kind in mapping.items()}, use_defaults
        )

    def type_of(self, status: str | None) -> StatusType:
        """The type of a status name; a missing or unknown status is OTHER."""
        if status is None:
            return StatusType.OTHER
        key = status_key(status)
        if key in self.overrides:
            return self.overrides[key]
        if self.use_defaults:
            return DEFAULT_STATUS_TYPES.get(key, StatusType.OTHER)
        return StatusType.OTHER

    def is_known(self, status: str) -> bool:
        key = status_key(status)
        return key in self.overrides or (self.use_defaults and key in DEFAULT_STATUS_TYPES)


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One entry of an order's status history: the type at ``at`` (and the shop's own name, when known)."""

    at: datetime
    type: StatusType
    status: str | None = None


@dataclass(frozen=True, slots=True)
class ReportEffect:
    """Whether a status change moves the reports, and why (said back to the caller who sent it)."""

    affects_reports: bool
    reason: str


def status_change_effect(
    placed_at: datetime, changed_at: datetime, window: timedelta = DEFAULT_REPORT_WINDOW
) -> ReportEffect:
    """A status change moves reports when it happens no later than ``window`` after the order was placed (the limit
    included). A later change is still stored (and fires its goals) but the reports keep the status they had."""
    if changed_at <= placed_at + window:
        return ReportEffect(True, f"within {window.days} days of the order")
    late = changed_at - placed_at
    return ReportEffect(
        False,
        f"changed {late.days} days after the order, past the {window.days}-day window: stored, reports unchanged",
    )


def chronological(history: Iterable[StatusEvent]) -> list[StatusEvent]:
    """Events by time; events at the same moment keep the order they arrived in."""
    return sorted(history, key=lambda event: event.at)


def current_status(history: Sequence[StatusEvent]) -> StatusEvent | None:
    """The latest status of an order (what the order is now), or None without history."""
    events = chronological(history)
    return events[-1] if events else None


def reported_status(
    history: Sequence[StatusEvent], placed_at: datetime, window: timedelta = DEFAULT_REPORT_WINDOW
) -> StatusEvent | None:
    """The status the reports follow: the latest change that still moved them (see :func:`status_change_effect`).
    With only late changes, the earliest one stands (an order needs a status to be reported at all)."""
    events = chronological(history)
    counted = [event for event in events if status_change_effect(placed_at, event.at, window).affects_reports]
    if counted:
        return counted[-1]
    return events[0] if events else None
