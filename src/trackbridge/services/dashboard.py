"""The dashboard of a project: visits, identified customers, orders, revenue and paid revenue per day, top sources.

Visits come from the daily visit rollup, orders and revenue from the daily order rollup (the default attribution
model, as the order-sources report), top sources from that report itself: the dashboard's totals are the reports'.
Paid revenue sums the amounts of orders whose status is paid; identified customers counts, per day, the customers a
visitor was linked to that day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from trackbridge.domain.attribution import Model
from trackbridge.domain.projects import Project
from trackbridge.domain.revenue import convert, rate_to_base
from trackbridge.services import reports
from trackbridge.services.dashboard_ports import PaidOrder
from trackbridge.services.ports import Transaction, UnitOfWork
from trackbridge.services.report_ports import ReportScope
from trackbridge.services.rollups import refresh_session_rollups

MODEL = Model.LAST_NON_DIRECT.value
TOP_SOURCES = 8


@dataclass(frozen=True)
class DayFigures:
    day: date
    visits: int = 0
    identified: int = 0
    orders: int = 0
    revenue: Decimal = Decimal(0)
    paid_revenue: Decimal = Decimal(0)


@dataclass(frozen=True)
class Dashboard:
    first: date
    last: date
    currency: str
    days: list[DayFigures]
    identified: int
    """Customers identified in the range (one customer identified on two days counts once)."""
    top_sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def visits(self) -> int:
        return sum(d.visits for d in self.days)

    @property
    def orders(self) -> int:
        return sum(d.orders for d in self.days)

    @property
    def revenue(self) -> Decimal:
        return sum((d.revenue for d in self.days), Decimal(0))

    @property
    def paid_revenue(self) -> Decimal:
        return sum((d.paid_revenue for d in self.days), Decimal(0))

    @property
    def is_empty(self) -> bool:
        return not (self.visits or self.orders or self.identified)


def build_dashboard(uow: UnitOfWork, project: Project, first: date | None, last: date | None, today: date) -> Dashboard:
    """The dashboard of days ``first``..``last`` (project time zone; default: the 30 days up to ``today``)."""
    scope = reports.build_scope(project, first, last, {}, today)
    refresh_session_rollups(uow, project)
    reports.refresh_order_rollups(uow, project)
    with uow.read() as tx:
        days, identified = _days(tx, project, scope)
        sources = reports.order_sources(tx, project, scope, "source", [MODEL])
    currency = project.base_currency.upper()
    return Dashboard(scope.first_day, scope.last_day, currency, days, identified, sources.rows[:TOP_SOURCES])


def _days(tx: Transaction, project: Project, scope: ReportScope) -> tuple[list[DayFigures], int]:
    """The figures of every day of the scope, and the number of distinct customers identified in it."""
    tz = ZoneInfo(project.timezone)
    visits = {str(key[0])[:10]: n for key, n in tx.reports.session_counts(scope, ("day",)).items()}
    orders: dict[str, Decimal] = defaultdict(Decimal)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for group in tx.dashboard.order_days(scope, project.base_currency, MODEL):
        orders[group.key[0]] += group.orders
        if group.in_base:
            revenue[group.key[0]] += group.revenue
    paid: dict[date, Decimal] = defaultdict(Decimal)
    for order in tx.dashboard.paid_orders(scope):
        rate = rate_to_base(order.currency, project.base_currency, order.exchange_rate, _table(order))
        if rate.rate is not None:
            paid[order.placed_at.astimezone(tz).date()] += convert(order.amount, rate.rate)
    identified: dict[date, set[int]] = defaultdict(set)
    for moment, customer_id in tx.dashboard.identifications(scope):
        identified[moment.astimezone(tz).date()].add(customer_id)
    result = []
    day = scope.first_day
    while day <= scope.last_day:
        key = day.isoformat()
        result.append(
            DayFigures(
                day=day,
                visits=visits.get(key, 0),
                identified=len(identified.get(day, ())),
                orders=int(orders.get(key, Decimal(0))),
                revenue=reports.money(revenue.get(key, Decimal(0))),
                paid_revenue=reports.money(paid.get(day, Decimal(0))),
            )
        )
        day += timedelta(days=1)
    return result, len(set().union(*identified.values()))


def _table(order: PaidOrder) -> dict[str, Decimal]:
    return {order.currency: order.table_rate} if order.table_rate is not None else {}
