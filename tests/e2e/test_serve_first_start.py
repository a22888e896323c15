"""`make run`'s last step on a fresh data directory: migrate, create a first project, print it, and serve."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live_server import free_port


def test_serve_on_a_fresh_data_dir_prints_credentials_and_answers_health(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "TRACKBRIDGE_DATA_DIR": str(tmp_path / "data"),
        "TRACKBRIDGE_PORT": str(port),
        "COLUMNS": "200",
    }
    env.pop("TRACKBRIDGE_DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "trackbridge.entrypoints.cli.main", "serve", "--no-worker"]
        if "--no-worker" in _serve_help()
        else [sys.executable, "-m", "trackbridge.entrypoints.cli.main", "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert status == 200
        log.seek(0)
        output = log.read()
        assert "First start" in output
        for label in ("token (public)", "site id", "signing secret", "API key (shown once)"):
            assert label in output, output
        assert (tmp_path / "data" / "trackbridge.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)


def _serve_help() -> str:
    return subprocess.run(
        [sys.executable, "-m", "trackbridge.entrypoints.cli.main", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    ).stdout
