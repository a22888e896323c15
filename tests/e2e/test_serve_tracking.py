"""`trackbridge serve` processes tracked events in-process by default; with `--no-worker` it only accepts them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.support.live_server import free_port

TOKEN = "serve-t0k3n"


@contextmanager
def served(tmp_path: Path, *args: str) -> Iterator[tuple[str, sa.Engine]]:
    port = free_port()
    data_dir = tmp_path / "data"
    env = {**os.environ, "TRACKBRIDGE_DATA_DIR": str(data_dir), "TRACKBRIDGE_PORT": str(port), "COLUMNS": "200"}
    env.pop("TRACKBRIDGE_DATABASE_URL", None)
    cli = [sys.executable, "-m", "trackbridge.entrypoints.cli.main"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(
        [*cli, "project", "create", "shop", "--token", TOKEN], env=env, check=True, capture_output=True, timeout=60
    )
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [*cli, "serve", *args], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    engine = sa.create_engine(f"sqlite:///{data_dir / 'trackbridge.db'}")
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield base, engine
    finally:
        server.terminate()
        server.wait(timeout=30)
        engine.dispose()


def send_events(base: str) -> None:
    body = {
        "token": TOKEN,
        "visitorId": "0a1b2c3d4e5f6a7b",
        "events": [
            {"id": "s1", "type": "page_view", "url": "https://shop.example/", "referrer": "https://www.google.com/"},
            {"id": "s2", "type": "product_view", "url": "https://shop.example/p/1", "properties": {"productId": "1"}},
        ],
    }
    answer = httpx.post(f"{base}/t", json=body, headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"})
    assert answer.status_code == 202, answer.text


def sessions(engine: sa.Engine) -> list[tuple[int, str | None]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql("SELECT action_count, channel FROM sessions").all()]  # type: ignore[misc]


@pytest.mark.timeout(180)
def test_serve_turns_accepted_events_into_a_visit_without_a_separate_worker(tmp_path: Path) -> None:
    with served(tmp_path) as (base, engine):
        send_events(base)
        deadline = time.monotonic() + 60
        while not sessions(engine):
            assert time.monotonic() < deadline, "the in-process worker made no visit"
            time.sleep(0.2)
        assert sessions(engine) == [(2, "organic_search")]


@pytest.mark.timeout(180)
def test_serve_with_no_worker_only_accepts(tmp_path: Path) -> None:
    with served(tmp_path, "--no-worker") as (base, engine):
        send_events(base)
        time.sleep(1.5)
        assert sessions(engine) == []
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT sum(event_count) FROM inbox").scalar() == 2
