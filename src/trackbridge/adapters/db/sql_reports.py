"""The report queries: visit-side numbers from the daily rollups, order-side numbers from orders (far fewer than
events) joined to the visit they are linked or attributed to. Money is summed in SQL as integers of 1/10,000 units.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Connection

from trackbridge.adapters.db.order_tables import goal_conversions, order_links
from trackbridge.adapters.db.report_dimensions import session_dimensions
from trackbridge.adapters.db.report_tables import (
    SOURCE_DIMENSIONS,
    daily_page_rollup,
    daily_product_rollup,
    daily_session_rollup,
    daily_source_rollup,
)
from trackbridge.adapters.db.sql_order_sums import (
    COUNTS,
    FULL_CREDIT,
    METRICS,
    UNLINKED,
    WHOLE_CREDIT_MODELS,
    live_order_sums,
    rolled_order_sums,
)
from trackbridge.adapters.db.tables import order_items, orders, products
from trackbridge.adapters.db.tracking_tables import sessions
from trackbridge.adapters.db.types import MONEY_SCALE
from trackbridge.domain.revenue import convert, rate_to_base
from trackbridge.services.report_ports import OrderGroup, ReportScope


def _rate(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except ArithmeticError:
        return None


class SqlReportRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _rollup_filters(self, table: sa.Table, scope: ReportScope) -> list[ColumnElement[bool]]:
        conditions = [table.c.project_id == scope.project_id, table.c.day.between(scope.first_day, scope.last_day)]
        conditions.extend(table.c[name] == value for name, value in scope.filters.items())
        return conditions

    def session_counts(self, scope: ReportScope, dims: Sequence[str]) -> dict[tuple[str, ...], int]:
        narrow = set(dims).union(scope.filters) <= set(SOURCE_DIMENSIONS)
        table = daily_source_rollup if narrow else daily_session_rollup
        query = (
            sa.select(*[table.c[d] for d in dims], sa.func.sum(table.c.sessions))
            .where(*self._rollup_filters(table, scope))
            .group_by(*[table.c[d] for d in dims])
        )
        return {tuple(row[:-1]): int(row[-1]) for row in self._connection.execute(query)}

    def order_groups(
        self, scope: ReportScope, dims: Sequence[str], base_currency: str, model: str | None
    ) -> list[OrderGroup]:
        whole = model is None or model in WHOLE_CREDIT_MODELS
        if model is not None and set(dims).union(scope.filters) <= set(SOURCE_DIMENSIONS):
            query = rolled_order_sums(scope, dims, model)
        else:
            query = live_order_sums(scope.project_id, scope.start, scope.end, dims, model, scope.filters, rates=True)
        return [self._group(row, len(dims), base_currency, whole) for row in self._connection.execute(query)]

    def _group(self, row: Sequence[Any], width: int, base_currency: str, whole: bool) -> OrderGroup:
        key = tuple(str(value) for value in row[:width])
        currency, exchange_rate, table_rate = row[width] or base_currency.upper(), row[width + 1], row[width + 2]
        table = {currency: rate} if (rate := _rate(table_rate)) is not None else {}
        found = rate_to_base(currency, base_currency, _rate(exchange_rate), table)
        values: dict[str, Decimal] = {}
        for index, name in enumerate(METRICS):
            total = Decimal(int(row[width + 3 + index] or 0))
            if not whole:
                total /= FULL_CREDIT
            if name in COUNTS:
                values[name] = total
                continue
            money = total / MONEY_SCALE
            values[name] = convert(money, found.rate if found.rate is not None else Decimal(1))
        in_base = found.rate is not None
        return OrderGroup(
            key=key,
            currency=base_currency.upper() if in_base else currency,
            rate=found.rate,
            in_base=in_base,
            **values,
        )

    def pages(self, scope: ReportScope, limit: int) -> list[dict[str, Any]]:
        table = daily_page_rollup
        views = sa.func.sum(table.c.views)
        query = (
            sa.select(
                table.c.url,
                views.label("views"),
                sa.func.sum(table.c.visits).label("visits"),
                sa.func.sum(table.c.timed_views).label("timed_views"),
                sa.func.sum(table.c.time_seconds).label("time_seconds"),
            )
            .where(*self._rollup_filters(table, scope))
            .group_by(table.c.url)
            .order_by(views.desc(), table.c.url)
            .limit(limit)
        )
        return [dict(row) for row in self._connection.execute(query).mappings()]

    def products(self, scope: ReportScope, limit: int) -> list[dict[str, Any]]:
        table = daily_product_rollup
        views = sa.func.sum(table.c.views)
        rolled = (
            sa.select(
                table.c.product_id,
                views.label("views"),
                sa.func.sum(table.c.carts).label("carts"),
                sa.func.sum(table.c.visits).label("visits"),
            )
            .where(*self._rollup_filters(table, scope))
            .group_by(table.c.product_id)
            .order_by(views.desc(), table.c.product_id)
            .limit(limit)
            .subquery()
        )
        query = sa.select(rolled, products.c.name).outerjoin(
            products, sa.and_(products.c.project_id == scope.project_id, products.c.id == rolled.c.product_id)
        )
        return [dict(row) for row in self._connection.execute(query).mappings()]

    def bought(self, scope: ReportScope) -> dict[str, tuple[int, int]]:
        """Per product: (quantity bought, orders) in orders placed in the range that count revenue.

        The orders of the range come first and their items are found by the items' primary key: a LEFT JOIN fixes
        that order in SQLite, whose planner has no table statistics unless ANALYZE ran, and otherwise read every item of
        the project and searched the range's orders for each (O(items x orders); bench/web_pages.py)."""
        o = orders.c
        status = sa.func.coalesce(o.status_type, "OTHER")
        joined = orders.outerjoin(
            order_items, sa.and_(o.project_id == order_items.c.project_id, o.id == order_items.c.order_id)
        )
        conditions = [
            o.project_id == scope.project_id,
            o.placed_at >= scope.start,
            o.placed_at < scope.end,
            status.not_in(("SPAM", "CANCELLED")),
        ]
        if scope.filters:
            dims = session_dimensions()
            joined = joined.join(
                order_links, sa.and_(order_links.c.project_id == o.project_id, order_links.c.order_id == o.id)
            ).join(sessions, sessions.c.id == order_links.c.session_id)
            conditions.extend(dims[name] == value for name, value in scope.filters.items())
        query = (
            sa.select(
                order_items.c.product_id,
                sa.func.sum(order_items.c.quantity),
                sa.func.count(sa.distinct(order_items.c.order_id)),
            )
            .select_from(joined)
            .where(*conditions)
            .group_by(order_items.c.product_id)
        )
        rows = self._connection.execute(query)
        return {str(row[0]): (int(row[1] or 0), int(row[2])) for row in rows if row[0] is not None}

    def goal_moments(self, scope: ReportScope) -> list[tuple[str, datetime]]:
        query = self._goal_query(scope, [goal_conversions.c.goal, goal_conversions.c.converted_at])
        return [(str(goal), moment) for goal, moment in self._connection.execute(query)]

    def goal_counts(self, scope: ReportScope, dim: str) -> dict[tuple[str, str], int]:
        key = sa.case((sessions.c.id.is_(None), UNLINKED), else_=session_dimensions()[dim])
        query = self._goal_query(scope, [goal_conversions.c.goal, key, sa.func.count()]).group_by(
            goal_conversions.c.goal, key
        )
        return {(str(goal), str(value)): int(count) for goal, value, count in self._connection.execute(query)}

    def _goal_query(self, scope: ReportScope, columns: list[ColumnElement[Any]]) -> sa.Select[Any]:
        g = goal_conversions.c
        joined = goal_conversions.outerjoin(sessions, sessions.c.id == g.session_id)
        dims = session_dimensions()
        return (
            sa.select(*columns)
            .select_from(joined)
            .where(
                g.project_id == scope.project_id,
                g.converted_at >= scope.start,
                g.converted_at < scope.end,
                *(dims[name] == value for name, value in scope.filters.items()),
            )
        )
