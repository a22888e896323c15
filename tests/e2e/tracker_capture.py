"""Records what trackbridge's POST /t received from the browser, as it arrived over the network.

An ASGI wrapper around the trackbridge app copies each POST /t body and its headers, then hands the request on unchanged
(Chromium does not expose sendBeacon bodies to Playwright, so the server side is where to look).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

WAIT_SECONDS = 15.0

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]


class TrackerCapture:
    """Every POST /t body trackbridge answered, in order, with the request headers and the answer's status."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/t":
            await self.inner(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False
        status: list[int] = []

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.inner(scope, replay, watch)
        finally:
            # Recorded once answered, so a test that saw a body here knows trackbridge's answer to it (202: stored).
            with self._lock:
                self.bodies.append(json.loads(body))
                self.headers.append({key.decode().lower(): value.decode() for key, value in scope["headers"]})
                self.statuses.append(status[0] if status else 0)

    @property
    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [event for body in self.bodies for event in body["events"]]

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"] == event_type]

    def wait_for(self, page: Any, ready: Callable[[TrackerCapture], bool], what: str) -> None:
        """Lets the browser run until ``ready`` holds; fails saying what never arrived (no timing is asserted)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not ready(self):
            if time.monotonic() > deadline:
                sent = [event["type"] for event in self.events]
                raise AssertionError(f"the tracker never sent {what}; trackbridge received {sent}")
            page.wait_for_timeout(50)

    def wait_for_types(self, page: Any, *types: str) -> None:
        self.wait_for(page, lambda capture: all(capture.of_type(kind) for kind in types), " and ".join(types))
