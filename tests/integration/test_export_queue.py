"""The export queue in the database: live changes supersede historical entries, runs plan live first and each entry
once, a batch only removes the entries that did not change after it was built, and historical exports restart."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.support import export_shop as shop
from trackbridge.adapters.db.outbound_tables import outbox_jobs
from trackbridge.domain.export import EntityType, Lane, RunState
from trackbridge.domain.outbound import JobState
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import exports
from trackbridge.services.outbox import utc_now

ORDER, CUSTOMER, PRODUCT = EntityType.ORDER, EntityType.CUSTOMER, EntityType.PRODUCT
UNUSED_URL = "http://127.0.0.1:9"


def waiting(container: Container, connector_id: int) -> dict[tuple[EntityType, Lane], int]:
    with container.uow.read() as tx:
        return tx.exports.counts(connector_id)


def pending_batches(container: Container, connector_id: int) -> list[dict[str, Any]]:
    query = select(outbox_jobs.c.priority, outbox_jobs.c.payload).where(
        outbox_jobs.c.connector_id == connector_id,
        outbox_jobs.c.kind == exports.SEND_BATCH,
        outbox_jobs.c.state == JobState.PENDING.value,
    )
    with container.engine.connect() as connection:
        return [{"priority": priority, **payload} for priority, payload in connection.execute(query)]


def test_a_change_moves_a_waiting_historical_entry_to_the_live_lane_and_a_historical_export_never_demotes_it(
    container: Container,
) -> None:
    project = shop.project(container)
    shop.add_customers(container, project, 2)
    shop.add_products(container, project, 2)
    shop.add_orders(container, project, [shop.order(n, customers=2, products=2) for n in range(5)])
    connector = shop.add_ometria(container, project, UNUSED_URL)
    exports.queue_historical(container.uow, connector)
    assert waiting(container, connector.id) == {
        (CUSTOMER, Lane.HISTORICAL): 2,
        (PRODUCT, Lane.HISTORICAL): 2,
        (ORDER, Lane.HISTORICAL): 5,
    }

    shop.add_orders(container, project, [shop.order(3, customers=2, products=2, status="complete")])
    assert waiting(container, connector.id) == {
        (CUSTOMER, Lane.HISTORICAL): 2,
        (PRODUCT, Lane.HISTORICAL): 2,
        (ORDER, Lane.HISTORICAL): 4,
        (ORDER, Lane.LIVE): 1,
    }
    exports.queue_historical(container.uow, connector, [ORDER])
    assert waiting(container, connector.id)[(ORDER, Lane.LIVE)] == 1, "a re-export leaves the live entry live"
    assert waiting(container, connector.id)[(ORDER, Lane.HISTORICAL)] == 4, "and queues nothing twice"


def test_a_run_plans_the_live_lane_first_with_its_dependencies_and_never_plans_an_entry_twice(
    container: Container,
) -> None:
    project = shop.project(container)
    shop.add_customers(container, project, 3)
    shop.add_products(container, project, 3)
    shop.add_orders(container, project, [shop.order(n, customers=3, products=3) for n in range(20)])
    connector = shop.add_ometria(container, project, UNUSED_URL, maxRecordsPerRun=5)
    exports.queue_historical(container.uow, connector)
    shop.add_orders(container, project, [shop.order(17, customers=3, products=3, status="complete")])

    assert exports.plan_next_run(container.uow, connector.id) == 5
    batches = pending_batches(container, connector.id)
    # order 17 needs customer 17 % 3 = 2 and product p2: pulled forward into the live lane, ahead of it
    customer_two = str(_customer_id(container, project.id, shop.email(2)))
    assert [(b["entity"], b["lane"], b["ids"]) for b in sorted(batches, key=lambda b: b["priority"])] == [
        ("customer", "live", [customer_two]),
        ("product", "live", ["p2"]),
        ("order", "live", ["o000017"]),
        ("customer", "historical", sorted(set(_all_customer_ids(container, project.id)) - {customer_two})[:2]),
    ]
    assert exports.plan_next_run(container.uow, connector.id) == 5
    planned = [i for b in pending_batches(container, connector.id) for i in b["ids"]]
    assert len(planned) == len(set(planned)) == 10


def _customer_id(container: Container, project_id: int, email: str) -> int:
    with container.uow.read() as tx:
        return int(tx.exports.customer_ids(project_id, [email], [])[0])


def _all_customer_ids(container: Container, project_id: int) -> list[str]:
    with container.uow.read() as tx:
        return tx.exports.entity_ids(project_id, CUSTOMER, None, 100)


def test_a_batch_removes_only_the_entries_that_did_not_change_after_it_was_built(container: Container) -> None:
    project = shop.project(container)
    connector = shop.add_ometria(container, project, UNUSED_URL)
    now = utc_now()
    with container.uow.transaction() as tx:
        tx.exports.enqueue(connector.id, project.id, ORDER, ["a", "b"], Lane.LIVE, now)
        tx.exports.assign(connector.id, ORDER, ["a", "b"], 77)
        built = tx.exports.planned(connector.id, ORDER, ["a", "b"], 77)
        tx.exports.enqueue(connector.id, project.id, ORDER, ["b"], Lane.LIVE, now)  # changes while in flight
        assert tx.exports.settle(connector.id, ORDER, built, 77) == 1
        left = tx.exports.waiting(connector.id, 10)
    assert [(e.entity_id, e.lane) for e in left] == [("b", Lane.LIVE)], "b waits for the next run, unplanned"


def test_entries_of_a_batch_job_that_vanished_wait_again(container: Container) -> None:
    project = shop.project(container)
    connector = shop.add_ometria(container, project, UNUSED_URL)
    with container.uow.transaction() as tx:
        tx.exports.enqueue(connector.id, project.id, PRODUCT, ["p1"], Lane.LIVE, utc_now())
        tx.exports.assign(connector.id, PRODUCT, ["p1"], 123_456)
        assert tx.exports.waiting(connector.id, 10) == []
        assert tx.exports.release_orphans(connector.id) == 1
        assert [e.entity_id for e in tx.exports.waiting(connector.id, 10)] == ["p1"]


class Interrupted(Exception):
    pass


def test_an_interrupted_historical_export_continues_where_it_stopped(container: Container) -> None:
    project = shop.project(container)
    shop.add_customers(container, project, 25)
    connector = shop.add_ometria(container, project, UNUSED_URL)
    seen: list[int] = []

    def stop_after_two_chunks(run: Any) -> None:
        seen.append(run.queued.get("customer", 0))
        if len(seen) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        exports.queue_historical(container.uow, connector, [CUSTOMER], chunk=10, progress=stop_after_two_chunks)
    with container.uow.read() as tx:
        stopped = tx.exports.open_run(connector.id)
    assert stopped is not None and stopped.queued == {"customer": 20} and stopped.totals == {"customer": 25}

    chunks: list[int] = []
    run = exports.queue_historical(
        container.uow, connector, [CUSTOMER], chunk=10, progress=lambda r: chunks.append(r.queued["customer"])
    )
    assert run.id == stopped.id and run.state is RunState.QUEUED
    assert chunks == [20, 25], "it went on from the 21st customer"
    assert waiting(container, connector.id) == {(CUSTOMER, Lane.HISTORICAL): 25}


def test_the_rate_limiter_grants_n_slots_per_window_counted_from_the_end_of_each_request(container: Container) -> None:
    second = 1_000_000
    start = 1_800_000_000 * second

    def acquire(at_us: int) -> Any:
        with container.uow.transaction() as tx:
            return tx.rate_limits.acquire("ometria:acct", 4, 1.0, at_us, 60.0)

    granted = [acquire(start) for _ in range(4)]
    assert sorted(p.slot for p in granted) == [0, 1, 2, 3]
    in_flight = acquire(start)
    assert in_flight.slot is None and in_flight.wait_seconds == 61.0, "slots in flight are leased"
    with container.uow.transaction() as tx:
        tx.rate_limits.release("ometria:acct", 2, start + second // 10)  # the request in slot 2 ended at +0.1 s
    early = acquire(start + second // 2)
    assert early.slot is None and early.wait_seconds == 0.6
    assert acquire(start + second + second // 10).slot == 2
    with container.uow.transaction() as tx:
        other_account = tx.rate_limits.acquire("ometria:other", 4, 1.0, start, 60.0)
    assert other_account.slot == 0, "each account has its own slots"


def test_changes_are_queued_for_the_most_specific_account_of_their_scope_and_products_for_every_account(
    container: Container,
) -> None:
    project = shop.project(container)
    global_account = shop.add_ometria(container, project, UNUSED_URL, name="global", key="key-global")
    uk_account = shop.add_ometria(
        container, project, UNUSED_URL, name="uk", key="key-uk", scope="website", scopeCode="uk"
    )
    shop.add_customers(container, project, 2, website="uk")
    shop.add_customers(container, project, 3, start=2)
    shop.add_products(container, project, 4)
    assert waiting(container, uk_account.id) == {(CUSTOMER, Lane.LIVE): 2, (PRODUCT, Lane.LIVE): 4}
    assert waiting(container, global_account.id) == {(CUSTOMER, Lane.LIVE): 3, (PRODUCT, Lane.LIVE): 4}
