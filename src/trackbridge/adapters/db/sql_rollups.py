"""Recomputing the daily report rollups from visits and actions (report_tables.py).

A day is recomputed whole for one project: its rows are deleted and rebuilt from the visits that started in it (their
actions included), so running it twice, or after late events, always gives the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Connection

from trackbridge.adapters.db.report_dimensions import session_dimensions
from trackbridge.adapters.db.report_tables import (
    FILTER_DIMENSIONS,
    SESSION_DIMENSIONS,
    SOURCE_DIMENSIONS,
    daily_order_rollup,
    daily_page_rollup,
    daily_product_rollup,
    daily_session_rollup,
    daily_source_rollup,
    report_watermarks,
    rollup_dirty_days,
)
from trackbridge.adapters.db.sql_order_sums import live_order_sums
from trackbridge.adapters.db.tables import orders
from trackbridge.adapters.db.tracking_tables import actions, sessions
from trackbridge.adapters.db.upsert import upsert

PRODUCT_ACTIONS = ("product_view", "add_to_cart")
ATTRIBUTION_MODELS = ("last_non_direct", "last", "first", "linear", "position_based", "time_decay")


def seconds_between(earlier: ColumnElement[Any], later: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return sa.cast(sa.func.round((sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400), sa.Integer)
    return sa.cast(sa.func.round(sa.extract("epoch", later - earlier)), sa.BigInteger)


def _source_rows(session_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sums: dict[tuple[str, ...], int] = defaultdict(int)
    for row in session_rows:
        sums[tuple(row[name] for name in SOURCE_DIMENSIONS)] += int(row["sessions"])
    return [{**dict(zip(SOURCE_DIMENSIONS, key, strict=True)), "sessions": n} for key, n in sums.items()]


class SqlRollupRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def session_starts(self, project_id: int, session_ids: Sequence[int]) -> list[datetime]:
        starts: list[datetime] = []
        ids = list(session_ids)
        for offset in range(0, len(ids), 500):
            query = sa.select(sessions.c.started_at).where(
                sessions.c.project_id == project_id, sessions.c.id.in_(ids[offset : offset + 500])
            )
            starts.extend(self._connection.execute(query).scalars())
        return starts

    def first_and_last_start(self, project_id: int) -> tuple[datetime | None, datetime | None]:
        query = sa.select(sa.func.min(sessions.c.started_at), sa.func.max(sessions.c.started_at)).where(
            sessions.c.project_id == project_id
        )
        first, last = self._connection.execute(query).one()
        return first, last

    def orders_linked_since(self, project_id: int, since: datetime | None) -> tuple[list[datetime], datetime | None]:
        """When the orders linked after ``since`` (all, if None) were placed, and the latest link time among them."""
        query = sa.select(orders.c.placed_at, orders.c.linked_at).where(
            orders.c.project_id == project_id, orders.c.linked_at.is_not(None)
        )
        if since is not None:
            query = query.where(orders.c.linked_at > since)
        rows = self._connection.execute(query).all()
        return [placed for placed, _ in rows], max((linked for _, linked in rows), default=None)

    def latest_order_link(self, project_id: int) -> datetime | None:
        query = sa.select(sa.func.max(orders.c.linked_at)).where(orders.c.project_id == project_id)
        found: datetime | None = self._connection.execute(query).scalar()
        return found

    def orders_watermark(self, project_id: int) -> datetime | None:
        query = sa.select(report_watermarks.c.orders_linked_until).where(report_watermarks.c.project_id == project_id)
        found: datetime | None = self._connection.execute(query).scalar()
        return found

    def mark_days_dirty(self, project_id: int, days: Sequence[date], at: datetime) -> None:
        if days:
            statement = upsert(
                self._connection.dialect.name, rollup_dirty_days, ["project_id", "day"], override=["marked_at"]
            )
            self._connection.execute(statement, [{"project_id": project_id, "day": d, "marked_at": at} for d in days])

    def dirty_days(self, project_id: int) -> list[date]:
        query = sa.select(rollup_dirty_days.c.day).where(rollup_dirty_days.c.project_id == project_id)
        return sorted(self._connection.execute(query).scalars())

    def clear_dirty_days(self, project_id: int, days: Sequence[date], marked_before: datetime) -> None:
        """Forgets the marks of ``days`` set before ``marked_before`` (a mark set during the rebuild stays)."""
        if days:
            table = rollup_dirty_days
            self._connection.execute(
                sa.delete(table).where(
                    table.c.project_id == project_id, table.c.day.in_(list(days)), table.c.marked_at <= marked_before
                )
            )

    def set_orders_watermark(self, project_id: int, until: datetime) -> None:
        statement = upsert(
            self._connection.dialect.name, report_watermarks, ["project_id"], override=["orders_linked_until"]
        )
        self._connection.execute(statement, {"project_id": project_id, "orders_linked_until": until})

    def rebuild_order_day(self, project_id: int, day: date, start: datetime, end: datetime) -> None:
        """Replaces the project's order rollup rows of ``day`` (orders placed in [start, end)), every model."""
        table = daily_order_rollup
        self._connection.execute(sa.delete(table).where(table.c.project_id == project_id, table.c.day == day))
        for model in ATTRIBUTION_MODELS:
            query = live_order_sums(project_id, start, end, SOURCE_DIMENSIONS, model, {}, rates=False)
            rows = [dict(row) for row in self._connection.execute(query).mappings()]
            self._insert(table, {"project_id": project_id, "day": day, "model": model}, rows)

    def rebuild_day(self, project_id: int, day: date, start: datetime, end: datetime) -> None:
        """Replaces the project's rollup rows of ``day`` (visits started in [start, end))."""
        for table in (daily_session_rollup, daily_source_rollup, daily_page_rollup, daily_product_rollup):
            self._connection.execute(sa.delete(table).where(table.c.project_id == project_id, table.c.day == day))
        keys = {"project_id": project_id, "day": day}
        session_rows = self._session_rows(project_id, start, end)
        self._insert(daily_session_rollup, keys, session_rows)
        self._insert(daily_source_rollup, keys, _source_rows(session_rows))
        self._insert(daily_page_rollup, keys, self._page_rows(project_id, start, end))
        self._insert(daily_product_rollup, keys, self._product_rows(project_id, start, end))

    def _insert(self, table: sa.Table, keys: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        if rows:
            self._connection.execute(sa.insert(table), [{**keys, **row} for row in rows])

    def _in_day(self, project_id: int, start: datetime, end: datetime) -> ColumnElement[bool]:
        return sa.and_(sessions.c.project_id == project_id, sessions.c.started_at >= start, sessions.c.started_at < end)

    def _session_rows(self, project_id: int, start: datetime, end: datetime) -> list[dict[str, Any]]:
        dims = session_dimensions()
        grouped = [dims[name].label(name) for name in SESSION_DIMENSIONS]
        query = (
            sa.select(
                *grouped,
                sa.func.count().label("sessions"),
                sa.func.coalesce(sa.func.sum(sessions.c.action_count), 0).label("actions"),
                sa.func.coalesce(sa.func.sum(sessions.c.duration_seconds), 0).label("duration_seconds"),
            )
            .where(self._in_day(project_id, start, end))
            .group_by(*[dims[name] for name in SESSION_DIMENSIONS])
        )
        return [dict(row) for row in self._connection.execute(query).mappings()]

    def _page_rows(self, project_id: int, start: datetime, end: datetime) -> list[dict[str, Any]]:
        dims = session_dimensions()
        following = sa.func.lead(actions.c.occurred_at).over(
            partition_by=actions.c.session_id, order_by=(actions.c.occurred_at, actions.c.id)
        )
        views = (
            sa.select(
                actions.c.session_id,
                sa.func.coalesce(actions.c.url, "").label("url"),
                actions.c.occurred_at,
                following.label("next_at"),
                *[dims[name].label(name) for name in FILTER_DIMENSIONS],
            )
            .join(sessions, sessions.c.id == actions.c.session_id)
            .where(self._in_day(project_id, start, end), actions.c.type == "page_view")
            .subquery()
        )
        spent = seconds_between(views.c.occurred_at, views.c.next_at, self._connection.dialect.name)
        grouped = [views.c.url, *[views.c[name] for name in FILTER_DIMENSIONS]]
        query = sa.select(
            *grouped,
            sa.func.count().label("views"),
            sa.func.count(sa.distinct(views.c.session_id)).label("visits"),
            sa.func.count(views.c.next_at).label("timed_views"),
            sa.func.coalesce(sa.func.sum(spent), 0).label("time_seconds"),
        ).group_by(*grouped)
        return [dict(row) for row in self._connection.execute(query).mappings()]

    def _product_rows(self, project_id: int, start: datetime, end: datetime) -> list[dict[str, Any]]:
        dims = session_dimensions()
        product = actions.c.properties["productId"].as_string()
        grouped = [product, *[dims[name] for name in FILTER_DIMENSIONS]]
        query = (
            sa.select(
                product.label("product_id"),
                *[dims[name].label(name) for name in FILTER_DIMENSIONS],
                sa.func.sum(sa.case((actions.c.type == "product_view", 1), else_=0)).label("views"),
                sa.func.sum(sa.case((actions.c.type == "add_to_cart", 1), else_=0)).label("carts"),
                sa.func.count(sa.distinct(actions.c.session_id)).label("visits"),
            )
            .join(sessions, sessions.c.id == actions.c.session_id)
            .where(self._in_day(project_id, start, end), actions.c.type.in_(PRODUCT_ACTIONS), product.is_not(None))
            .group_by(*grouped)
        )
        return [dict(row) for row in self._connection.execute(query).mappings()]
