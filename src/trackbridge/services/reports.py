"""The reports: order sources, goals, pages, products, devices and geography over a range of the project's days.

Visit numbers come from the daily rollups (services/rollups.py); order numbers from orders joined to their linked or
attributed visit. Rows are plain dicts ready for JSON (money as Decimal, rendered as decimal strings) and CSV.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from trackbridge.domain.attribution import Model
from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.projects import Project
from trackbridge.services import rollups
from trackbridge.services.ports import UnitOfWork
from trackbridge.services.report_ports import OrderGroup, ReportRepository, ReportScope
from trackbridge.services.rollups import day_bounds

MAX_DAYS = 3_700
CENT = Decimal("0.01")
SOURCE_DIMENSIONS = ("source", "medium", "campaign", "channel", "lead_source", "referrer")
DEVICE_DIMENSIONS = {"device": ("device_type",), "os": ("os_name",), "browser": ("browser_name",)}
GEO_DIMENSIONS = {"country": ("country",), "region": ("country", "region"), "city": ("country", "region", "city")}
OUTPUT_NAMES = {"lead_source": "leadSource", "device_type": "device", "os_name": "os", "browser_name": "browser"}
FILTERS = {
    "source": "source",
    "medium": "medium",
    "campaign": "campaign",
    "channel": "channel",
    "country": "country",
    "region": "region",
    "device": "device_type",
    "os": "os_name",
}


class _HasReports(Protocol):
    @property
    def reports(self) -> ReportRepository: ...


@dataclass
class Report:
    """A report's answer: ``dimensions`` name the key columns of ``rows``; ``totals`` sums every row."""

    report: str
    dimensions: list[str]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def refresh_order_rollups(uow: UnitOfWork, project: Project) -> None:
    """Brings the order rollup up to date before a report reads it (the worker usually has: then only one look)."""
    rollups.refresh_order_rollups(uow, project)


def build_scope(
    project: Project, first: date | None, last: date | None, filters: Mapping[str, str | None], today: date
) -> ReportScope:
    """The UTC span of days ``first``..``last`` in the project's time zone (default: the last 30 days)."""
    last = last or today
    first = first or last - timedelta(days=29)
    if first > last:
        raise InvalidInput("from must not be after to", field="from")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days", field="from")
    tz = ZoneInfo(project.timezone)
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    chosen = {FILTERS[name]: value.strip() for name, value in filters.items() if value is not None and value.strip()}
    if "country" in chosen:
        chosen["country"] = chosen["country"].upper()
    return ReportScope(project.id, first, last, start, end, chosen)


def parse_models(model: str | None, models: str | None) -> list[str]:
    names = [m.strip() for m in (models or "").split(",") if m.strip()] or [model or Model.LAST_NON_DIRECT.value]
    known = {m.value for m in Model}
    for name in names:
        if name not in known:
            raise InvalidInput(f"unknown model {name!r}; one of {', '.join(sorted(known))}", field="model")
    return list(dict.fromkeys(names))


def money(value: Decimal) -> Decimal:
    exact = value.quantize(Decimal("0.0001"))
    return exact.quantize(CENT) if exact == exact.quantize(CENT) else exact


def count(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(round(value, 6))


def _name(dim: str) -> str:
    return OUTPUT_NAMES.get(dim, dim)


def _key_value(value: str) -> str | None:
    return value or None


@dataclass
class _Sums:
    orders: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    profit: Decimal = Decimal(0)
    without_cost: Decimal = Decimal(0)

    def add(self, group: OrderGroup) -> None:
        self.orders += group.orders
        self.paid += group.paid_orders
        self.revenue += group.revenue
        self.refunded += group.refunded
        self.profit += group.profit
        self.without_cost += group.orders_without_cost

    def money_fields(self) -> dict[str, Any]:
        return {
            "orders": count(self.orders),
            "paidOrders": count(self.paid),
            "revenue": money(self.revenue),
            "refunds": money(self.refunded),
            "netRevenue": money(self.revenue - self.refunded),
            "profit": money(self.profit),
            "ordersWithoutCost": count(self.without_cost),
        }


@dataclass
class _ModelSums:
    base: _Sums = field(default_factory=_Sums)
    apart: dict[str, _Sums] = field(default_factory=lambda: defaultdict(_Sums))

    def add(self, group: OrderGroup) -> None:
        (self.base if group.in_base else self.apart[group.currency]).add(group)

    def render(self, sessions: int) -> dict[str, Any]:
        rate = self.base.orders / sessions if sessions else Decimal(0)
        return {
            **self.base.money_fields(),
            "conversionRate": float(round(rate, 4)),
            "notConverted": [{"currency": c, **s.money_fields()} for c, s in sorted(self.apart.items())],
        }


def revenue_report(
    tx: _HasReports,
    project: Project,
    scope: ReportScope,
    report: str,
    dims: Sequence[str],
    models: Sequence[str | None],
) -> Report:
    """Sessions and order money per group of ``dims``; per attribution model (None: the order's linked visit)."""
    sessions = tx.reports.session_counts(scope, dims)
    by_model: dict[str | None, dict[tuple[str, ...], _ModelSums]] = {}
    totals: dict[str | None, _ModelSums] = {}
    for model in models:
        groups = by_model.setdefault(model, defaultdict(_ModelSums))
        totals[model] = _ModelSums()
        for group in tx.reports.order_groups(scope, dims, project.base_currency, model):
            groups[group.key].add(group)
            totals[model].add(group)
    keys = set(sessions).union(*(set(groups) for groups in by_model.values()))
    rows = [
        _row(key, dims, sessions.get(key, 0), {m: by_model[m].get(key, _ModelSums()) for m in models}) for key in keys
    ]
    first = models[0]
    rows.sort(key=lambda row: (-_revenue_of(row, first), -row["sessions"], [str(row[_name(d)]) for d in dims]))
    total_sessions = sum(sessions.values())
    total = _row((), (), total_sessions, totals)
    meta: dict[str, Any] = {"currency": project.base_currency.upper()}
    if first is not None:
        meta["models"] = list(models)
    return Report(report, [_name(d) for d in dims], rows, total, meta)


def _row(
    key: tuple[str, ...], dims: Sequence[str], sessions: int, sums: Mapping[str | None, _ModelSums]
) -> dict[str, Any]:
    row: dict[str, Any] = {_name(d): _key_value(v) for d, v in zip(dims, key, strict=True)}
    row["sessions"] = sessions
    if len(sums) == 1:
        row.update(next(iter(sums.values())).render(sessions))
    else:
        row["models"] = {str(m): s.render(sessions) for m, s in sums.items()}
    return row


def _revenue_of(row: dict[str, Any], model: str | None) -> Decimal:
    values = row if "models" not in row else row["models"][str(model)]
    revenue: Decimal = values["revenue"]
    return revenue


def order_sources(tx: _HasReports, project: Project, scope: ReportScope, dimension: str, models: list[str]) -> Report:
    if dimension not in SOURCE_DIMENSIONS:
        raise InvalidInput(f"dimension must be one of {', '.join(SOURCE_DIMENSIONS)}", field="dimension")
    return revenue_report(tx, project, scope, "order-sources", (dimension,), list(models))


def devices(tx: _HasReports, project: Project, scope: ReportScope, dimension: str) -> Report:
    if dimension not in DEVICE_DIMENSIONS:
        raise InvalidInput(f"dimension must be one of {', '.join(DEVICE_DIMENSIONS)}", field="dimension")
    return revenue_report(tx, project, scope, "devices", DEVICE_DIMENSIONS[dimension], [None])


def geo(tx: _HasReports, project: Project, scope: ReportScope, dimension: str) -> Report:
    if dimension not in GEO_DIMENSIONS:
        raise InvalidInput(f"dimension must be one of {', '.join(GEO_DIMENSIONS)}", field="dimension")
    return revenue_report(tx, project, scope, "geo", GEO_DIMENSIONS[dimension], [None])


def pages(tx: _HasReports, scope: ReportScope, limit: int) -> Report:
    rows = []
    for found in tx.reports.pages(scope, limit):
        timed, seconds = int(found["timed_views"] or 0), int(found["time_seconds"] or 0)
        rows.append(
            {
                "url": found["url"] or None,
                "views": int(found["views"]),
                "visits": int(found["visits"]),
                "timeOnPageSeconds": round(seconds / timed, 1) if timed else None,
                "totalTimeSeconds": seconds,
            }
        )
    totals = {"views": sum(int(r["views"] or 0) for r in rows), "visits": sum(int(r["visits"] or 0) for r in rows)}
    return Report("pages", ["url"], rows, totals)


def products(tx: _HasReports, scope: ReportScope, limit: int) -> Report:
    bought = tx.reports.bought(scope)
    rows: dict[str, dict[str, Any]] = {}
    for found in tx.reports.products(scope, limit):
        quantity, orders = bought.get(found["product_id"], (0, 0))
        rows[found["product_id"]] = {
            "productId": found["product_id"],
            "name": found["name"],
            "views": int(found["views"]),
            "carts": int(found["carts"]),
            "visits": int(found["visits"]),
            "bought": quantity,
            "orders": orders,
        }
    for product_id, (quantity, orders) in bought.items():
        if product_id not in rows and len(rows) < limit:
            rows[product_id] = {
                "productId": product_id,
                "name": None,
                "views": 0,
                "carts": 0,
                "visits": 0,
                "bought": quantity,
                "orders": orders,
            }
    ordered = sorted(rows.values(), key=lambda r: (-r["views"], -r["bought"], r["productId"]))
    totals = {name: sum(r[name] for r in ordered) for name in ("views", "carts", "bought")}
    return Report("products", ["productId"], ordered, totals)


def goals(tx: _HasReports, project: Project, scope: ReportScope, by: str) -> Report:
    if by == "day":
        tz = ZoneInfo(project.timezone)
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for goal, moment in tx.reports.goal_moments(scope):
            counts[(moment.astimezone(tz).date().isoformat(), goal)] += 1
        rows: list[dict[str, Any]] = [
            {"day": day, "goal": goal, "conversions": n} for (day, goal), n in sorted(counts.items())
        ]
        return Report("goals", ["day", "goal"], rows, _goal_totals(rows))
    if by not in SOURCE_DIMENSIONS:
        raise InvalidInput(f"by must be day or one of {', '.join(SOURCE_DIMENSIONS)}", field="by")
    found = tx.reports.goal_counts(scope, by)
    rows = [{_name(by): _key_value(value), "goal": goal, "conversions": n} for (goal, value), n in found.items()]
    rows.sort(key=lambda r: (str(r["goal"]), -int(r["conversions"]), str(r[_name(by)])))
    return Report("goals", [_name(by), "goal"], rows, _goal_totals(rows))


def _goal_totals(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row["goal"]] += row["conversions"]
    return {"conversions": dict(sorted(totals.items()))}
