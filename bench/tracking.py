"""Tracking benchmark: events through POST /t on loopback, then the worker turning them into visits.

Per engine (SQLite file, PostgreSQL) it starts a real ``trackbridge serve --no-worker``, creates a project with the CLI
and drives Debian's ``wrk`` (C, one thread, a Lua script that builds a fresh body with unique event ids per request)
against /t in two phases: batches of 50 events, then single events. It reports requests/s, accepted events/s, p50/p99
answer time, the CPU share of the load generator and of the server (both share the machine's cores), non-2xx answers,
and the server's peak RSS (psutil, sampled). Then it runs ``trackbridge worker --until-empty`` over the backlog and
reports events/s into visits, after checking that every accepted event became exactly one action.

    sudo apt-get install wrk
    .venv/bin/python bench/tracking.py --engine both --seconds 20
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import sqlalchemy as sa

TOKEN = "bench-t0k3n"
API_KEY = "tbk_bench-api-key-0123456789abcdef"
SERVER_KEY = "bench-server-key-not-for-production"
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CLI = str(Path(sys.executable).with_name("trackbridge"))

LUA = r"""
local counter = 0
local serial = 0
function setup(thread)
  serial = serial + 1
  thread:set("tid", serial)
end
function init(args)
  batch = tonumber(args[1])
  token = args[2]
  prefix = args[3] .. "-" .. tid
  visitors = tonumber(args[4])
  math.randomseed(os.time() * 1000 + tid)
end
function request()
  counter = counter + 1
  local visitor = string.format("%08x%08x", tid, math.random(1, visitors))
  local parts = {}
  for i = 1, batch do
    parts[i] = string.format(
      '{"id":"%s-%d-%d","type":"page_view","url":"https://shop.example/p/%d","title":"Product %d","referrer":"https://www.google.com/"}',
      prefix, counter, i, i, i)
  end
  local body = string.format('{"token":"%s","visitorId":"%s","events":[%s]}', token, visitor, table.concat(parts, ","))
  return wrk.format("POST", "/t", {["Content-Type"] = "text/plain", ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"}, body)
end
"""


@dataclass
class Phase:
    name: str
    batch: int
    connections: int
    requests_per_s: float = 0.0
    events_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    requests: int = 0
    generator_cpu: float = 0.0
    server_cpu: float = 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    name = f"tb_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


class PeakRss(threading.Thread):
    def __init__(self, process: psutil.Process) -> None:
        super().__init__(daemon=True)
        self.process, self.peak, self._done = process, 0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            with contextlib.suppress(psutil.Error):
                rss = self.process.memory_info().rss + sum(c.memory_info().rss for c in self.process.children(True))
                self.peak = max(self.peak, rss)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


@contextlib.contextmanager
def running_server(env: dict[str, str], port: int, log: Path) -> Iterator[psutil.Process]:
    subprocess.run([CLI, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [CLI, "project", "create", "bench", "--token", TOKEN, "--api-key", API_KEY],
        env=env,
        check=True,
        capture_output=True,
    )
    with log.open("wb") as out:
        server = subprocess.Popen(
            [CLI, "serve", "--no-worker", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
            yield psutil.Process(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(phase: Phase, port: int, seconds: int, script: Path, server: psutil.Process, run_id: str) -> None:
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = server.cpu_times()
    started = time.monotonic()
    command = [
        "wrk",
        "-t1",
        f"-c{phase.connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/t",
        "--",
        str(phase.batch),
        TOKEN,
        f"{run_id}-{phase.name}",
        "5000",
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    if os.environ.get("BENCH_VERBOSE"):
        print(output)
    wall = time.monotonic() - started
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = server.cpu_times()
    phase.generator_cpu = (
        after_children.ru_utime + after_children.ru_stime - before_children.ru_utime - before_children.ru_stime
    ) / wall
    phase.server_cpu = (server_after.user + server_after.system - server_before.user - server_before.system) / wall
    phase.requests_per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    phase.requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    phase.p50_ms = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    phase.p99_ms = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    phase.errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        print(f"  ({phase.name}) socket errors: {socket_errors.group(1)}")
    phase.events_per_s = phase.requests_per_s * phase.batch


def db_counts(url: str) -> tuple[int, int, int]:
    """(events in the inbox, actions, distinct action event ids)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        inbox = connection.exec_driver_sql("SELECT coalesce(sum(event_count), 0) FROM inbox").scalar_one()
        actions = connection.exec_driver_sql("SELECT count(*) FROM actions").scalar_one()
        distinct = connection.exec_driver_sql("SELECT count(DISTINCT event_id) FROM actions").scalar_one()
    engine.dispose()
    return int(inbox), int(actions), int(distinct)


def processed_events(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        query = "SELECT coalesce(sum(event_count), 0) FROM inbox WHERE processed_at IS NOT NULL"
        done = int(connection.exec_driver_sql(query).scalar_one())
    engine.dispose()
    return done


def run_worker(env: dict[str, str], url: str, limit: float) -> tuple[int, float]:
    """Runs `trackbridge worker` on the backlog for at most ``limit`` seconds (SIGTERM: it finishes its transaction);
    answers the events processed and the seconds taken, timed from the first processed batch."""
    worker = subprocess.Popen([CLI, "worker", "--until-empty", "--no-yield"], env=env, stdout=subprocess.DEVNULL)
    while processed_events(url) == 0 and worker.poll() is None:
        time.sleep(0.05)
    started, first = time.monotonic(), processed_events(url)
    while worker.poll() is None and time.monotonic() - started < limit:
        time.sleep(0.5)
    if worker.poll() is None:
        worker.terminate()
    worker.wait(timeout=600)
    return processed_events(url) - first, time.monotonic() - started


def run_engine(
    engine: str, seconds: int, batch_connections: int, single_connections: int, worker_seconds_limit: float
) -> None:
    with tempfile.TemporaryDirectory(prefix="tb-bench-") as tmp, contextlib.ExitStack() as stack:
        data_dir = Path(tmp)
        env = {
            **os.environ,
            "TRACKBRIDGE_DATA_DIR": str(data_dir),
            "TRACKBRIDGE_SECRET_KEY": SERVER_KEY,
            "TRACKBRIDGE_LOG_LEVEL": "WARNING",
        }
        env.pop("TRACKBRIDGE_DATABASE_URL", None)
        url = f"sqlite:///{data_dir / 'trackbridge.db'}"
        if engine == "postgresql":
            url = stack.enter_context(postgres_database())
            env["TRACKBRIDGE_DATABASE_URL"] = url
        port = _free_port()
        script = data_dir / "tracking.lua"
        script.write_text(LUA)
        server = stack.enter_context(running_server(env, port, data_dir / "server.log"))
        sampler = PeakRss(server)
        sampler.start()
        run_id = uuid.uuid4().hex[:6]
        phases = [Phase("batch50", 50, batch_connections), Phase("single", 1, single_connections)]
        for phase in phases:
            run_wrk(phase, port, seconds, script, server, run_id)
        time.sleep(2)  # requests in flight when wrk stopped are still answered and stored
        peak = sampler.stop()
        inbox_events, _, _ = db_counts(url)
        accepted = sum(p.requests * p.batch for p in phases)
        worker_events, worker_seconds = run_worker(env, url, worker_seconds_limit)
        _, actions, distinct = db_counts(url)
        processed_total = processed_events(url)

    print(f"\n## {engine}  (wrk -t1; server: trackbridge serve --no-worker, 1 process)")
    print("| phase | conns | req/s | events/s | p50 ms | p99 ms | non-2xx | wrk CPU | server CPU |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in phases:
        print(
            f"| {p.name} | {p.connections} | {p.requests_per_s:,.0f} | {p.events_per_s:,.0f} | {p.p50_ms:.1f} | {p.p99_ms:.1f} "
            f"| {p.errors} | {p.generator_cpu:.0%} | {p.server_cpu:.0%} |"
        )
    print(f"server peak RSS: {peak / 1e6:.0f} MB")
    print(
        f"events answered 2xx (approx., wrk counts finished requests): {accepted:,}; events in the inbox: {inbox_events:,}"
    )
    print(
        f"worker: {worker_events:,} events processed in {worker_seconds:.1f} s = {worker_events / worker_seconds:,.0f} "
        f"events/s into visits (whole pipeline: sessions, identification, order linking, rollups); "
        f"actions {actions:,}, distinct {distinct:,}"
    )
    if actions != processed_total or distinct != actions:
        raise SystemExit("the worker did not turn every accepted event into exactly one action")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--batch-connections", type=int, default=16)
    parser.add_argument("--single-connections", type=int, default=32)
    parser.add_argument("--worker-seconds", type=float, default=60, help="How long the worker phase runs at most.")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: sudo apt-get install wrk")
    if not shutil.which(CLI):
        raise SystemExit(f"{CLI} not found: run `make install` first")
    for engine in ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]:
        run_engine(engine, args.seconds, args.batch_connections, args.single_connections, args.worker_seconds)


if __name__ == "__main__":
    main()
