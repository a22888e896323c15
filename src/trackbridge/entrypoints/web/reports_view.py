"""How a report's answer (services/reports.py) becomes a page: a table of formatted cells and a plotly chart. Pure.

The numbers are the report's own (the CSV export and the reports API give the same); only their display is decided
here: money with two decimals and the currency, counts shared between visits with two decimals, rates as percentages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from trackbridge.services.reports import Report

DASH = "\u2013"
TOP = 15
MODEL_LABELS = {
    "last_non_direct": "Last non-direct",
    "last": "Last visit",
    "first": "First visit",
    "linear": "Linear",
    "position_based": "Position-based",
    "time_decay": "Time decay",
}
DIMENSION_LABELS = {
    "source": "Source",
    "medium": "Medium",
    "campaign": "Campaign",
    "channel": "Channel",
    "leadSource": "Lead source",
    "lead_source": "Lead source",
    "referrer": "Referrer",
    "device": "Device",
    "os": "OS",
    "browser": "Browser",
    "country": "Country",
    "region": "Region",
    "city": "City",
    "day": "Day",
    "goal": "Goal",
    "url": "Page",
    "productId": "Product",
}
ORDER_COLUMNS = (
    ("orders", "Orders", "count"),
    ("paidOrders", "Paid", "count"),
    ("revenue", "Revenue", "money"),
    ("refunds", "Refunds", "money"),
    ("netRevenue", "Net revenue", "money"),
    ("profit", "Profit", "money"),
    ("conversionRate", "Conversion", "rate"),
)
COMPARED_COLUMNS = (("orders", "Orders", "count"), ("revenue", "Revenue", "money"), ("conversionRate", "Conv.", "rate"))


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False


@dataclass
class Table:
    head: list[Cell]
    rows: list[list[Cell]] = field(default_factory=list)
    totals: list[Cell] | None = None


def count_text(value: Any) -> str:
    if value is None:
        return DASH
    number = Decimal(str(value))
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"


def money_text(value: Any, currency: str) -> str:
    return DASH if value is None else f"{Decimal(str(value)):,.2f} {currency}".strip()


def _text(value: Any, kind: str, currency: str) -> Cell:
    if kind == "count":
        return Cell(count_text(value), True)
    if kind == "money":
        return Cell(money_text(value, currency), True)
    if kind == "rate":
        return Cell(DASH if value is None else f"{float(value) * 100:.2f} %", True)
    if kind == "seconds":
        return Cell(DASH if value is None else f"{float(value):,.1f} s", True)
    return Cell("(none)" if value in (None, "") else str(value))


def _others(row: Mapping[str, Any]) -> str:
    """Amounts in currencies without a rate to the base currency (shown apart, never added in)."""
    apart = row.get("notConverted") or []
    return "; ".join(money_text(entry["revenue"], entry["currency"]) for entry in apart)


def revenue_table(report: Report) -> Table:
    currency = str(report.meta.get("currency", ""))
    models: list[str] = list(report.meta.get("models") or [])
    dims = [(name, DIMENSION_LABELS.get(name, name), "text") for name in report.dimensions]
    keys: list[tuple[str, str, str]] = [*dims, ("sessions", "Visits", "count")]
    if len(models) > 1:
        keys += [
            (f"{m}.{k}", f"{MODEL_LABELS.get(m, m)}: {label}", kind)
            for m in models
            for k, label, kind in COMPARED_COLUMNS
        ]
    else:
        keys += list(ORDER_COLUMNS)
    table = Table([Cell(label, kind != "text") for _, label, kind in keys])
    every = [*report.rows, report.totals] if report.totals else list(report.rows)
    has_apart = any(_others(row) or any(_others(v) for v in row.get("models", {}).values()) for row in every)
    if has_apart:
        table.head.append(Cell("Not converted"))

    def line(row: Mapping[str, Any], blank_dims: bool = False) -> list[Cell]:
        cells: list[Cell] = []
        for key, _, kind in keys:
            if blank_dims and kind == "text":
                cells.append(Cell("" if cells else "Total"))
                continue
            model, _, name = key.rpartition(".")
            value = row["models"][model].get(name) if model else row.get(key)
            cells.append(_text(value, kind, currency))
        if has_apart:
            apart = [_others(row["models"][m]) for m in models] if "models" in row else [_others(row)]
            cells.append(Cell(" | ".join(text for text in apart if text)))
        return cells

    table.rows = [line(row) for row in report.rows]
    if report.totals:
        table.totals = line(report.totals, blank_dims=True)
    return table


def simple_table(report: Report) -> Table:
    """Pages, products and goals: their columns as the report gives them."""
    columns: dict[str, Sequence[tuple[str, str, str]]] = {
        "pages": (
            ("url", "Page", "text"),
            ("views", "Views", "count"),
            ("visits", "Visits", "count"),
            ("timeOnPageSeconds", "Time on page", "seconds"),
            ("totalTimeSeconds", "Total time", "seconds"),
        ),
        "products": (
            ("productId", "Product", "text"),
            ("name", "Name", "text"),
            ("views", "Views", "count"),
            ("carts", "Added to cart", "count"),
            ("visits", "Visits", "count"),
            ("bought", "Bought", "count"),
            ("orders", "Orders", "count"),
        ),
    }
    keys = list(columns.get(report.report, ()))
    if report.report == "goals":
        keys = [(name, DIMENSION_LABELS.get(name, name), "text") for name in report.dimensions]
        keys.append(("conversions", "Conversions", "count"))
    table = Table([Cell(label, kind != "text") for _, label, kind in keys])
    table.rows = [[_text(row.get(key), kind, "") for key, _, kind in keys] for row in report.rows]
    if report.report == "goals":
        goals = report.totals.get("conversions", {})
        if goals:
            summary = ", ".join(f"{goal}: {count_text(n)}" for goal, n in goals.items())
            table.totals = [Cell("Total"), *[Cell("") for _ in keys[1:-1]], Cell(summary, True)]
    elif report.totals:
        table.totals = [
            Cell("Total")
            if index == 0
            else _text(report.totals.get(key), kind, "")
            if key in report.totals
            else Cell("")
            for index, (key, _, kind) in enumerate(keys)
        ]
    return table


def table_of(report: Report) -> Table:
    return revenue_table(report) if report.meta.get("currency") else simple_table(report)


def _label(row: Mapping[str, Any], dims: Sequence[str]) -> str:
    return " / ".join(str(row.get(d) or "(none)") for d in dims)


def _num(value: Any) -> float:
    return 0.0 if value is None else float(value)


def chart_of(report: Report) -> dict[str, Any] | None:
    """A plotly figure (data and layout) for the report, or None when there is nothing to draw."""
    if not report.rows:
        return None
    layout: dict[str, Any] = {"margin": {"l": 60, "r": 20, "t": 30, "b": 80}, "height": 360, "barmode": "group"}
    rows = report.rows[:TOP]
    dims = report.dimensions
    data: list[dict[str, Any]]
    if report.report == "order-sources":
        models: list[str] = list(report.meta.get("models") or [])
        labels = [_label(row, dims) for row in rows]
        if len(models) > 1:
            data = [
                {
                    "type": "bar",
                    "name": MODEL_LABELS.get(m, m),
                    "x": labels,
                    "y": [_num(r["models"][m]["revenue"]) for r in rows],
                }
                for m in models
            ]
        else:
            data = [{"type": "bar", "name": "Revenue", "x": labels, "y": [_num(r["revenue"]) for r in rows]}]
        layout["yaxis"] = {"title": {"text": f"Revenue ({report.meta.get('currency', '')})"}}
        return {"data": data, "layout": layout}
    if report.report == "goals":
        series: dict[str, dict[str, float]] = defaultdict(dict)
        for row in report.rows:
            key = str(row.get("day") if "day" in dims else _label(row, dims[:1]))
            series[str(row["goal"])][key] = series[str(row["goal"])].get(key, 0.0) + _num(row["conversions"])
        layout["xaxis"] = {"type": "category"}
        data = [
            {"type": "bar", "name": goal, "x": list(points), "y": list(points.values())}
            for goal, points in series.items()
        ]
        return {"data": data, "layout": layout}
    if report.report == "pages":
        ordered = list(reversed(rows))
        data = [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Views",
                "y": [str(r["url"]) for r in ordered],
                "x": [r["views"] for r in ordered],
            }
        ]
        layout["margin"]["l"] = 240
        return {"data": data, "layout": layout}
    if report.report == "products":
        labels = [str(r["name"] or r["productId"]) for r in rows]
        data = [
            {"type": "bar", "name": "Views", "x": labels, "y": [r["views"] for r in rows]},
            {"type": "bar", "name": "Bought", "x": labels, "y": [r["bought"] for r in rows]},
        ]
        return {"data": data, "layout": layout}
    if report.report == "devices":
        data = [
            {
                "type": "pie",
                "labels": [_label(r, dims) for r in rows],
                "values": [r["sessions"] for r in rows],
                "hole": 0.4,
            }
        ]
        return {"data": data, "layout": {**layout, "margin": {"l": 20, "r": 20, "t": 30, "b": 20}}}
    data = [{"type": "bar", "name": "Visits", "x": [_label(r, dims) for r in rows], "y": [r["sessions"] for r in rows]}]
    return {"data": data, "layout": layout}
