"""The dashboard's day-by-day queries: order sums per day from the daily order rollup (converted like the reports),
paid orders and identifications in a range."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from trackbridge.adapters.db.identity_tables import identity_links
from trackbridge.adapters.db.order_tables import currency_rates
from trackbridge.adapters.db.sql_order_sums import rolled_order_sums
from trackbridge.adapters.db.sql_reports import SqlReportRepository
from trackbridge.adapters.db.tables import orders
from trackbridge.services.dashboard_ports import PaidOrder
from trackbridge.services.report_ports import OrderGroup, ReportScope


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except ArithmeticError:
        return None


class SqlDashboardRepository(SqlReportRepository):
    """Shares the report repository's conversion of rollup rows, so that a day's figures sum to the reports' totals."""

    def order_days(self, scope: ReportScope, base_currency: str, model: str) -> list[OrderGroup]:
        query = rolled_order_sums(scope, ("day",), model)
        return [self._group(row, 1, base_currency, True) for row in self._connection.execute(query)]

    def paid_orders(self, scope: ReportScope) -> list[PaidOrder]:
        o = orders.c
        currency = sa.func.upper(sa.func.coalesce(o.currency, ""))
        rate = sa.and_(currency_rates.c.project_id == o.project_id, currency_rates.c.currency == currency)
        query = (
            sa.select(o.placed_at, o.amount, currency, o.exchange_rate, currency_rates.c.rate)
            .select_from(orders.outerjoin(currency_rates, rate))
            .where(
                o.project_id == scope.project_id,
                o.placed_at >= scope.start,
                o.placed_at < scope.end,
                o.status_type == "PAID",
            )
        )
        return [
            PaidOrder(placed_at, Decimal(amount or 0), code or "", _decimal(exchange), _decimal(table_rate))
            for placed_at, amount, code, exchange, table_rate in self._connection.execute(query)
        ]

    def identifications(self, scope: ReportScope) -> list[tuple[datetime, int]]:
        link = identity_links.c
        query = sa.select(link.linked_at, link.customer_id).where(
            link.project_id == scope.project_id, link.linked_at >= scope.start, link.linked_at < scope.end
        )
        return [(moment, int(customer)) for moment, customer in self._connection.execute(query)]
