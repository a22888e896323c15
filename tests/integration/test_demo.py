"""`trackbridge demo`: a demo project filled through the real ingestion paths, and never a user's project."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from trackbridge.adapters.db.identity_tables import form_submissions
from trackbridge.adapters.db.order_tables import order_links
from trackbridge.adapters.db.tables import customers, orders
from trackbridge.adapters.db.tracking_tables import sessions
from trackbridge.config import Settings
from trackbridge.domain.credentials import Scope
from trackbridge.domain.demo_data import SESSIONS_PER_DAY, generate
from trackbridge.domain.errors import Conflict
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.main import build_cli
from trackbridge.entrypoints.worker import drain
from trackbridge.services import demo
from trackbridge.services import projects as project_service

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAYS = 14


def _count(container: Container, query: Any) -> int:
    with container.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _fill(container: Container, **options: Any) -> demo.DemoSummary:
    return demo.fill_demo(container.uow, container.box, lambda: drain(container), days=DAYS, now=NOW, seed=7, **options)


def test_demo_fills_a_demo_project_with_sessions_customers_and_linked_orders(
    container: Container, client: TestClient
) -> None:
    summary = _fill(container)

    project = summary.project
    assert project.name == "demo" and project.is_demo
    pid = project.id
    visits = _count(container, select(func.count()).select_from(sessions).where(sessions.c.project_id == pid))
    assert visits >= SESSIONS_PER_DAY * DAYS * 0.8
    identified = _count(
        container,
        select(func.count())
        .select_from(sessions)
        .where(sessions.c.project_id == pid, sessions.c.customer_id.isnot(None)),
    )
    assert identified > 0
    assert _count(container, select(func.count()).select_from(customers).where(customers.c.project_id == pid)) >= 70
    assert _count(container, select(func.count()).where(form_submissions.c.project_id == pid)) > 0
    stored_orders = _count(container, select(func.count()).select_from(orders).where(orders.c.project_id == pid))
    assert stored_orders == summary.orders > 50
    linked = _count(
        container,
        select(func.count())
        .select_from(order_links)
        .where(order_links.c.project_id == pid, order_links.c.session_id.isnot(None)),
    )
    assert linked >= stored_orders * 0.8
    with container.engine.connect() as connection:
        statuses = set(connection.execute(select(orders.c.status).where(orders.c.project_id == pid)).scalars())
    assert {"paid", "pending", "cancelled", "refunded"} <= statuses

    _info, key = project_service.create_api_key(container.uow, project, "test", Scope.READ)
    window = {"from": (NOW - timedelta(days=DAYS)).date().isoformat(), "to": NOW.date().isoformat()}
    headers = {"Authorization": f"Bearer {key}"}
    sources = client.get("/api/v1/reports/order-sources", params=window, headers=headers)
    assert sources.status_code == 200, sources.text
    totals = sources.json()["totals"]
    assert totals["sessions"] > 0 and totals["orders"] > 0 and float(totals["revenue"]) > 0
    assert {row["source"] for row in sources.json()["rows"]} >= {"google", "newsletter"}
    devices = client.get("/api/v1/reports/devices", params=window, headers=headers).json()
    assert {row["device"] for row in devices["rows"]} >= {"desktop", "smartphone"}
    products = client.get("/api/v1/reports/products", params=window, headers=headers).json()
    assert products["rows"] and products["rows"][0]["views"] > 0


def test_demo_refuses_a_project_of_a_user_with_that_name(container: Container) -> None:
    project_service.create_project(container.uow, container.box, "demo")

    with pytest.raises(Conflict, match="not a demo project"):
        _fill(container, reset=True)

    with container.uow.read() as tx:
        kept = tx.projects.by_name("demo")
    assert kept is not None and not kept.is_demo


def test_demo_reset_replaces_the_demo_project_and_leaves_other_projects(container: Container) -> None:
    other = project_service.create_project(container.uow, container.box, "shop").project
    first = _fill(container)
    with pytest.raises(Conflict, match="exists already"):
        _fill(container)

    second = _fill(container, reset=True)

    assert second.project.id != first.project.id or second.project.token != first.project.token
    orders_of = select(func.count()).select_from(orders).where(orders.c.project_id == second.project.id)
    assert _count(container, orders_of) == second.orders
    with container.uow.read() as tx:
        assert [p.name for p in tx.projects.list()] == ["shop", "demo"]
        assert tx.projects.by_id(other.id) is not None


def test_the_same_seed_generates_the_same_shop() -> None:
    one, two = generate(5, 10, NOW), generate(5, 10, NOW)

    assert one.events == two.events and one.orders == two.orders and one.customers == two.customers
    assert generate(6, 10, NOW).events != one.events
    assert all(event.occurred_at < NOW for event in one.events)
    campaigns = [e.campaign for e in one.events if not e.campaign.is_empty()]
    assert any(all((c.id, c.source, c.medium, c.name, c.term, c.content)) for c in campaigns)


def test_demo_command_fills_once_and_if_missing_keeps_it(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TRACKBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TRACKBRIDGE_SECRET_KEY", "cli-test-server-key-0123456789")
    monkeypatch.setenv("COLUMNS", "200")
    runner, cli = CliRunner(), build_cli()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0

    filled = runner.invoke(cli, ["demo", "--days", "3", "--seed", "1"], catch_exceptions=False)
    again = runner.invoke(cli, ["demo", "--days", "3", "--if-missing"], catch_exceptions=False)
    refused = runner.invoke(cli, ["demo", "--days", "3"], catch_exceptions=False)

    assert filled.exit_code == 0 and "filled" in filled.output and "orders" in filled.output
    assert again.exit_code == 0 and "exists already" in again.output
    assert refused.exit_code == 1 and "exists already" in refused.output


def test_a_demo_that_fails_half_way_leaves_no_demo_project_behind(container: Container) -> None:
    def broken_worker() -> None:
        raise RuntimeError("worker crashed")

    with pytest.raises(RuntimeError, match="worker crashed"):
        demo.fill_demo(container.uow, container.box, broken_worker, days=2, now=NOW)

    assert demo.demo_project(container.uow) is None
