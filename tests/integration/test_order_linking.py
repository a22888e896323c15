"""Orders meet visits through the running system: POST /t and the signed API in, the worker links, GET the order out."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.support.matomo import VISITOR as MATOMO_VISITOR
from tests.support.matomo import php_sdk_order, query
from tests.support.signing import SEED_API_KEY, SEED_TOKEN, envelope, signed_headers
from trackbridge.adapters.db.order_tables import goal_conversions
from trackbridge.adapters.db.tracking_tables import sessions
from trackbridge.config import Settings
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.main import build_cli
from trackbridge.entrypoints.worker import drain

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
SERVER = {"Authorization": f"Bearer {SEED_API_KEY}", "User-Agent": CHROME}
AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}
T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
VISITOR = "0a1b2c3d4e5f6071"
LATE_VISITOR = "1b2c3d4e5f607182"
ANNA_DEVICE = "4f2a9c1d7e3b5a60"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "crm"
CPC = "https://shop.example/spring?utm_source=google&utm_medium=cpc&utm_campaign=spring"


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def page_view(event_id: str, at: datetime, url: str = "https://shop.example/", **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": "page_view", "time": ms(at), "url": url, **fields}


def track(client: TestClient, events: list[dict[str, Any]], visitor: str = VISITOR) -> None:
    answer = client.post("/t", json={"token": SEED_TOKEN, "visitorId": visitor, "events": events}, headers=SERVER)
    assert answer.status_code == 202, answer.text


def signed(client: TestClient, path: str, params: Any = None, *, batch: Any = None) -> Any:
    body = envelope(params, batch=batch)
    answer = client.post(path, content=body, headers=signed_headers(body))
    assert answer.status_code == 200, answer.text
    return answer.json()


def send_order(client: TestClient, order_id: str, placed: datetime, status: str, **extra: Any) -> Any:
    order = {
        "id": order_id,
        "createdAt": ms(placed),
        "amount": "40.00",
        "status": status,
        "products": [{"productId": "p1", "quantity": 1}],
        **extra,
    }
    return signed(client, "/v2/order/batch", batch=[order])["results"][0]


def stored_order(client: TestClient, order_id: str) -> Any:
    answer = client.get(f"/api/v1/orders/{order_id}", headers=AUTH)
    assert answer.status_code == 200, answer.text
    return answer.json()


def session_ids(container: Container, visitor: str = VISITOR) -> list[int]:
    query = sa.select(sessions.c.id).where(sessions.c.visitor_id == visitor).order_by(sessions.c.started_at)
    with container.engine.connect() as connection:
        return list(connection.execute(query).scalars())


def goal_rows(container: Container, order_id: str) -> list[tuple[str, int]]:
    query = (
        sa.select(goal_conversions.c.goal, goal_conversions.c.converted_at)
        .where(goal_conversions.c.order_id == order_id)
        .order_by(goal_conversions.c.id)
    )
    with container.engine.connect() as connection:
        return [(goal, ms(at)) for goal, at in connection.execute(query)]


def upload(client: TestClient, name: str, kind: str) -> None:
    answer = client.post(
        "/api/v1/uploads", params={"kind": kind, "merge": "SAVE"}, headers=AUTH, content=(FIXTURES / name).read_bytes()
    )
    assert answer.status_code == 202, answer.text
    deadline = time.monotonic() + 120  # guards against a hang only
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/uploads/{answer.json()['id']}", headers=AUTH).json()["status"]
        if status in ("done", "failed"):
            assert status == "done"
            return
        time.sleep(0.05)
    raise AssertionError("the upload did not finish")


def catalogue(client: TestClient) -> None:
    signed(client, "/v2/product", {"id": "p1", "name": "Shirt", "price": 40})


def campaign_then_direct_then_identify(client: TestClient, container: Container) -> None:
    campaign = {"source": "google", "medium": "cpc", "name": "spring"}
    track(client, [page_view("c1", T0, CPC, campaign=campaign, referrer="https://www.google.com/")])
    back = T0 + timedelta(days=2)
    track(
        client,
        [
            page_view("d1", back),
            {
                **page_view("d2", back + timedelta(minutes=5)),
                "type": "identify",
                "properties": {"email": "jane@example.com"},
            },
        ],
    )
    drain(container)


def test_a_campaign_visitor_who_returns_directly_and_buys_is_linked_to_the_latest_visit_and_credited_to_the_campaign(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    catalogue(client)
    campaign_then_direct_then_identify(client, container)
    placed = T0 + timedelta(days=2, minutes=10)
    send_order(client, "o1", placed, "pending", visitorId=VISITOR, email="jane@example.com")
    drain(container)
    first_visit, latest_visit = session_ids(container)
    order = stored_order(client, "o1")
    assert order["link"]["sessionId"] == latest_visit
    assert order["link"]["matchedBy"] == "visitor_id"
    assert order["link"]["reason"].startswith(f"visitor id {VISITOR}: latest visit")
    assert order["link"]["gapSeconds"] is not None and order["link"]["gapSeconds"] <= 600
    assert order["attribution"]["last_non_direct"] == [{"sessionId": first_visit, "credit": "1.000000"}]
    assert order["attribution"]["last"] == [{"sessionId": latest_visit, "credit": "1.000000"}]
    assert sum(float(c["credit"]) for c in order["attribution"]["linear"]) == 1.0
    assert order["statusType"] == "IN_PROGRESS"


def test_in_progress_then_paid_counts_created_then_paid_once_and_spam_keeps_them(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    catalogue(client)
    placed = datetime.now(UTC) - timedelta(days=1)
    send_order(client, "o2", placed, "pending")
    send_order(client, "o2", placed, "completed")
    send_order(client, "o2", placed, "completed")
    assert [goal for goal, _ in goal_rows(container, "o2")] == ["Order created", "Order paid"]
    assert goal_rows(container, "o2")[0][1] == ms(placed)
    assert stored_order(client, "o2")["statusType"] == "PAID"
    send_order(client, "o2", placed, "spam")
    assert [goal for goal, _ in goal_rows(container, "o2")] == ["Order created", "Order paid", "Spam order"]
    order = stored_order(client, "o2")
    assert order["statusType"] == "SPAM"
    assert [(e["status"], e["statusType"]) for e in order["statusHistory"]] == [
        ("pending", "IN_PROGRESS"),
        ("completed", "PAID"),
        ("spam", "SPAM"),
    ]
    assert [g["goal"] for g in order["goals"]] == ["Order created", "Order paid", "Spam order"]


def test_a_status_change_past_the_window_is_stored_and_the_answer_says_reports_did_not_move(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    catalogue(client)
    placed = datetime.now(UTC) - timedelta(days=120)
    assert send_order(client, "o3", placed, "pending")["notes"] == []
    result = send_order(client, "o3", placed, "completed")
    assert "90-day window" in result["notes"][0]
    order = stored_order(client, "o3")
    assert order["statusType"] == "IN_PROGRESS"
    assert [e["affectsReports"] for e in order["statusHistory"]] == [True, False]
    assert [g["goal"] for g in order["goals"]] == ["Order created", "Order paid"]


def test_an_order_whose_visit_arrives_afterwards_is_linked_when_it_arrives(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    catalogue(client)
    placed = T0 + timedelta(hours=3)
    send_order(client, "o4", placed, "paid", visitorId=LATE_VISITOR)
    drain(container)
    before = stored_order(client, "o4")["link"]
    assert before["sessionId"] is None
    assert before["reason"].startswith(f"no visit of visitor {LATE_VISITOR}")
    track(client, [page_view("l1", T0 + timedelta(hours=2), CPC)], visitor=LATE_VISITOR)
    drain(container)
    [visit] = session_ids(container, LATE_VISITOR)
    after = stored_order(client, "o4")
    assert after["link"]["sessionId"] == visit
    assert after["link"]["reason"] == f"visitor id {LATE_VISITOR}: latest visit, 1 h before the order"
    assert after["attribution"]["first"] == [{"sessionId": visit, "credit": "1.000000"}]


def test_a_visit_after_the_order_never_re_attributes_it(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    catalogue(client)
    track(client, [page_view("a1", T0, CPC)])
    send_order(client, "o5", T0 + timedelta(minutes=20), "paid", visitorId=VISITOR)
    drain(container)
    linked = stored_order(client, "o5")
    later = "https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=winter"
    track(client, [page_view("a2", T0 + timedelta(days=1), later)])
    drain(container)
    assert len(session_ids(container)) == 2
    again = stored_order(client, "o5")
    assert again["link"] == linked["link"]
    assert again["attribution"] == linked["attribution"]


def test_order_settings_are_read_and_replaced_with_the_write_key(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    catalogue(client)
    send_order(client, "o6", datetime.now(UTC), "Versendet")
    assert stored_order(client, "o6")["statusType"] == "OTHER"
    answer = client.put("/api/v1/settings/status-mapping", json={"mapping": {"Versendet": "paid"}}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"mapping": {"versendet": "PAID"}}
    assert stored_order(client, "o6")["statusType"] == "PAID"
    assert client.get("/api/v1/settings/status-mapping", headers=AUTH).json() == {"mapping": {"versendet": "PAID"}}
    rates = client.put("/api/v1/settings/currency-rates", json={"rates": {"eur": "1.0800"}}, headers=AUTH)
    assert rates.json() == {"rates": {"EUR": "1.08"}}
    bad = client.put("/api/v1/settings/currency-rates", json={"rates": {"EUR": "-1"}}, headers=AUTH)
    assert bad.status_code == 400
    windows = client.put("/api/v1/settings/order-windows", json={"linkWindowDays": 30}, headers=AUTH)
    assert windows.json() == {"linkWindowDays": 30, "statusWindowDays": 90}
    assert client.put("/api/v1/settings/order-windows", json={"statusWindowDays": 0}, headers=AUTH).status_code == 400
    assert client.get("/api/v1/settings/order-windows").status_code == 401


def test_a_matomo_order_hit_records_its_goals_and_links_to_the_visit_that_recorded_it(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    answer = client.get("/matomo.php" + query(php_sdk_order("ORDER-1001", token=SEED_API_KEY)))
    assert answer.status_code == 204
    drain(container)
    [visit] = session_ids(container, MATOMO_VISITOR)
    order = stored_order(client, "ORDER-1001")
    assert order["statusType"] == "PAID"
    assert [g["goal"] for g in order["goals"]] == ["Order created", "Order paid"]
    assert (order["link"]["sessionId"], order["link"]["matchedBy"]) == (visit, "order_id")
    assert order["link"]["reason"].startswith("order id ORDER-1001 recorded in this visit")


def test_uploaded_orders_get_their_goals_and_link_once_a_customer_upload_names_the_crm_client_ids(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    visit_at = datetime(2024, 3, 10, 13, 0, tzinfo=UTC)
    track(client, [page_view("u1", visit_at, CPC)], visitor=ANNA_DEVICE)
    drain(container)
    upload(client, "orders.csv", "orders")
    drain(container)
    assert stored_order(client, "o-5001")["link"]["sessionId"] is None  # the CRM has not named Anna's devices yet
    upload(client, "customers.csv", "customers")
    drain(container)
    [visit] = session_ids(container, ANNA_DEVICE)
    anna = stored_order(client, "o-5001")
    assert anna["link"]["sessionId"] == visit
    assert anna["link"]["reason"] == f"visitor id {ANNA_DEVICE}: latest visit, 1 h before the order"
    assert anna["attribution"]["last_non_direct"] == [{"sessionId": visit, "credit": "1.000000"}]
    assert [g["goal"] for g in stored_order(client, "o-5002")["goals"]] == ["Order created", "Order paid"]
    assert [g["goal"] for g in stored_order(client, "o-5003")["goals"]] == ["Order cancelled"]
    assert [e["status"] for e in anna["statusHistory"]] == ["IN_PROGRESS"]


def test_an_order_keeps_its_exchange_rate(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    catalogue(client)
    send_order(client, "o7", T0, "paid", currency="EUR", exchangeRate="1.0825")
    assert stored_order(client, "o7")["exchangeRate"] == "1.0825"
    body = envelope(
        batch=[{"id": "o8", "createdAt": ms(T0), "amount": "1", "status": "paid", "products": [], "exchangeRate": "0"}]
    )
    answer = client.post("/v2/order/batch", content=body, headers=signed_headers(body))
    assert answer.json()["results"][0]["status"] == "rejected"


def test_a_visitor_who_identifies_after_ordering_by_e_mail_brings_the_earlier_visit_to_the_order(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    catalogue(client)
    signed(client, "/v2/customer", {"email": "jane@example.com"})
    track(client, [page_view("e1", T0, CPC)])
    drain(container)
    send_order(client, "o9", T0 + timedelta(hours=1), "paid", email="jane@example.com")
    drain(container)
    assert stored_order(client, "o9")["link"]["sessionId"] is None
    identify = {
        **page_view("e2", T0 + timedelta(days=3)),
        "type": "identify",
        "properties": {"email": "jane@example.com"},
    }
    track(client, [identify])
    drain(container)
    first_visit = session_ids(container)[0]
    link = stored_order(client, "o9")["link"]
    assert (link["sessionId"], link["matchedBy"]) == (first_visit, "email")
    assert link["reason"].startswith("customer ")


def test_the_cli_sets_the_link_and_status_windows(
    settings: Settings, container: Container, seed_project: ProjectCredentials, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TRACKBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TRACKBRIDGE_SECRET_KEY", "cli-test-server-key-0123456789")
    monkeypatch.setenv("COLUMNS", "200")
    cli = build_cli()
    result = CliRunner().invoke(cli, ["project", "set", "seed shop", "--link-window", "30", "--status-window", "60"])
    assert result.exit_code == 0, result.output
    assert "link window 30 d, status window 60 d" in result.output
    refused = CliRunner().invoke(cli, ["project", "set", "seed shop", "--link-window", "0"])
    assert refused.exit_code != 0
