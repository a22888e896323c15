"""Ports of the order use cases: status history and goals, linking orders to visits, the order settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from trackbridge.domain.attribution import Attribution, Model, Touchpoint
from trackbridge.domain.goals import Goal, GoalConversion
from trackbridge.domain.linking import CandidateVisit, Link
from trackbridge.domain.order_status import StatusType


@dataclass(frozen=True, slots=True)
class OrderSettings:
    """A project's order settings: windows in days, its own status names → types, its currency rates (as text)."""

    link_window_days: int = 21
    status_window_days: int = 90
    status_mapping: Mapping[str, StatusType] = field(default_factory=dict)
    currency_rates: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredStatus:
    """An order as stored now, with what its history already holds."""

    order_id: str
    placed_at: datetime
    status: str
    last_event_status: str | None
    """The status of the latest recorded status event; None when the order has no history yet."""
    fired: frozenset[Goal]


@dataclass(frozen=True, slots=True)
class NewStatusEvent:
    order_id: str
    status: str
    status_type: StatusType
    occurred_at: datetime
    affects_reports: bool


@dataclass(frozen=True, slots=True)
class OrderForLinking:
    project_id: int
    order_id: str
    placed_at: datetime
    visitor_id: str | None
    customer_id: int | None
    client_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate visit, both as linking and as attribution see it."""

    visit: CandidateVisit
    touchpoint: Touchpoint


class OrderEventRepository(Protocol):
    """Status history, goal conversions and the order settings ."""

    def settings(self, project_id: int) -> OrderSettings: ...

    def replace_status_mapping(self, project_id: int, mapping: Mapping[str, StatusType]) -> None: ...

    def replace_currency_rates(self, project_id: int, rates: Mapping[str, str]) -> None: ...

    def set_windows(self, project_id: int, link_window_days: int | None, status_window_days: int | None) -> None: ...

    def stored_statuses(self, project_id: int, order_ids: Sequence[str]) -> list[StoredStatus]: ...

    def record(
        self,
        project_id: int,
        events: Sequence[NewStatusEvent],
        goals: Sequence[tuple[str, GoalConversion]],
        status_types: Mapping[str, StatusType],
        now: datetime,
    ) -> None:
        """Adds the status events and goal conversions, sets the orders' reported status types."""
        ...

    def mark_needs_linking(self, project_id: int, order_ids: Sequence[str]) -> None: ...

    def mark_customer_orders(self, project_id: int, external_ids: Sequence[str]) -> None:
        """Marks for linking the orders of the customers with these CRM ids (their identifiers changed)."""
        ...

    def remap_status_types(self, project_id: int, type_of: Mapping[str, StatusType], status_window_days: int) -> int:
        """Re-types the history and the orders after a mapping change; ``type_of`` maps every stored status name."""
        ...

    def stored_status_names(self, project_id: int) -> list[str]: ...


class OrderLinkRepository(Protocol):
    """Orders waiting for a link, their candidate visits, and the links and attributions written back."""

    def pending(self, project_id: int | None, limit: int) -> list[OrderForLinking]: ...

    def link_window_days(self, project_id: int) -> int: ...

    def carrying(
        self, project_id: int, order_ids: Sequence[str], since: datetime, until: datetime
    ) -> dict[str, list[Candidate]]:
        """The visits with a checkout that started in the span and recorded one of ``order_ids``, by order id."""
        ...

    def candidates(
        self, order: OrderForLinking, since: datetime, until: datetime, carrying: Sequence[Candidate] = ()
    ) -> list[Candidate]:
        """The visits of the order's visitor ids, customer, phone mates, and the ``carrying`` ones, in the span."""
        ...

    def save_all(
        self, linked: Sequence[tuple[OrderForLinking, Link, Mapping[Model, Attribution]]], now: datetime
    ) -> None:
        """Writes the links and attributions, fills the orders' goal conversions, clears ``needs_linking``."""
        ...

    def mark_for_visits(self, project_id: int, spans: Mapping[str, tuple[datetime, datetime]], window_days: int) -> int:
        """Marks for linking the orders a visitor's new visits may concern (its own and its customer's); a count."""
        ...
