"""The reports API over a shop's day sent through the tracker, the signed API and the worker (both engines).

The day (tests/integration/report_support.py): visitor A comes from google / cpc / spring, returns directly and buys
O1 (120.00 EUR, cost 70.00, refund 20.50); B comes from blog.example and buys O2 in GBP (rate 1.2); C buys O3 in JPY
(no rate); D's order is spam, E's cancelled; F's visit starts at 23:30 UTC the day before, 00:30 in Berlin.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.report_support import AUTH, Shop, build_shop, order, page, send
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain


def report(client: TestClient, name: str, shop: Shop, **params: str) -> dict[str, Any]:
    query = {"from": shop.day.isoformat(), "to": shop.day.isoformat(), **params}
    answer = client.get(f"/api/v1/reports/{name}", params=query, headers=AUTH)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_order_sources_count_current_status_refunds_and_currencies(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    shop = build_shop(client, container, seed_project)
    body = report(client, "order-sources", shop)
    assert (body["currency"], body["models"], body["timezone"]) == ("EUR", ["last_non_direct"], "Europe/Berlin")
    rows = by(body["rows"], "source")
    google = rows["google"]
    # O1 (paid, refunded in part) and O5 (cancelled: an order without revenue); O4 is spam and leaves the report.
    assert (google["sessions"], google["orders"], google["paidOrders"]) == (4, 2, 1)
    assert (google["revenue"], google["refunds"], google["netRevenue"], google["profit"]) == (
        "120.00",
        "20.50",
        "99.50",
        "29.50",
    )
    assert google["conversionRate"] == 0.5
    assert (rows["blog.example"]["revenue"], rows["blog.example"]["ordersWithoutCost"]) == ("60.00", 1)
    direct = rows[None]
    assert (direct["sessions"], direct["orders"], direct["revenue"]) == (2, 0, "0.00")
    assert direct["notConverted"] == [
        {
            "currency": "JPY",
            "orders": 1,
            "paidOrders": 1,
            "revenue": "1000.00",
            "refunds": "0.00",
            "netRevenue": "1000.00",
            "profit": "0.00",
            "ordersWithoutCost": 1,
        }
    ]
    totals = body["totals"]
    assert (totals["sessions"], totals["orders"], totals["revenue"], totals["netRevenue"]) == (7, 3, "180.00", "159.50")
    assert [apart["currency"] for apart in totals["notConverted"]] == ["JPY"]


def test_several_models_side_by_side(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    shop = build_shop(client, container, seed_project)
    body = report(client, "order-sources", shop, models="last_non_direct,last,first")
    assert body["models"] == ["last_non_direct", "last", "first"]
    rows = by(body["rows"], "source")
    google, direct = rows["google"]["models"], rows[None]["models"]
    assert (google["last_non_direct"]["revenue"], google["last"]["revenue"], google["first"]["revenue"]) == (
        "120.00",
        "0.00",
        "120.00",
    )
    assert direct["last"]["netRevenue"] == "99.50"
    assert direct["last_non_direct"]["revenue"] == "0.00"
    single = report(client, "order-sources", shop, model="last")
    assert by(single["rows"], "source")[None]["revenue"] == "120.00"


def test_days_follow_the_project_time_zone(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    shop = build_shop(client, container, seed_project)
    assert report(client, "order-sources", shop)["totals"]["sessions"] == 7
    before = shop.day - timedelta(days=1)
    earlier = report(client, "order-sources", shop, **{"from": before.isoformat(), "to": before.isoformat()})
    assert earlier["totals"]["sessions"] == 0
    days = {row["day"] for row in report(client, "goals", shop)["rows"]}
    assert days == {shop.day.isoformat()}


def test_csv_has_the_same_numbers_as_json(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    shop = build_shop(client, container, seed_project)
    params = {"from": shop.day.isoformat(), "to": shop.day.isoformat(), "models": "last_non_direct,last"}
    answer = client.get("/api/v1/reports/order-sources", params={**params, "format": "csv"}, headers=AUTH)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(answer.text)))
    body = report(client, "order-sources", shop, models="last_non_direct,last")
    for row in body["rows"]:
        [line] = [x for x in lines if x["source"] == (row["source"] or "") and x["currency"] == "EUR"]
        for model in ("last_non_direct", "last"):
            for column in ("orders", "revenue", "netRevenue", "profit"):
                assert line[f"{model}.{column}"] == str(row["models"][model][column])
    [jpy] = [x for x in lines if x["currency"] == "JPY"]
    assert (jpy["source"], jpy["last.revenue"]) == ("", "1000.00")


def test_filters_narrow_every_report(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    shop = build_shop(client, container, seed_project)
    google = report(client, "order-sources", shop, source="google")
    assert [row["source"] for row in google["rows"]] == ["google"]
    assert google["filters"] == {"source": "google"}
    pages = by(report(client, "pages", shop, source="google", medium="cpc")["rows"], "url")
    assert (pages["https://shop.example/landing"]["views"], set(pages)) == (
        4,
        {"https://shop.example/landing", "https://shop.example/p/1"},
    )
    phones = report(client, "devices", shop, device="smartphone")
    assert [(row["device"], row["sessions"]) for row in phones["rows"]] == [("smartphone", 1)]
    assert phones["rows"][0]["notConverted"][0]["currency"] == "JPY"
    assert report(client, "geo", shop, country="de")["totals"]["sessions"] == 0
    assert report(client, "goals", shop, campaign="spring")["totals"]["conversions"] == {
        "Order cancelled": 1,
        "Spam order": 1,
    }


def test_pages_products_and_goals(client: TestClient, container: Container, seed_project: ProjectCredentials) -> None:
    shop = build_shop(client, container, seed_project)
    pages = by(report(client, "pages", shop)["rows"], "url")
    landing = pages["https://shop.example/landing"]
    assert (landing["views"], landing["visits"], landing["timeOnPageSeconds"]) == (4, 4, 60.0)
    [product] = report(client, "products", shop)["rows"]
    # O1 (2) + O2 + O3; the spam and the cancelled orders bought nothing.
    assert (product["productId"], product["name"], product["views"], product["carts"]) == ("p1", "Widget", 1, 1)
    assert (product["bought"], product["orders"]) == (4, 3)
    goals = report(client, "goals", shop, by="source")["rows"]
    assert {"source": "google", "goal": "Spam order", "conversions": 1} in goals
    assert report(client, "goals", shop)["totals"]["conversions"] == {
        "Order cancelled": 1,
        "Order created": 3,
        "Order paid": 3,
        "Spam order": 1,
    }


def test_the_worker_keeps_the_rollups_current(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    shop = build_shop(client, container, seed_project)
    send(client, "9000000000000009", [page("late", shop.at(15), "/late", referrer="https://blog.example/x")])
    drain(container)
    rows = by(report(client, "order-sources", shop)["rows"], "source")
    assert rows["blog.example"]["sessions"] == 2
    assert report(client, "order-sources", shop)["totals"]["sessions"] == 8


def test_bad_parameters_are_refused(client: TestClient, seed_project: ProjectCredentials) -> None:
    answers = [
        client.get("/api/v1/reports/order-sources", params={"model": "nearest"}, headers=AUTH),
        client.get("/api/v1/reports/order-sources", params={"dimension": "weather"}, headers=AUTH),
        client.get("/api/v1/reports/pages", params={"from": "2026-02-02", "to": "2026-02-01"}, headers=AUTH),
    ]
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert client.get("/api/v1/reports/pages").status_code == 401


def test_an_order_turning_spam_later_leaves_the_order_sources_report(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    shop = build_shop(client, container, seed_project)
    assert by(report(client, "order-sources", shop)["rows"], "source")["google"]["revenue"] == "120.00"
    order(client, "O1", "a000000000000001", shop.at(12) + timedelta(minutes=10), "120.00", status="spam")
    drain(container)
    google = by(report(client, "order-sources", shop)["rows"], "source")["google"]
    assert (google["orders"], google["revenue"], google["netRevenue"]) == (1, "0.00", "0.00")
    # The visit-linked reports read orders directly and agree.
    assert report(client, "devices", shop)["totals"]["revenue"] == "60.00"
    assert report(client, "order-sources", shop)["totals"]["revenue"] == "60.00"


def test_a_new_currency_rate_applies_at_once(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    shop = build_shop(client, container, seed_project)
    rates = {"rates": {"GBP": "1.5", "JPY": "0.0061"}}
    assert client.put("/api/v1/settings/currency-rates", json=rates, headers=AUTH).status_code == 200
    body = report(client, "order-sources", shop)
    assert by(body["rows"], "source")["blog.example"]["revenue"] == "75.00"
    assert (body["totals"]["revenue"], body["totals"]["notConverted"]) == ("201.10", [])
