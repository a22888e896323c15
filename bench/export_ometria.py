"""Export benchmark: a historical export of 100,000 orders (with their customers and products) to the fake Ometria
(tests/support/fake_ometria.py, on 127.0.0.1) at its rate limit of 4 requests/s per account.

Loads a shop in-process (``--orders`` orders of one to three items, one customer per five orders, one product per fifty),
adds an Ometria destination, queues the historical export and times it, then sends with ``--workers`` outbound workers
(processes, each with its own engine) while a planner tops up the batches the
way scheduled runs do. It prints the requests/s and records/s achieved against the ceiling (4 requests/s x 100
records), the most requests the fake saw in any one-second window (it answers 429 to a fifth), and the total time.
Every record must reach the fake, none refused, or the run fails.

    .venv/bin/python bench/export_ometria.py                      # 100,000 orders on SQLite (~5 min of sending)
    .venv/bin/python bench/export_ometria.py --orders 10000 --engine postgresql
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RATE, BATCH = 4, 100
PLAN_CHUNK = 1000  # records a planning round adds: a scheduled run of the default maxRecordsPerRun
VERBOSE = False
LOW_WATER = 8  # plan again when fewer send jobs than this are pending


@contextmanager
def database(engine: str, workdir: Path) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from tests.support.databases import postgres_database

    with postgres_database() as url:
        yield url


def load_shop(container: Any, orders: int) -> tuple[Any, int, int]:
    from trackbridge.domain.resources import CustomerRecord, OrderItem, OrderRecord, ProductRecord
    from trackbridge.services import projects, resources

    projects.create_project(container.uow, container.box, "bench")
    shop = projects.get_project(container.uow, "bench")
    customers, products = max(orders // 5, 1), max(orders // 50, 3)
    for start in range(0, customers, 1000):
        batch = [
            CustomerRecord(email=f"c{n}@example.com", first_name=f"C{n}", last_name="Bench", subscribed=n % 3 == 0)
            for n in range(start, min(start + 1000, customers))
        ]
        resources.store_customers(container.uow, shop, batch)
    price = Decimal("12.50")
    catalogue = [ProductRecord(id=f"p{n}", name=f"Product {n}", price=price, sku=f"SKU-{n}") for n in range(products)]
    resources.store_products(container.uow, shop, catalogue)
    placed = datetime(2026, 1, 1, tzinfo=UTC)
    for start in range(0, orders, 500):
        rows = []
        for n in range(start, min(start + 500, orders)):
            items = tuple(
                OrderItem(product_id=f"p{(n * 7 + i) % products}", quantity=1 + i, price=price)
                for i in range(1 + n % 3)
            )
            rows.append(
                OrderRecord(
                    id=f"o{n:07d}",
                    placed_at=placed + timedelta(seconds=n * 37),
                    amount=sum((item.price or Decimal(0)) * item.quantity for item in items),
                    status="complete",
                    currency="GBP",
                    email=f"c{n % customers}@example.com",
                    items=items,
                )
            )
        results = resources.store_orders(container.uow, shop, rows)
        assert all(r.stored for r in results), [r.reason for r in results if not r.stored][:3]
    return shop, customers, products


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most requests that arrived within any ``window`` (half-open, as the fake counts them)."""
    ordered = sorted(times)
    return max((i - bisect_left(ordered, t - window + 1e-9) + 1 for i, t in enumerate(ordered)), default=0)


def pending_sends(container: Any, connector_id: int) -> int:
    with container.uow.read() as tx:
        return int(tx.outbox.counts(None, connector_id).get("pending", 0))


def work(settings: Any, name: str, stop: Any) -> None:
    """An outbound worker process: its own engine, claiming one batch at a time until told to stop."""
    from trackbridge.entrypoints.bootstrap import build_container
    from trackbridge.entrypoints.jobs.registry import build_handlers
    from trackbridge.services.outbox import run_due_jobs

    container = build_container(settings)
    handlers = build_handlers(container)
    while not stop.is_set():
        if run_due_jobs(container.uow, container.box, handlers, worker=name, limit=1) == 0:
            time.sleep(0.02)
    container.close()


def run(orders: int, engine: str, workers: int) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.fake_ometria import running_fake_ometria

    from trackbridge.adapters.connectors.ometria.settings import parse_settings
    from trackbridge.adapters.db.migrate import upgrade
    from trackbridge.config import load_settings
    from trackbridge.domain.outbound import ConnectorKind
    from trackbridge.entrypoints.bootstrap import build_container
    from trackbridge.services import connectors, exports

    with tempfile.TemporaryDirectory(prefix="tb_export_bench_") as tmp, database(engine, Path(tmp)) as url:
        settings = load_settings(
            env="test", data_dir=Path(tmp), database_url=url, secret_key="bench-server-key-0123456789"
        )
        main = build_container(settings)
        upgrade(main.engine)
        started = time.perf_counter()
        shop, customers, products = load_shop(main, orders)
        print(
            f"shop loaded: {customers:,} customers, {products:,} products, {orders:,} orders "
            f"({time.perf_counter() - started:.0f} s, {engine})"
        )
        with running_fake_ometria() as fake:
            raw = {"endpoint": fake.url, "requestsPerSecond": RATE, "maxRecordsPerRun": PLAN_CHUNK}
            connector = connectors.add_connector(
                main.uow, main.box, shop, ConnectorKind.OMETRIA, "ometria", raw, "test-key", parse_settings
            )
            started = time.perf_counter()
            run_info = exports.queue_historical(main.uow, connector)
            queued = sum(run_info.queued.values())
            print(f"historical export queued: {queued:,} records in {time.perf_counter() - started:.1f} s")

            stop = multiprocessing.get_context("fork").Event()
            processes = [
                multiprocessing.get_context("fork").Process(target=work, args=(settings, f"bench-{i}", stop))
                for i in range(workers)
            ]
            started = time.perf_counter()
            for process in processes:
                process.start()
            while True:
                if pending_sends(main, connector.id) < LOW_WATER:
                    planned = exports.plan_next_run(main.uow, connector.id)
                    if planned == 0 and exports.queue_status(main.uow, connector).total() == 0:
                        break
                time.sleep(0.05)
            total = time.perf_counter() - started
            stop.set()
            for process in processes:
                process.join(timeout=30)
            report(fake, queued, customers, products, orders, total)
        main.close()


def report(fake: Any, queued: int, customers: int, products: int, orders: int, total: float) -> None:
    pushes = fake.pushes()
    times = [p.at for p in pushes]
    records = sum(len(p.records) for p in pushes)
    span = times[-1] - times[0] + 1.0  # every push's window: n pushes at the ceiling fill n / 4 seconds
    held = {t: len(fake.records(type_=t)) for t in ("contact", "product", "order")}
    print(f"pushes: {len(pushes):,} accepted, {len(fake.pushes(status=None)) - len(pushes)} refused (429/other)")
    print(f"records: {records:,} sent, {queued:,} queued; Ometria holds {held}; record errors: {len(fake.errors())}")
    print(f"requests/s: {len(pushes) / span:.2f} of {RATE} ({len(pushes) / span / RATE:.1%} of the ceiling)")
    print(f"records/s:  {records / span:.0f} of {RATE * BATCH} ({records / span / (RATE * BATCH):.1%})")
    print(
        f"most requests in any one-second window: {max_in_window(times)} (limit {RATE}); violations: {len(fake.violations)}"
    )
    if VERBOSE:
        print("arrivals:", " ".join(f"{t - times[0]:.2f}" for t in times))
    print(f"total sending time: {total:.1f} s ({span:.1f} s from the first push's window to the last's)")
    ok = held == {"contact": customers, "product": products, "order": orders} and not fake.errors()
    problems = [
        "records missing or refused" if not ok else "",
        "rate limit exceeded" if fake.violations else "",
        f"{records - queued:+,} records sent against those queued" if records != queued else "",
    ]
    if any(problems):
        raise SystemExit(f"FAILED: {'; '.join(p for p in problems if p)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=2, help="outbound workers sending at once (default 2)")
    args = parser.parse_args()
    run(args.orders, args.engine, max(1, args.workers))


if __name__ == "__main__":
    main()
