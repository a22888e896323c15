"""Exports reaching a local fake Ometria (formats.md §3): changed orders go before the historical backlog, each record
once per change in batches of at most 100, never more than 4 requests in any one-second window (also with two workers
sharing the database), refused records logged with Ometria's reason, and dead letters retried once it is back."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.support import export_shop as shop
from tests.support.fake_ometria import FakeOmetria, running_fake_ometria
from trackbridge.adapters.db.migrate import upgrade
from trackbridge.config import Settings, load_settings
from trackbridge.domain.outbound import Connector
from trackbridge.entrypoints.bootstrap import Container, build_container
from trackbridge.entrypoints.cli.export import send_until_done
from trackbridge.entrypoints.jobs.registry import build_handlers
from trackbridge.entrypoints.outbound_worker import drain_outbox, frozen
from trackbridge.services import exports
from trackbridge.services.outbox import revive_dead_jobs, run_due_jobs


def send_all(container: Container, connector: Connector) -> int:
    """Runs the export until the destination's queue is empty or stuck; the number of records still waiting."""
    return send_until_done(container, connector, lambda status: None).total()


def order_ids_pushed(fake: FakeOmetria) -> Counter[str]:
    return Counter(r["id"] for r in fake.pushed_records() if r["@type"] == "order")


def assert_within_the_rules(fake: FakeOmetria) -> None:
    assert fake.violations == [], "more than 4 requests in a one-second window"
    assert all(len(p.records) <= 100 for p in fake.pushes(status=None))


def test_orders_changed_during_a_historical_export_go_first_and_each_record_arrives_once_per_change(
    container: Container,
) -> None:
    with running_fake_ometria() as fake:
        project = shop.project(container)
        shop.add_customers(container, project, 3)
        shop.add_products(container, project, 4)
        shop.add_orders(container, project, [shop.order(n, customers=3, products=4) for n in range(250)])
        connector = shop.add_ometria(container, project, fake.url, maxRecordsPerRun=100)
        exports.queue_historical(container.uow, connector)
        assert exports.plan_next_run(container.uow, connector.id) == 100
        drain_outbox(container)
        pushes_before = len(fake.pushes())
        assert "o000010" in order_ids_pushed(fake) and "o000200" not in order_ids_pushed(fake)

        changed = [10, 200, 201]
        shop.add_orders(
            container, project, [shop.order(n, customers=3, products=4, status="complete") for n in changed]
        )
        assert send_all(container, connector) == 0

        first_after_change = fake.pushes()[pushes_before]
        assert sorted(r["id"] for r in first_after_change.records) == ["o000010", "o000200", "o000201"]
        assert {r["status"] for r in first_after_change.records} == {"complete"}
        counts = order_ids_pushed(fake)
        assert len(counts) == 250
        assert counts["o000010"] == 2, "sent before it changed, and once for the change"
        assert {n for n, c in counts.items() if c != 1} == {"o000010"}, "a superseded historical entry is dropped"
        assert fake.records(type_="order")["o000200"]["status"] == "complete"
        assert len(fake.records(type_="contact")) == 3 and len(fake.records(type_="product")) == 4
        assert fake.errors() == [], "every order went after its customer and products"
        assert_within_the_rules(fake)


def test_a_refused_record_is_logged_with_ometrias_reason_and_the_others_go_on(container: Container) -> None:
    with running_fake_ometria() as fake:
        project = shop.project(container)
        connector = shop.add_ometria(container, project, fake.url)
        shop.add_customers(container, project, 2)
        shop.add_products(container, project, 2)
        shop.add_orders(container, project, [shop.order(n, customers=2, products=2) for n in range(2)])
        assert send_all(container, connector) == 0
        with fake.lock:
            del fake.accounts["main"].store[("product", "p1")]  # Ometria lost product p1: order 1 will be refused

        shop.add_orders(
            container, project, [shop.order(n, customers=2, products=2, status="complete") for n in range(2)]
        )
        assert send_all(container, connector) == 0, "the refused record does not stay queued"

        assert [(e.id, e.reason) for e in fake.errors()] == [("o000001", "unknown product_id p1")]
        assert fake.records(type_="order")["o000000"]["status"] == "complete"
        with container.uow.read() as tx:
            logged = tx.outbound_log.errors(connector.id, before_id=None, limit=10)
            refused_audit = tx.outbound_log.requests_for_subject(project.id, "order:o000001")
            accepted_audit = tx.outbound_log.requests_for_subject(project.id, "order:o000000")
            dead = tx.outbox.dead(project.id, connector.id, 10)
        assert [(e.subject, e.message) for e in logged] == [
            ("order:o000001", "refused by the destination: unknown product_id p1")
        ]
        assert [(r.record.status, r.record.outcome) for r in refused_audit] == [
            (200, "accepted"),
            (200, "rejected: unknown product_id p1"),
        ]
        assert [r.record.outcome for r in accepted_audit] == ["accepted", "accepted"]
        assert all(r.record.url == f"{fake.url}/v2/push" for r in refused_audit + accepted_audit)
        assert dead == []


def test_a_destination_that_is_down_fills_the_dead_letters_and_a_retry_sends_the_latest_state_once_it_is_back(
    settings: Settings, tmp_path: Path
) -> None:
    impatient = load_settings(
        env="test",
        data_dir=tmp_path / "impatient",
        database_url=settings.resolved_database_url,
        secret_key="test-server-key-not-for-production",
        outbox_max_attempts=2,
        outbox_backoff_seconds=0,
    )
    container = build_container(impatient)
    upgrade(container.engine)
    try:
        with running_fake_ometria() as fake:
            project = shop.project(container)
            connector = shop.add_ometria(container, project, fake.url)
            shop.add_customers(container, project, 1)
            shop.add_products(container, project, 1)
            shop.add_orders(container, project, [shop.order(n, customers=1, products=1) for n in range(2)])
            fake.go_down("503")
            assert send_all(container, connector) == 4, "nothing could be sent"
            with container.uow.read() as tx:
                dead = tx.outbox.dead(project.id, connector.id, 10)
            assert sorted(j.payload["entity"] for j in dead) == ["customer", "order", "product"]
            assert all("gave up after" in (j.last_error or "") for j in dead), [j.last_error for j in dead]

            shop.add_orders(container, project, [shop.order(1, customers=1, products=1, status="shipped")])
            fake.come_back()
            assert revive_dead_jobs(container.uow, connector_id=connector.id) == 3
            assert send_all(container, connector) == 0

            with container.uow.read() as tx:
                assert tx.outbox.dead(project.id, connector.id, 10) == []
            assert order_ids_pushed(fake) == Counter({"o000000": 1, "o000001": 1})
            assert fake.records(type_="order")["o000001"]["status"] == "shipped", "built again when retried"
            assert fake.errors() == []
    finally:
        container.close()


def test_two_workers_sharing_the_database_stay_under_the_accounts_rate_limit_and_send_orders_after_products(
    container: Container, settings: Settings
) -> None:
    with running_fake_ometria() as fake:
        project = shop.project(container)
        shop.add_customers(container, project, 40)
        shop.add_products(container, project, 10)
        last_products = [n for n in range(20) if n % 10 >= 5]  # p5..p9: the second product batch
        shop.add_orders(container, project, [shop.order(n, customers=40, products=10) for n in last_products])
        connector = shop.add_ometria(container, project, fake.url, batchSize=5)
        exports.queue_historical(container.uow, connector)
        assert exports.plan_next_run(container.uow, connector.id) == 60
        answer = fake.handle

        def slow_products(method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
            if b'"@type":"product"' in body.replace(b" ", b""):
                time.sleep(1.0)  # a slow answer: the other worker takes the orders meanwhile
            return answer(method, target, headers, body)

        fake.handle = slow_products  # type: ignore[method-assign]
        other = build_container(settings)  # its own engine and connections, like another worker process
        try:
            ran: dict[str, int] = {}
            workers = [
                threading.Thread(target=_work, args=(c, f"w{n}", ran, connector))
                for n, c in enumerate((container, other))
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=120)
        finally:
            other.close()
        assert len(fake.pushes()) == 12
        assert len(fake.records(type_="contact")) == 40 and len(fake.records(type_="order")) == 10
        assert sorted(ran) == ["w0", "w1"] and sum(ran.values()) >= 12, "both workers sent batches"
        assert fake.errors() == [], "no order went before the batch holding its products"
        assert_within_the_rules(fake)


def _work(container: Container, name: str, ran: dict[str, int], connector: Connector) -> None:
    """A worker: runs due jobs one at a time until the destination's queue is empty (or a minute has gone)."""
    handlers = build_handlers(container)
    deadline = time.monotonic() + 60
    while exports.queue_status(container.uow, connector).total() > 0 and time.monotonic() < deadline:
        if run_due_jobs(container.uow, container.box, handlers, worker=name, limit=1) > 0:
            ran[name] = ran.get(name, 0) + 1
        else:
            time.sleep(0.05)


def test_the_schedule_sends_waiting_changes_at_most_max_records_per_run(container: Container) -> None:
    with running_fake_ometria() as fake:
        project = shop.project(container)
        connector = shop.add_ometria(container, project, fake.url, maxRecordsPerRun=2)
        shop.add_customers(container, project, 5)
        assert connector.next_run_at is not None, "every minute by default"
        drain_outbox(container, clock=frozen(connector.next_run_at + timedelta(seconds=1)))
        assert len(fake.records(type_="contact")) == 2, "one scheduled run: two records"
        with container.uow.read() as tx:
            assert sum(tx.exports.counts(connector.id).values()) == 3
