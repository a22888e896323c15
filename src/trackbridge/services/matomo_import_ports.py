"""Ports of the Matomo import: where visits come from (Matomo's Live API) and where the import keeps its state."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from trackbridge.domain.matomo_visits import ImportedVisit, StoredAction, TrackedVisit
from trackbridge.domain.sessions import OpenSession, SessionDetails


class VisitSource(Protocol):
    """Matomo's visits of one site, mapped (adapters/connectors/matomo)."""

    def pages(self, conditions: Sequence[tuple[str, str]], since: datetime) -> Iterator[list[ImportedVisit]]:
        """Visits matching any of ``conditions`` (segment name, value), active after ``since``, page by page."""
        ...


@dataclass(frozen=True, slots=True)
class CustomerKeys:
    """How Matomo may know a customer: user id (their e-mail or shop id) and the visitor ids seen for them."""

    customer_id: int
    email: str | None
    external_id: str | None
    visitor_ids: list[str]


@dataclass(frozen=True, slots=True)
class StoredVisit:
    row_id: int
    id_visit: int
    session_id: int
    merged: bool
    customer_id: int | None
    visitor_id: str
    content_hash: str


class MatomoImportRepository(Protocol):
    def identified_customers(self, project_id: int) -> list[int]:
        """Customers linked to at least one visitor (by any identification) or given visitor ids by a CRM."""
        ...

    def customer_keys(self, project_id: int, customer_id: int) -> CustomerKeys | None: ...

    def last_success(self, connector_id: int, customer_id: int) -> datetime | None: ...

    def record_run(
        self, connector_id: int, project_id: int, customer_id: int, at: datetime, *, error: str | None, visits: int
    ) -> None:
        """Notes an import try: a success (``error`` None) moves the incremental starting point to ``at``."""
        ...

    def stored_visits(
        self, project_id: int, matomo_url: str, site_id: int, ids: Sequence[int]
    ) -> dict[int, StoredVisit]: ...

    def tracked_visits(
        self, project_id: int, visitor_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[TrackedVisit]:
        """trackbridge's own visits (not imported ones) of these visitors overlapping [start, end]."""
        ...

    def session_actions(self, session_id: int, except_prefix: str) -> list[StoredAction]:
        """A session's actions, leaving out those whose event id starts with ``except_prefix``."""
        ...

    def remove_actions(self, session_id: int, prefix: str | None) -> None:
        """Deletes a session's actions whose event id starts with ``prefix`` (all of them when None)."""
        ...

    def rewrite_session(
        self,
        session_id: int,
        session: OpenSession,
        details: SessionDetails,
        customer_id: int | None,
        duration_seconds: int,
    ) -> None:
        """Stores an imported visit's new state over its session (visitor id, counters, source, device, location)."""
        ...

    def recount_session(self, session_id: int, started_at: datetime, last_action_at: datetime) -> None:
        """After actions were added to a tracked session: widens its span and recounts actions and orders."""
        ...

    def save_visit(
        self,
        project_id: int,
        matomo_url: str,
        visit: ImportedVisit,
        *,
        session_id: int,
        merged: bool,
        customer_id: int | None,
        now: datetime,
        row_id: int | None,
    ) -> None:
        """Inserts (``row_id`` None) or updates the record of an imported visit."""
        ...

    def expand_lookups(self, project_id: int, visits: Sequence[ImportedVisit], now: datetime) -> None:
        """Adds the referral sources, web pages and action types the visits bring that the lookups lack."""
        ...

    def mark_customer_orders(self, project_id: int, customer_id: int, start: datetime, end: datetime) -> int:
        """Marks the customer's orders placed in [start, end] for re-linking; how many."""
        ...
