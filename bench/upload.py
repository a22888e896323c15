"""CRM upload benchmark: a 100,000-row CSV of orders (seed 003's format) stored by `trackbridge upload`.

Generates the files in a temporary directory, migrates a fresh database, creates a project and uploads 20,000 customers,
then times `trackbridge upload orders.csv --kind orders` (a separate process, as an operator runs it) and reads that
process's peak RSS from the kernel (wait4). A 10-row upload gives the baseline RSS, so the difference shows what the
file's size costs in memory: with streaming, next to nothing. A second run of the same file (UPDATE: every row an
existing order) is timed too.

    .venv/bin/python bench/upload.py --engine sqlite --rows 100000 [--api]

With ``--api`` the same file is sent once more as a multipart POST to a real ``trackbridge serve`` (its RSS sampled with
psutil), which shows the receiving side streams too.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import psycopg

CLI = str(Path(sys.executable).with_name("trackbridge"))
SERVER_KEY = "bench-server-key-not-for-production"
API_KEY = "tbk_bench-upload-key-0123456789abcdef"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
STATUSES = ["IN_PROGRESS", "PAID", "PAID", "PAID", "CANCELLED", "SPAM"]


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    output: str


def write_customers(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("uniq_id,name,create_date_time,client_ids,emails,phones\n")
        for i in range(count):
            f.write(f"c-{i},Customer {i},2024-01-01 10:00:00,{i:016x},customer{i}@example.com,7999{i:07d}\n")


def write_orders(path: Path, rows: int, customers: int) -> None:
    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as f:
        f.write("id,client_uniq_id,client_type,create_date_time,order_status,revenue,cost,products,currency\n")
        for i in range(rows):
            day, second = divmod(i, 86_400 // 4)
            moment = f"2024-{1 + day % 12:02d}-{1 + day % 28:02d} {second // 900 % 24:02d}:{second % 60:02d}:00"
            products = f'"Product {rng.randrange(500)}:{rng.randint(1, 3)},Product {rng.randrange(500)}:1"'
            revenue = rng.randrange(500, 50_000) / 100
            f.write(
                f"o-{i},c-{rng.randrange(customers)},CONTACT,{moment},{rng.choice(STATUSES)},"
                f"{revenue},{revenue / 2:.2f},{products},EUR\n"
            )


def run_cli(env: dict[str, str], *args: str) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen([CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"`trackbridge {' '.join(args)}` failed:\n{output}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output)  # ru_maxrss is in KiB on Linux


def through_api(env: dict[str, str], orders_csv: Path, rows: int) -> None:
    """The orders file again (UPDATE) as a multipart POST to a real `trackbridge serve`, whose RSS is sampled."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [CLI, "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        process = psutil.Process(server.pid)
        while not done.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.05)

    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60) as client:
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            idle = psutil.Process(server.pid).memory_info().rss
            threading.Thread(target=sample, daemon=True).start()
            started = time.perf_counter()
            with orders_csv.open("rb") as file:
                answer = client.post("/api/v1/uploads", params={"kind": "orders"}, files={"file": file})
            received = time.perf_counter() - started
            upload_id = answer.json()["id"]
            while (state := client.get(f"/api/v1/uploads/{upload_id}").json())["status"] not in ("done", "failed"):
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
        done.set()
        print(
            f"orders through the API (UPDATE): 202 after {received:.2f} s, {state['status']} after {elapsed:.1f} s, "
            f"{state['rowsStored']:,} of {rows:,} stored; server RSS {idle / 2**20:.0f} MB idle, "
            f"peak {peak[0] / 2**20:.0f} MB"
        )
    finally:
        done.set()
        server.terminate()
        server.wait(30)


def bench(engine: str, rows: int, customers: int, workdir: Path, api: bool) -> None:
    env = {**os.environ, "TRACKBRIDGE_DATA_DIR": str(workdir / "data"), "TRACKBRIDGE_SECRET_KEY": SERVER_KEY}
    env.update({"COLUMNS": "120", "TRACKBRIDGE_LOG_LEVEL": "WARNING"})
    database = None
    if engine == "postgresql":
        database = f"bench_upload_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        env["TRACKBRIDGE_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{database}"
    try:
        run_cli(env, "migrate")
        run_cli(env, "project", "create", "bench", "--api-key", API_KEY)
        customers_csv, orders_csv, small_csv = workdir / "customers.csv", workdir / "orders.csv", workdir / "small.csv"
        write_customers(customers_csv, customers)
        write_orders(orders_csv, rows, customers)
        write_orders(small_csv, 10, customers)
        upload = ["upload", "--project", "bench", "--kind"]
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        loaded = run_cli(env, *upload, "customers", str(customers_csv))
        baseline = run_cli(env, *upload, "orders", str(small_csv))
        first = run_cli(env, *upload, "orders", str(orders_csv))
        again = run_cli(env, *upload, "orders", str(orders_csv))
        size_mb = orders_csv.stat().st_size / 1024 / 1024
        print(f"\n== {engine}: {rows:,} orders, file {size_mb:.1f} MB ==")
        print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'run':<28} {'wall':>8} {'CPU':>8} {'peak RSS':>9}")
        for name, result in (
            (f"customers ({customers:,})", loaded),
            ("orders, 10 rows (baseline)", baseline),
            ("orders, new", first),
            ("orders, again (UPDATE)", again),
        ):
            print(
                f"{name:<28} {result.seconds:7.1f}s {result.cpu_seconds:7.1f}s {result.peak_rss_mb:6.0f} MB"
                f"   (+{result.peak_rss_mb - baseline.peak_rss_mb:.0f} MB over the baseline)"
            )
        if api:
            through_api(env, orders_csv, rows)
        if "rows stored" not in first.output or f"{rows}" not in first.output.replace(",", ""):
            raise SystemExit(f"the upload did not store every row:\n{first.output}")
    finally:
        if database is not None:
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--api", action="store_true", help="also upload the orders again through a running server")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    for engine in engines:
        with tempfile.TemporaryDirectory(prefix="trackbridge-upload-bench-") as workdir:
            bench(engine, args.rows, args.customers, Path(workdir), args.api)


if __name__ == "__main__":
    main()
