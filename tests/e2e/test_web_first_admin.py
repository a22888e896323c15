"""`make run` on a fresh data directory prints the first admin's credentials, and they sign in to the web UI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live_server import free_port


def _wait_for_health(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not answer /health")


def test_first_start_prints_an_admin_whose_password_signs_in(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "TRACKBRIDGE_DATA_DIR": str(tmp_path / "data"),
        "TRACKBRIDGE_PORT": str(port),
        "COLUMNS": "200",
    }
    env.pop("TRACKBRIDGE_DATABASE_URL", None)
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "trackbridge.entrypoints.cli.main", "serve", "--no-worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(base)
        output = log_path.read_text()
        assert "First start: sign in to the web UI with" in output, output
        email = re.search(r"e-mail\s+│\s+(\S+)", output)
        password = re.search(r"password \(shown once\)\s+│\s+(\S+)", output)
        assert email is not None and password is not None, output
        assert email.group(1) == "admin@localhost"
        with httpx.Client(base_url=base) as browser:
            form = browser.get("/sign-in")
            token = re.search(r'name="signin_token" value="([^"]+)"', form.text)
            assert token is not None
            data = {"email": email.group(1), "password": password.group(1), "signin_token": token.group(1)}
            signed_in = browser.post("/sign-in", data=data)
            assert signed_in.status_code == 303 and "tb_session" in browser.cookies
            dashboard = browser.get("/", follow_redirects=True)
            assert dashboard.url.path == "/p/default/" and "<h1>Dashboard</h1>" in dashboard.text
    finally:
        server.terminate()
        server.wait(timeout=20)
