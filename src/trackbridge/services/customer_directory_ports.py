"""Ports of the customer directory: the searchable customer list and what a customer page shows beside the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class CustomerQuery:
    """What the customer list shows: a search over e-mail and name, filters, and a page (counted from 1)."""

    search: str | None = None
    tag: str | None = None
    source: str | None = None
    """A visit source as the reports name it (utm_source, else the referrer's name)."""
    lead_source: str | None = None
    has_ordered: bool | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class CustomerSummary:
    id: int
    email: str | None
    external_id: str | None
    first_name: str | None
    last_name: str | None
    created_at: datetime
    tags: list[str] = field(default_factory=list)
    orders: int = 0
    last_order_at: datetime | None = None
    visits: int = 0
    last_visit_at: datetime | None = None
    first_source: str | None = None

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class CustomerListPage:
    rows: list[CustomerSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class CustomerFilterChoices:
    """The values the list's filters offer: tags in use, visit sources and lead sources seen (busiest first)."""

    tags: list[str]
    sources: list[str]
    lead_sources: list[str]


@dataclass(frozen=True)
class MergeRecord:
    id: int
    kept_customer_id: int
    merged_customer_id: int
    by: str
    at: datetime
    undone_at: datetime | None
    undone_by: str | None


class CustomerListRepository(Protocol):
    def search(self, project_id: int, query: CustomerQuery) -> CustomerListPage: ...

    def filter_choices(self, project_id: int, limit: int) -> CustomerFilterChoices: ...

    def id_for_email(self, project_id: int, email: str) -> int | None: ...


class CustomerProfileRepository(Protocol):
    def merges_of(self, project_id: int, customer_id: int) -> list[MergeRecord]:
        """Every merge this customer took part in, kept or merged, newest first."""
        ...

    def profile(self, project_id: int, customer_ids: Sequence[int]) -> JsonObject:
        """The number of visits; devices, locations and sources (with visits, first and last seen); products viewed
        and bought; each order's status history; over these customers' visits and orders."""
        ...
