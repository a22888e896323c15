"""Order import benchmark: 100,000 orders of 3 items (with their customers and products) through the signed batch API.

Starts a real ``trackbridge serve`` per engine, creates a project with the CLI, pre-builds and signs every batch body,
then sends categories, products, customers and orders with a few concurrent httpx clients. Every answer must say that
all its records were stored, or the benchmark fails. It prints, per phase, records and records/s, the server's peak RSS
(sampled with psutil) and the CPU the client and the server used.

    .venv/bin/python bench/orders_import.py --engine both
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil

TOKEN = "bench-t0k3n"
SECRET = "bench-signing-secret-0123456789"
API_KEY = "tbk_bench-api-key-0123456789abcdef"
SERVER_KEY = "bench-server-key-not-for-production"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CLI = str(Path(sys.executable).with_name("trackbridge"))
START = 1_700_000_000_000  # epoch ms of the first order


# -- data ------------------------------------------------------------------------------------------------------------
@dataclass
class Call:
    path: str
    body: bytes
    digest: str
    records: int


@dataclass
class Phase:
    name: str
    calls: list[Call] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(c.records for c in self.calls)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _sign(path: str, records: list[dict[str, Any]], when: int) -> Call:
    body = orjson.dumps({"time": when, "token": TOKEN, "batch": records})
    return Call(path, body, hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(), len(records))


def _batches(path: str, records: list[dict[str, Any]], size: int) -> list[Call]:
    return [_sign(path, records[i : i + size], START + i) for i in range(0, len(records), size)]


def build_phases(orders: int, customers: int, products: int, categories: int, batch: int) -> list[Phase]:
    """Realistic but cheap data: ids, money as numeric strings, createdAt in ms (as seed 004 sends them)."""
    rng = random.Random(42)
    first = ["Anna", "Boris", "Chloe", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Irina", "Jonas", "Katya", "Luis"]
    last = ["Ivanova", "Smith", "Müller", "Rossi", "García", "Petrov", "Nowak", "Dubois", "Silva", "Kim", "Berg"]
    cats = [{"id": f"c{i}", "name": f"Category {i}", "url": f"https://shop.example/c/{i}"} for i in range(categories)]
    prods = []
    prices = []
    for i in range(products):
        price = rng.randrange(199, 49_999)
        prices.append(price)
        prods.append(
            {
                "id": str(10_000 + i),
                "name": f"Product {i}",
                "sku": f"SKU-{i:05d}",
                "price": _money(price),
                "url": f"https://shop.example/p/{i}",
                "imageUrl": f"https://shop.example/img/{i}.jpg",
                "categories": [f"c{i % categories}", f"c{(i * 7) % categories}"],
            }
        )
    people = []
    for i in range(customers):
        person: dict[str, Any] = {
            "email": f"customer{i}@mail.example",
            "firstName": first[i % len(first)],
            "lastName": last[i % len(last)],
            "createdAt": START - 86_400_000 + i,
            "subscribed": i % 3 == 0,
            "externalId": f"crm-{i}",
        }
        if i % 2 == 0:
            person["phoneNumber"] = f"+49 30 {1_000_000 + i}"
        if i % 10 == 0:
            person["tags"] = ["vip"] if i % 20 == 0 else ["newsletter"]
        people.append(person)
    sales = []
    statuses = ["completed"] * 8 + ["processing", "pending"]
    agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    ]
    for i in range(orders):
        items = []
        subtotal = 0
        for _ in range(3):
            p = rng.randrange(products)
            quantity = rng.randrange(1, 4)
            subtotal += prices[p] * quantity
            items.append(
                {
                    "productId": str(10_000 + p),
                    "quantity": quantity,
                    "price": _money(prices[p]),
                    "sku": f"SKU-{p:05d}",
                    "name": f"Product {p}",
                }
            )
        tax, shipping = subtotal * 19 // 100, 495
        order: dict[str, Any] = {
            "id": str(1_000_000 + i),
            "createdAt": str(START + i * 1_000),
            "amount": _money(subtotal + tax + shipping),
            "subtotal": _money(subtotal),
            "tax": _money(tax),
            "shipping": _money(shipping),
            "currency": "EUR",
            "status": statuses[i % len(statuses)],
            "email": f"customer{rng.randrange(customers)}@mail.example",
            "products": items,
            "ipAddress": f"203.0.113.{i % 250 + 1}",
            "billing": {"city": "Berlin", "countryCode": "DE", "postcode": "10115", "paymentMethod": "card"},
        }
        if i % 2 == 0:
            order["visitorId"] = f"{i:016x}"
            order["userAgent"] = agents[(i // 2) % 2]
        if i % 7 == 0:
            order["coupons"] = ["WELCOME10"]
        if i % 50 == 0:
            order["refunds"] = [{"id": f"r{i}", "amount": _money(shipping), "createdAt": str(START + i * 1_000 + 5)}]
        sales.append(order)
    return [
        Phase("categories", _batches("/v2/category/batch", cats, batch)),
        Phase("products", _batches("/v2/product/batch", prods, batch)),
        Phase("customers", _batches("/v2/customer/batch", people, batch)),
        Phase("orders", _batches("/v2/order/batch", sales, batch)),
    ]


# -- server ----------------------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"tb_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RssSampler(threading.Thread):
    """Samples the resident memory of the server process (and any children) until stopped."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self._process = psutil.Process(pid)
        self._every = every
        self._stop_event = threading.Event()
        self.peak = 0

    def _rss(self) -> int:
        total = 0
        for p in [self._process, *self._process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, self._rss())
            self._stop_event.wait(self._every)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


@contextlib.contextmanager
def running_server(env: dict[str, str], port: int, log: Path) -> Iterator[psutil.Process]:
    subprocess.run([CLI, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [CLI, "project", "create", "bench", "--token", TOKEN, "--secret", SECRET, "--api-key", API_KEY],
        env=env,
        check=True,
        capture_output=True,
    )
    command = [CLI, "serve"]
    serve_help = subprocess.run([CLI, "serve", "--help"], check=True, env=env, capture_output=True, text=True).stdout
    if "--no-worker" in serve_help:
        command.append("--no-worker")
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"the server exited ({server.returncode}); see {log}:\n{log.read_text()}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server did not answer /health within 60 s; see {log}")
                time.sleep(0.1)
            yield psutil.Process(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


# -- client ----------------------------------------------------------------------------------------------------------
async def send_all(base: str, calls: list[Call], concurrency: int) -> None:
    pending = iter(calls)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:

        async def worker() -> None:
            for call in pending:
                answer = await client.post(
                    call.path, content=call.body, headers={"Content-Type": "text/plain", "X-Digest": call.digest}
                )
                if answer.status_code != 200:
                    raise SystemExit(f"{call.path} answered {answer.status_code}: {answer.text[:500]}")
                data = orjson.loads(answer.content)
                if data.get("stored") != call.records or data.get("rejected") != 0:
                    bad = [r for r in data.get("results", []) if r.get("status") != "stored"][:3]
                    raise SystemExit(
                        f"{call.path}: {data.get('stored')} of {call.records} stored; first refusals {bad}"
                    )

        await asyncio.gather(*(worker() for _ in range(concurrency)))


@dataclass
class Measure:
    phase: str
    records: int
    seconds: float
    client_cpu: float
    server_cpu: float


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def run_engine(
    engine: str, phases: list[Phase], concurrency: int, synchronous: str | None, profile: Path | None = None
) -> tuple[list[Measure], int]:
    with contextlib.ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tb-bench-")))
        port = _free_port()
        env = {
            **os.environ,
            "TRACKBRIDGE_DATA_DIR": str(data_dir / "data"),
            "TRACKBRIDGE_SECRET_KEY": SERVER_KEY,
            "TRACKBRIDGE_PORT": str(port),
            "TRACKBRIDGE_LOG_LEVEL": "WARNING",
        }
        env.pop("TRACKBRIDGE_DATABASE_URL", None)
        if engine == "postgresql":
            env["TRACKBRIDGE_DATABASE_URL"] = stack.enter_context(postgres_database())
        if synchronous:
            env["TRACKBRIDGE_SQLITE_SYNCHRONOUS"] = synchronous
        server = stack.enter_context(running_server(env, port, data_dir / "server.log"))
        sampler = RssSampler(server.pid)
        sampler.start()
        measures = []
        for phase in phases:
            spy = _start_profiler(server.pid, profile, engine) if profile and phase.name == "orders" else None
            client0, server0, wall0 = time.process_time(), _cpu(server), time.perf_counter()
            asyncio.run(send_all(f"http://127.0.0.1:{port}", phase.calls, concurrency))
            wall = time.perf_counter() - wall0
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait()
            measures.append(
                Measure(phase.name, phase.records, wall, time.process_time() - client0, _cpu(server) - server0)
            )
        peak = sampler.stop()
        _spot_check(port, phases[-1])
    return measures, peak


def _start_profiler(pid: int, profile: Path, engine: str) -> subprocess.Popen[bytes]:
    """py-spy (pip install py-spy) records the server's stacks during the order phase, as collapsed stacks."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    out = profile.with_name(f"{profile.stem}-{engine}{profile.suffix or '.txt'}")
    command = [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--nonblocking", "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    return process


def _spot_check(port: int, orders: Phase) -> None:
    """Reads the last order back through the read API: it is stored with its three items."""
    last = orjson.loads(orders.calls[-1].body)["batch"][-1]
    answer = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/orders/{last['id']}", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    if answer.status_code != 200:
        raise SystemExit(f"reading order {last['id']} back answered {answer.status_code}: {answer.text[:300]}")


def report(engine: str, measures: list[Measure], peak: int, note: str) -> None:
    print(f"\n== {engine}{note}")
    print(
        f"{'phase':<11}{'records':>9}{'seconds':>9}{'records/s':>11}{'client CPU':>12}{'server CPU':>12}"
        f"{'server CPU µs/record':>22}"
    )
    for m in measures:
        print(
            f"{m.phase:<11}{m.records:>9}{m.seconds:>9.2f}{m.records / m.seconds:>11.0f}"
            f"{m.client_cpu / m.seconds:>11.0%} {m.server_cpu / m.seconds:>11.0%} {m.server_cpu / m.records * 1e6:>21.0f}"
        )
    total_wall = sum(m.seconds for m in measures)
    client = sum(m.client_cpu for m in measures)
    print(f"peak server RSS: {peak / 2**20:.0f} MiB; load average after the run: {os.getloadavg()[0]:.1f}")
    print(
        f"client CPU: {client:.1f} s over {total_wall:.1f} s ({client / total_wall:.0%} of one core, "
        f"{client / total_wall / (os.cpu_count() or 1):.0%} of the machine)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--categories", type=int, default=50)
    parser.add_argument("--batch", type=int, default=500, help="records per call (every resource)")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--profile", type=Path, help="record the server's order phase with py-spy into this file")
    parser.add_argument("--sqlite-synchronous", choices=["FULL", "NORMAL"], help="override the server's default FULL")
    args = parser.parse_args()
    if not shutil.which(CLI):
        raise SystemExit(f"{CLI} not found: run `make install` first")
    started = time.perf_counter()
    phases = build_phases(args.orders, args.customers, args.products, args.categories, args.batch)
    size = sum(len(c.body) for p in phases for c in p.calls)
    print(
        f"built and signed {sum(len(p.calls) for p in phases)} calls ({size / 2**20:.0f} MiB) "
        f"in {time.perf_counter() - started:.1f} s; batch {args.batch}, concurrency {args.concurrency}, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    for engine in engines:
        synchronous = args.sqlite_synchronous if engine == "sqlite" else None
        measures, peak = run_engine(engine, phases, args.concurrency, synchronous, args.profile)
        report(engine, measures, peak, f" (synchronous={synchronous})" if synchronous else "")


if __name__ == "__main__":
    main()
