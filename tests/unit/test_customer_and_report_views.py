"""Presentation rules of the customer and report pages: the timeline's pages, labels, report tables and charts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from trackbridge.entrypoints.web import customers_view, reports_view
from trackbridge.services.reports import Report


def visit(started: int) -> dict[str, Any]:
    return {"startedAt": started, "id": started}


def timeline(visits: list[int], more: bool, orders: list[int]) -> dict[str, Any]:
    return {
        "sessions": [visit(v) for v in visits],
        "next": "x" if more else None,
        "orders": [{"id": f"o{t}", "placedAt": t} for t in orders],
        "formSubmissions": [],
        "identityLinks": [],
    }


def test_each_order_shows_on_exactly_one_page_of_the_timeline_next_to_its_visits() -> None:
    orders = [950, 700, 450, 100]
    first = customers_view.feed(timeline([900, 800], True, orders), {}, None)
    second = customers_view.feed(timeline([600, 500], True, orders), {}, 800)
    last = customers_view.feed(timeline([300], False, orders), {}, 500)
    shown = [[item["order"]["id"] for item in page if item["kind"] == "order"] for page in (first, second, last)]
    assert shown == [["o950"], ["o700"], ["o450", "o100"]]
    assert [item["at"] for item in first] == [950, 900, 800]


def test_the_timeline_puts_an_order_above_the_visit_it_shares_a_moment_with() -> None:
    items = customers_view.feed(timeline([500], False, [500]), {"o500": [{"status": "paid"}]}, None)
    assert [item["kind"] for item in items] == ["order", "visit"]
    assert items[0]["history"] == [{"status": "paid"}]


def test_labels_of_sources_devices_places_and_durations() -> None:
    utm = {"source": "newsletter", "medium": "email", "campaign": "spring"}
    assert customers_view.source_label({"utm": utm, "channel": "email"}) == "newsletter / email / spring"
    assert customers_view.source_label({"utm": {}, "referrerName": "blog.example", "referrerType": "website"}) == (
        "blog.example / website"
    )
    assert customers_view.source_label({"utm": {}, "channel": None}) == "direct"
    assert (
        customers_view.device_label({"type": "smartphone", "brand": "Apple", "os": "iOS"}) == "smartphone · Apple · iOS"
    )
    assert customers_view.place_label({"city": "Berlin", "countryName": "Germany"}) == "Berlin, Germany"
    assert [customers_view.duration(s) for s in (0, 42, 180, 3725)] == ["0 s", "42 s", "3 min 0 s", "1 h 2 min"]


def revenue_row(source: str | None, revenue: str, orders: int) -> dict[str, Any]:
    return {
        "source": source,
        "sessions": 4,
        "orders": orders,
        "paidOrders": orders,
        "revenue": Decimal(revenue),
        "refunds": Decimal(0),
        "netRevenue": Decimal(revenue),
        "profit": Decimal(0),
        "conversionRate": 0.25,
        "notConverted": [],
    }


def test_a_revenue_report_table_formats_money_counts_rates_and_a_total() -> None:
    report = Report(
        "order-sources",
        ["source"],
        [revenue_row("google", "1234.5", 1), revenue_row(None, "0", 0)],
        {**revenue_row(None, "1234.5", 1), "notConverted": [{"currency": "JPY", "revenue": Decimal(1000)}]},
        {"currency": "EUR", "models": ["last_non_direct"]},
    )
    table = reports_view.table_of(report)
    assert [cell.text for cell in table.head][:4] == ["Source", "Visits", "Orders", "Paid"]
    assert [cell.text for cell in table.rows[0]][:5] == ["google", "4", "1", "1", "1,234.50 EUR"]
    assert table.rows[1][0].text == "(none)" and table.rows[0][-2].text == "25.00 %"
    assert table.totals is not None and table.totals[0].text == "Total"
    assert table.head[-1].text == "Not converted" and table.totals[-1].text == "1,000.00 JPY"


def test_models_side_by_side_get_a_column_group_each_and_a_bar_each() -> None:
    rows = [
        {
            "source": "google",
            "sessions": 2,
            "models": {"first": revenue_row(None, "10", 1), "last": revenue_row(None, "0", 0)},
        }
    ]
    report = Report("order-sources", ["source"], rows, {}, {"currency": "EUR", "models": ["first", "last"]})
    head = [cell.text for cell in reports_view.table_of(report).head]
    assert "First visit: Revenue" in head and "Last visit: Revenue" in head
    chart = reports_view.chart_of(report)
    assert chart is not None and [trace["name"] for trace in chart["data"]] == ["First visit", "Last visit"]
    assert chart["data"][0]["y"] == [10.0]


def test_shared_credit_counts_keep_two_decimals_and_an_empty_report_has_no_chart() -> None:
    assert reports_view.count_text(Decimal("1.5")) == "1.50" and reports_view.count_text(3) == "3"
    assert reports_view.chart_of(Report("pages", ["url"], [], {})) is None
