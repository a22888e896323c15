"""The port of the tracking pipeline's storage: inbox, event ids, visitors, sessions, actions, bot counts, lookups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from trackbridge.domain.events import TrackedEvent
from trackbridge.domain.sessions import OpenSession, SessionDetails

LookupMappings = dict[tuple[str, str], str]
"""(field, value) → target, e.g. ``("utm_source", "google") → "Google Ads"``."""


@dataclass(frozen=True, slots=True)
class InboxBatch:
    id: int
    project_id: int
    source: str
    received_at: datetime
    events: list[TrackedEvent]


@dataclass(frozen=True, slots=True)
class VisitSummary:
    """A stored visit, as the identity and linking rules need it."""

    id: int
    visitor_id: str
    customer_id: int | None
    started_at: datetime
    last_action_at: datetime
    has_checkout: bool
    order_ids: list[str]


class TrackingRepository(Protocol):
    def append_inbox(
        self, project_id: int, events: Sequence[TrackedEvent], *, source: str, received_at: datetime
    ) -> int:
        """Stores one accepted batch; its id."""
        ...

    def append_inbox_many(self, batches: Sequence[tuple[int, Sequence[TrackedEvent], str, datetime]]) -> None:
        """Stores many accepted batches at once: (project id, events, source, received at)."""
        ...

    def claim_inbox(self, *, max_rows: int, max_events: int) -> list[InboxBatch]:
        """The oldest unprocessed batches, locked for this transaction (other workers skip them)."""
        ...

    def mark_processed(self, inbox_ids: Sequence[int], at: datetime, error: str | None = None) -> None: ...

    def pending_batches(self) -> int: ...

    def remember_event_ids(self, project_id: int, event_ids: Sequence[str]) -> set[str]:
        """Records event ids for good; answers those never seen before."""
        ...

    def touch_visitors(self, project_id: int, spans: dict[str, tuple[datetime, datetime]]) -> dict[str, int | None]:
        """Creates or widens visitors (first / last seen), locking them for this transaction in a fixed order;
        answers each visitor's customer id."""
        ...

    def open_sessions(
        self, project_id: int, visitor_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[OpenSession]:
        """Stored visits of these visitors that an event between start and end could join."""
        ...

    def add_sessions(
        self, project_id: int, sessions: Sequence[tuple[OpenSession, SessionDetails, int | None]]
    ) -> list[int]:
        """Stores new visits (with their customer id); their ids, in order."""
        ...

    def update_sessions(self, project_id: int, sessions: Sequence[tuple[OpenSession, SessionDetails | None]]) -> None:
        """Stores new counters of visits; the source fields too when details are given (a new entry)."""
        ...

    def add_actions(self, project_id: int, placed: Sequence[tuple[TrackedEvent, int]]) -> list[int]:
        """Stores events as actions of their visits; the action ids, in order."""
        ...

    def count_bot_hits(self, project_id: int, per_day: dict[date, int]) -> None: ...

    def bot_hits(self, project_id: int) -> dict[date, int]: ...

    def lookup_mappings(self, project_id: int, kind: str) -> LookupMappings: ...

    def replace_lookup_mappings(self, project_id: int, kind: str, mappings: LookupMappings) -> None: ...

    def visitor_sessions(self, project_id: int, visitor_id: str) -> list[VisitSummary]:
        """Every visit of a visitor, oldest first."""
        ...

    def claim_matomo_order(self, project_id: int, order_id: str, at: datetime) -> bool:
        """Records an e-commerce order id seen on /matomo.php; False when it was claimed already."""
        ...
