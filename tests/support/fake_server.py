"""Serving a fake outside API on 127.0.0.1 (``http.server`` in a thread), with the faults tests switch on and off.

A fake is any :class:`SwitchableFake` with ``handle(method, target, headers, body) -> (status, headers, JSON answer)``;
:func:`serving` starts it, ``go_down("503"|"refused")`` / ``come_back()`` make it answer 503 or close its port.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from tests.support.live_server import free_port


class _Handler(BaseHTTPRequestHandler):
    fake: Any  # set on the subclass built per server: anything with handle(method, target, headers, body)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, extra, answer = self.fake.handle(self.command, self.path, headers, body)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _serve
    do_POST = _serve


class FakeServer:
    """Serves a fake (any object with ``handle``) on one port; ``stop``/``start`` refuse and accept again."""

    def __init__(self, fake: Any, port: int | None = None) -> None:
        self.fake = fake
        self.port = port or free_port()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        handler = type("BoundHandler", (_Handler,), {"fake": self.fake})
        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


class SwitchableFake:
    """What the served fakes share: a lock over their state, the fault switched on (``down``), their server and URL."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down: str | None = None  # None, "503" (answers 503) or "refused" (the port is closed)
        self.url = ""
        self.server: FakeServer | None = None

    def go_down(self, mode: str = "503") -> None:
        """ "503": every call is answered 503; "refused": the port is closed (connection refused)."""
        with self.lock:
            self.down = mode
        if mode == "refused" and self.server is not None:
            self.server.stop()

    def come_back(self) -> None:
        with self.lock:
            was_refused, self.down = self.down == "refused", None
        if was_refused and self.server is not None:
            self.server.start()


F = TypeVar("F", bound=SwitchableFake)


@contextmanager
def serving(fake: F, path: str = "") -> Iterator[F]:
    """``fake`` served on 127.0.0.1 until the block ends; ``fake.url`` is its address followed by ``path``."""
    fake.server = FakeServer(fake)
    fake.url = fake.server.url + path
    fake.server.start()
    try:
        yield fake
    finally:
        fake.server.stop()
