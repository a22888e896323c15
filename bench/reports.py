"""Reports benchmark: 1,000,000 visits and 100,000 orders in SQLite, then the order-sources report for a month and a year.

Builds the data directly through the tables (bulk inserts of visits with skewed, realistic dimensions; orders with
their links, attributions under two models and some refunds), rebuilds the daily rollups with the worker's own
function (services/rollups.py), then times the order-sources report through the service the API calls, several runs
each. Visits have no actions: the pages and products rollups are not measured here.

    .venv/bin/python bench/reports.py --visits 1000000 --orders 100000
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from trackbridge.adapters.db.migrate import upgrade
from trackbridge.config import load_settings
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container, build_container
from trackbridge.services import projects as project_service
from trackbridge.services import reports
from trackbridge.services.order_linking import link_pending
from trackbridge.services.rollups import rebuild_all

T = TypeVar("T")
TZ = "Europe/Berlin"
FIRST_DAY = date(2025, 1, 1)
DAYS = 365
CHUNK = 20_000
SOURCES = [
    ("google", "cpc", "paid_search"),
    ("google", "organic", "organic_search"),
    ("facebook", "social", "social"),
    ("newsletter", "email", "email"),
    ("bing", "organic", "organic_search"),
    ("blog.example", "referral", "referral"),
    ("", "", "direct"),
]
SOURCE_WEIGHTS = [20, 25, 10, 8, 5, 7, 25]
CAMPAIGNS = [f"campaign-{n}" for n in range(30)]
COUNTRIES = {"DE": ["Bayern", "Berlin", "Hamburg", "Hessen"], "US": ["California", "New York", "Texas"], "FR": ["IDF"]}
DEVICES = [("desktop", "Windows", "Chrome"), ("smartphone", "Android", "Chrome"), ("smartphone", "iOS", "Safari")]


def pick(rng: random.Random, items: Sequence[T], weights: Sequence[float] | None = None) -> T:
    return rng.choices(items, weights)[0] if weights else rng.choice(items)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def build_visits(container: Container, project_id: int, visits: int, rng: random.Random) -> list[datetime]:
    span = DAYS * 86_400
    begin = datetime.combine(FIRST_DAY, datetime.min.time(), ZoneInfo(TZ))
    starts = sorted(begin + timedelta(seconds=rng.random() * span) for _ in range(visits))
    columns = (
        "project_id, visitor_id, started_at, last_action_at, duration_seconds, action_count, referrer_type, "
        "referrer_name, utm_source, utm_medium, utm_campaign, channel, lead_source, country_code, region_name, city, "
        "os_name, device_type, browser_name, origin, has_checkout, order_ids"
    )
    sql = f"INSERT INTO sessions ({columns}) VALUES ({', '.join('?' * 22)})"
    for offset in range(0, visits, CHUNK):
        rows = []
        for start in starts[offset : offset + CHUNK]:
            source, medium, channel = pick(rng, SOURCES, SOURCE_WEIGHTS)
            paid = medium in ("cpc", "email", "social")
            country = pick(rng, list(COUNTRIES), [70, 20, 10])
            region = pick(rng, COUNTRIES[country])
            device, os_name, browser = pick(rng, DEVICES, [50, 30, 20])
            rows.append(
                (
                    project_id,
                    f"{rng.getrandbits(64):016x}",
                    stamp(start),
                    stamp(start + timedelta(minutes=3)),
                    180,
                    3,
                    "campaign" if paid else ("website" if source else "direct"),
                    source or None,
                    source if paid else None,
                    medium if paid else None,
                    pick(rng, CAMPAIGNS[:10] if medium == "cpc" else CAMPAIGNS) if paid else None,
                    channel,
                    source or None,
                    country,
                    region,
                    f"{region} city",
                    os_name,
                    device,
                    browser,
                    "tracker",
                    0,
                    "[]",
                )
            )
        with container.engine.begin() as connection:
            connection.exec_driver_sql(sql, rows)
    return starts


def build_orders(
    container: Container, project_id: int, starts: list[datetime], orders: int, rng: random.Random
) -> None:
    visits = len(starts)
    order_sql = (
        "INSERT INTO orders (project_id, id, placed_at, amount, cost, currency, status, status_type, exchange_rate, "
        "coupons, created_at, updated_at, needs_linking, linked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, 0, ?)"
    )
    link_sql = (
        "INSERT INTO order_links (project_id, order_id, session_id, matched_by, reason, gap_seconds, linked_at) "
        "VALUES (?, ?, ?, 'visitor', 'bench', 600, ?)"
    )
    credit_sql = (
        "INSERT INTO order_attributions (project_id, order_id, model, session_id, credit_millionths) "
        "VALUES (?, ?, ?, ?, ?)"
    )
    refund_sql = (
        "INSERT INTO order_refunds (project_id, order_id, refund_id, amount, refunded_at) VALUES (?, ?, ?, ?, ?)"
    )
    for offset in range(0, orders, CHUNK):
        order_rows, links, credits, refunds = [], [], [], []
        for number in range(offset, min(offset + CHUNK, orders)):
            index = rng.randrange(1, visits)
            placed = starts[index] + timedelta(minutes=5)
            order_id = f"B{number:07d}"
            status, kind = pick(rng, [("completed", "PAID"), ("cancelled", "CANCELLED"), ("spam", "SPAM")], [90, 8, 2])
            currency, rate = pick(rng, [("EUR", None), ("USD", "0.92"), ("JPY", None)], [90, 8, 2])
            amount = rng.randrange(10_0000, 500_0000)
            when = stamp(placed)
            order_rows.append(
                (project_id, order_id, when, amount, amount // 2, currency, status, kind, rate, when, when, when)
            )
            session_id = index + 1
            earlier = max(1, session_id - rng.randrange(1, 50))
            links.append((project_id, order_id, session_id, when))
            credits.append((project_id, order_id, "last_non_direct", session_id, 1_000_000))
            credits.append((project_id, order_id, "linear", earlier, 500_000))
            credits.append((project_id, order_id, "linear", session_id, 500_000))
            if rng.random() < 0.05:
                refunds.append((project_id, order_id, "r1", amount // 4, when))
        with container.engine.begin() as connection:
            connection.exec_driver_sql(order_sql, order_rows)
            connection.exec_driver_sql(link_sql, links)
            connection.exec_driver_sql(credit_sql, credits)
            if refunds:
                connection.exec_driver_sql(refund_sql, refunds)


def timed(action: Callable[[], Any], runs: int) -> tuple[float, float, float, Any]:
    """Median and best wall time, and median CPU time of this process, in milliseconds."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        began, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), min(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Build the database in this folder and keep it; reuse it if there.")
    parser.add_argument(
        "--link", action="store_true", help="Also time linking every order afresh (visitor ids set, links dropped)."
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        folder = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        folder.mkdir(parents=True, exist_ok=True)
        reuse = (folder / "bench.db").exists()
        settings = load_settings(
            data_dir=folder, database_url=f"sqlite:///{folder}/bench.db", secret_key="bench-server-key-0123456789"
        )
        container = build_container(settings)
        upgrade(container.engine)
        if reuse:
            with container.uow.read() as tx:
                found = tx.projects.by_name("bench")
            assert found is not None
            project = found
        else:
            project = build(container, args.visits, args.orders)
        measure(container, project, args.runs)
        if args.link:
            measure_linking(container, project)
        container.close()


def build(container: Container, visit_count: int, order_count: int) -> Project:
    rng = random.Random(7)
    project = project_service.create_project(
        container.uow, container.box, "bench", timezone=TZ, base_currency="EUR"
    ).project
    began = time.perf_counter()
    starts = build_visits(container, project.id, visit_count, rng)
    print(f"visits: {visit_count:,} in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    build_orders(container, project.id, starts, order_count, rng)
    print(f"orders: {order_count:,} in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    with container.uow.transaction() as tx:
        days = rebuild_all(tx, project)
    with container.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT count(*) FROM daily_session_rollup").scalar()
        connection.exec_driver_sql("ANALYZE")
    print(f"rollups: {days} days, {rows:,} session rollup rows, in {time.perf_counter() - began:.1f} s")
    with container.engine.connect() as connection:
        order_rows = connection.exec_driver_sql("SELECT count(*) FROM daily_order_rollup").scalar()
    print(f"order rollup: {order_rows:,} rows (6 models)")
    return project


def measure(container: Container, project: Project, runs: int) -> None:
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    june = (date(2025, 6, 1), date(2025, 6, 30))
    year = (FIRST_DAY, last)
    lnd = ["last_non_direct"]
    cases: list[tuple[str, tuple[date, date], str, list[str], dict[str, str | None]]] = [
        ("order-sources, month, source", june, "source", lnd, {}),
        ("order-sources, year, source", year, "source", lnd, {}),
        ("order-sources, year, campaign", year, "campaign", lnd, {}),
        ("order-sources, month, 2 models", june, "source", ["last_non_direct", "linear"], {}),
        ("order-sources, year, 2 models", year, "source", ["last_non_direct", "linear"], {}),
        ("order-sources, year, source, country=DE (no rollup)", year, "source", lnd, {"country": "DE"}),
        ("order-sources, month, source, country=DE (no rollup)", june, "source", lnd, {"country": "DE"}),
        ("devices, month", june, "device", [], {}),
        ("devices, year", year, "device", [], {}),
    ]
    for name, (first, final), dimension, models, filters in cases:
        scope = reports.build_scope(project, first, final, filters, final)

        def run(scope: Any = scope, dimension: str = dimension, models: list[str] = models) -> reports.Report:
            with container.uow.read() as tx:
                if not models:
                    return reports.devices(tx, project, scope, dimension)
                return reports.order_sources(tx, project, scope, dimension, models)

        median, best, cpu, result = timed(run, runs)
        print(f"{name}: median {median:.0f} ms, best {best:.0f} ms, CPU {cpu:.0f} ms ({len(result.rows)} rows)")


def measure_linking(container: Container, project: Project) -> None:
    """Every order linked again from scratch by the worker's linking step: each order gets the visitor id of the visit
    it was built beside, its links and credits are dropped, and ``link_pending`` runs until nothing is waiting."""
    with container.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE orders SET visitor_id = (SELECT s.visitor_id FROM order_links l JOIN sessions s ON s.id = l.session_id"
            " WHERE l.project_id = orders.project_id AND l.order_id = orders.id), needs_linking = 1 WHERE project_id = ?",
            (project.id,),
        )
        connection.exec_driver_sql("DELETE FROM order_attributions WHERE project_id = ?", (project.id,))
        connection.exec_driver_sql("DELETE FROM order_links WHERE project_id = ?", (project.id,))
    began, cpu = time.perf_counter(), time.process_time()
    linked = 0
    while count := link_pending(container.uow):
        linked += count
    wall, used = time.perf_counter() - began, time.process_time() - cpu
    with container.engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT count(*) FROM order_links WHERE project_id = ? AND session_id IS NOT NULL", (project.id,)
        ).scalar()
    print(f"linking: {linked:,} orders in {wall:.1f} s (CPU {used:.1f} s), {found:,} linked to a visit")


if __name__ == "__main__":
    main()
