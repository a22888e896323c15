"""Ports of the reports: the rollup maintenance and the report queries (adapters/db/sql_rollups.py, sql_reports.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol


class RollupRepository(Protocol):
    def session_starts(self, project_id: int, session_ids: Sequence[int]) -> list[datetime]: ...

    def first_and_last_start(self, project_id: int) -> tuple[datetime | None, datetime | None]: ...

    def rebuild_day(self, project_id: int, day: date, start: datetime, end: datetime) -> None: ...

    def mark_days_dirty(self, project_id: int, days: Sequence[date], at: datetime) -> None: ...

    def dirty_days(self, project_id: int) -> list[date]: ...

    def clear_dirty_days(self, project_id: int, days: Sequence[date], marked_before: datetime) -> None: ...

    def orders_linked_since(
        self, project_id: int, since: datetime | None
    ) -> tuple[list[datetime], datetime | None]: ...

    def orders_watermark(self, project_id: int) -> datetime | None: ...

    def latest_order_link(self, project_id: int) -> datetime | None: ...

    def set_orders_watermark(self, project_id: int, until: datetime) -> None: ...

    def rebuild_order_day(self, project_id: int, day: date, start: datetime, end: datetime) -> None: ...


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: a project, days [first_day, last_day] in its time zone ([start, end) in UTC), filters."""

    project_id: int
    first_day: date
    last_day: date
    start: datetime
    end: datetime
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderGroup:
    """Order sums of one report group in one currency (amounts in money units, counts weighted by credit)."""

    key: tuple[str, ...]
    currency: str
    rate: Decimal | None
    in_base: bool
    orders: Decimal
    paid_orders: Decimal
    revenue: Decimal
    refunded: Decimal
    profit: Decimal
    """Net revenue - cost of the orders that have a cost."""
    orders_without_cost: Decimal


class ReportRepository(Protocol):
    def session_counts(self, scope: ReportScope, dims: Sequence[str]) -> dict[tuple[str, ...], int]: ...

    def order_groups(
        self, scope: ReportScope, dims: Sequence[str], base_currency: str, model: str | None
    ) -> list[OrderGroup]:
        """``model`` None: each order goes whole to the visit it is linked to; else shared by its attribution."""
        ...

    def pages(self, scope: ReportScope, limit: int) -> list[dict[str, Any]]: ...

    def products(self, scope: ReportScope, limit: int) -> list[dict[str, Any]]: ...

    def bought(self, scope: ReportScope) -> dict[str, tuple[int, int]]: ...

    def goal_moments(self, scope: ReportScope) -> list[tuple[str, datetime]]: ...

    def goal_counts(self, scope: ReportScope, dim: str) -> dict[tuple[str, str], int]: ...
