"""A fake Matomo 5 server for tests: the Reporting API's ``Live.getLastVisitsDetails`` and the Tracking API.

Serve it on 127.0.0.1 (``with fake.serve() as url``) or hand ``fake.transport()`` to an httpx client. It answers with the
recorded real visits (tests/fixtures/matomo/), keeps every request it received (``fake.requests``) and has fault
switches (``fake.fault(...)``). How to use it: /work/notes/fake-matomo.md. Behaviour: ../shared/reference/matomo.md.
"""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.support.fake_matomo_live import Visit, select_visits
from tests.support.fake_matomo_tracking import Refused, check, order_visit, request_time

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "matomo"
TOKEN = "matomo-test-token-0123456789abcdef"
AUTH_MESSAGE = (
    "Unable to authenticate with the provided token. It is either invalid, expired or is required to be sent as a POST "
    "parameter."
)
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
HTML = b"This resource is part of Matomo. Keep full control of your data with the leading free and open source web analytics"


def fixture_visits(name: str, **changes: Any) -> list[Visit]:
    """The visits of one recorded fixture file (``name`` with or without ``.json``), each updated with ``changes``."""
    filename = name if name.endswith(".json") else f"{name}.json"
    visits: list[Visit] = json.loads((FIXTURES / filename).read_text(encoding="utf-8"))
    for visit in visits:
        visit.update(copy.deepcopy(changes))
    return visits


def default_visits() -> list[Visit]:
    """Every fixture visit once, with distinct ``idVisit`` (the geo visit becomes 6)."""
    return [
        *fixture_visits("live_getLastVisitsDetails_day1"),
        *fixture_visits("live_getLastVisitsDetails_rich_visit"),
        *fixture_visits("live_visit_with_geo_overrides", idVisit=6),
    ]


@dataclass
class ReceivedRequest:
    method: str
    path: str
    params: dict[str, str]  # $_GET + $_POST, GET first as in PHP
    headers: dict[str, str]
    body: bytes
    kind: str  # "api", "tracking", "bulk" or "other"
    query: dict[str, str] = field(default_factory=dict)  # the URL's query alone (to check what stayed out of it)
    status: int = 0
    bulk: list[dict[str, str]] = field(default_factory=list)


@dataclass
class FakeResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    kind: str  # "503", "500", "429", "slow", "refused"
    times: int | None  # None: until cleared
    endpoint: str | None  # "api", "tracking" or None for both
    retry_after: int = 1
    seconds: float = 3.0


class FakeMatomo:
    def __init__(
        self,
        *,
        token: str = TOKEN,
        sites: tuple[int, ...] = (1,),
        visits: list[Visit] | None = None,
        now: datetime | None = None,
        require_post_token: bool = False,
    ) -> None:
        self.token = token
        self.sites = set(sites)
        self.visits: list[Visit] = copy.deepcopy(default_visits() if visits is None else visits)
        self.now = now  # None: the real clock
        self.require_post_token = require_post_token
        self.requests: list[ReceivedRequest] = []
        self.tracked: list[dict[str, str]] = []  # every hit Matomo recorded
        self.orders: dict[tuple[int, str], dict[str, str]] = {}
        self.carts: list[dict[str, str]] = []
        self.faults: list[Fault] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._port = 0

    # -- state helpers for tests ---------------------------------------------------------------------------------
    def clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    def add_visit(self, visit: Visit) -> Visit:
        with self._lock:
            self.visits.append(copy.deepcopy(visit))
        return visit

    def visit(self, id_visit: int, site: int = 1) -> Visit:
        return next(v for v in self.visits if v["idVisit"] == id_visit and v["idSite"] == site)

    def update_visit(self, id_visit: int, site: int = 1, **changes: Any) -> Visit:
        with self._lock:
            found = self.visit(id_visit, site)
            found.update(copy.deepcopy(changes))
        return found

    def fault(
        self,
        kind: str,
        *,
        times: int | None = None,
        endpoint: str | None = None,
        retry_after: int = 1,
        seconds: float = 3.0,
    ) -> None:
        """Make the next ``times`` requests (all when None) to ``endpoint`` fail the ``kind`` way."""
        with self._lock:
            self.faults.append(Fault(kind, times, endpoint, retry_after, seconds))

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def api_requests(self) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.kind == "api"]

    def tracking_requests(self) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.kind in ("tracking", "bulk")]

    # -- dispatch ------------------------------------------------------------------------------------------------
    def _take_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.endpoint in (None, endpoint):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, client_ip: str, *, sleep: bool = True
    ) -> FakeResponse:
        """Answer one request the way Matomo 5.0.2 does; raises ConnectionRefusedError / TimeoutError for faults
        (TimeoutError only with ``sleep=False``: in process, a slow answer is a time-out at once)."""
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        is_bulk = method == "POST" and b'"requests"' in body
        form = {} if is_bulk else dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        params = {**form, **query}
        is_tracking = parts.path.endswith(("matomo.php", "piwik.php"))
        kind = (
            ("bulk" if is_bulk else "tracking")
            if is_tracking
            else ("api" if params.get("module") == "API" else "other")
        )
        received = ReceivedRequest(method, parts.path, params, dict(headers), body, kind, query)
        with self._lock:
            self.requests.append(received)
        fault = self._take_fault("tracking" if is_tracking else "api")
        response = self._faulty(fault, sleep) if fault is not None else None
        if response is None:
            with self._lock:
                if is_bulk:
                    response = self._bulk(received, client_ip)
                elif is_tracking:
                    response = self._single(params, method, headers, client_ip)
                elif kind == "api":
                    response = self._api(params, query)
                else:
                    response = FakeResponse(200, HTML, {"Content-Type": "text/html"})
        received.status = response.status
        return response

    def _faulty(self, fault: Fault, sleep: bool) -> FakeResponse | None:
        if fault.kind == "refused":
            raise ConnectionRefusedError("fake Matomo refuses the connection")
        if fault.kind == "slow":
            if not sleep:
                raise TimeoutError("fake Matomo is slow")
            time.sleep(fault.seconds)  # then answer normally: the client has given up by now
            return None
        if fault.kind == "429":
            return FakeResponse(429, b"Too Many Requests", {"Retry-After": str(fault.retry_after)})
        return FakeResponse(int(fault.kind), b"<html>Service Unavailable</html>", {"Content-Type": "text/html"})

    # -- Reporting API -------------------------------------------------------------------------------------------
    def _api(self, params: dict[str, str], query: dict[str, str]) -> FakeResponse:
        token = params.get("token_auth", "")
        if token != self.token or (self.require_post_token and "token_auth" in query):
            return _json(401, {"result": "error", "message": AUTH_MESSAGE})
        if params.get("format", "xml").lower() != "json":
            return FakeResponse(
                200, b'<?xml version="1.0" encoding="utf-8" ?>\n<result />', {"Content-Type": "text/xml"}
            )
        method = params.get("method", "")
        if method == "API.getMatomoVersion":
            return _json(200, {"value": "5.0.2"})
        if method != "Live.getLastVisitsDetails":
            return _json(200, {"result": "error", "message": f"The method '{method}' does not exist."})
        site = params.get("idSite", "")
        if not site.isdigit() or int(site) not in self.sites:
            return _json(200, {"result": "error", "message": f"An unexpected website was found: '{site}'."})
        try:
            return _json(200, select_visits(self.visits, params, self.clock()))
        except ValueError as error:
            return _json(200, {"result": "error", "message": str(error)})

    # -- Tracking API --------------------------------------------------------------------------------------------
    def _track(self, params: dict[str, str], token_ok: bool, client_ip: str) -> bool:
        """Record one hit; raise Refused when Matomo would. False when nothing is recorded (no ``rec``)."""
        check(params, sites=self.sites, token_ok=token_ok, orders=set(self.orders), now=self.clock())
        if params.get("rec") != "1":
            return False
        self.tracked.append(dict(params))
        if params.get("idgoal") == "0" and params.get("ec_id"):
            self.orders[(int(params["idsite"]), params["ec_id"])] = dict(params)
            next_id = max((int(v["idVisit"]) for v in self.visits), default=0) + 1
            self.visits.append(order_visit(params, next_id, request_time(params, self.clock()), client_ip))
        elif params.get("idgoal") == "0":
            self.carts.append(dict(params))
        return True

    def _single(self, params: dict[str, str], method: str, headers: dict[str, str], client_ip: str) -> FakeResponse:
        cors = {}
        if method == "POST":
            cors = {
                "Access-Control-Allow-Origin": headers.get("origin", "*"),
                "Access-Control-Allow-Credentials": "true",
            }
        if not params:
            return FakeResponse(200, HTML, {"Content-Type": "text/html"})
        image = params.get("send_image") != "0"
        try:
            self._track(params, params.get("token_auth") == self.token, client_ip)
        except Refused:
            if not params.get("idsite", "").isdigit() or int(params["idsite"]) not in self.sites:
                return FakeResponse(400, HTML, {"Content-Type": "text/html", **cors})
            return FakeResponse(400, GIF if image else b"", {"Content-Type": "image/gif", **cors} if image else cors)
        if not image:
            return FakeResponse(204, b"", cors)
        return FakeResponse(200, GIF, {"Content-Type": "image/gif", "Cache-Control": "no-store", **cors})

    def _bulk(self, received: ReceivedRequest, client_ip: str) -> FakeResponse:
        try:
            payload = json.loads(received.body)
        except ValueError:
            return _json(400, {"status": "error", "tracked": 0, "invalid": 0})
        token_ok = payload.get("token_auth") == self.token
        tracked, invalid = 0, []
        for index, entry in enumerate(payload.get("requests") or []):
            params = (
                dict(parse_qsl(urlsplit(entry).query, keep_blank_values=True))
                if isinstance(entry, str)
                else {str(k): str(v) for k, v in dict(entry).items()}
            )
            received.bulk.append(params)
            try:
                tracked += 1 if self._track(params, token_ok, client_ip) else 0
            except Refused:
                invalid.append(index)
        if str(payload.get("send_image", "")) == "0":
            return FakeResponse(204)
        answer: dict[str, Any] = {"status": "success", "tracked": tracked, "invalid": len(invalid)}
        if token_ok:
            answer["invalid_indices"] = invalid
        return _json(200, answer)

    # -- transports ----------------------------------------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering in-process (faults: "refused" → ConnectError, "slow" → ReadTimeout)."""

        def answer(request: httpx.Request) -> httpx.Response:
            try:
                reply = self.handle(
                    request.method,
                    str(request.url.raw_path, "ascii"),
                    dict(request.headers),
                    request.read(),
                    "127.0.0.1",
                    sleep=False,
                )
            except ConnectionRefusedError as error:
                raise httpx.ConnectError(str(error), request=request) from error
            except TimeoutError as error:
                raise httpx.ReadTimeout(str(error), request=request) from error
            return httpx.Response(reply.status, content=reply.body, headers=reply.headers)

        return httpx.MockTransport(answer)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on 127.0.0.1; yields the base URL (``http://127.0.0.1:PORT``)."""
        self.start_listening()
        try:
            yield f"http://127.0.0.1:{self._port}"
        finally:
            self.stop_listening()

    def start_listening(self) -> None:
        """Listen (again, on the same port after ``stop_listening``)."""
        if self._server is not None:
            return
        if not self._port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self._port = int(sock.getsockname()[1])
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _handler_for(self))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._server = server

    def stop_listening(self) -> None:
        """Close the socket: connections are refused until ``start_listening``."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _json(status: int, data: Any) -> FakeResponse:
    return FakeResponse(
        status, json.dumps(data, separators=(",", ":")).encode(), {"Content-Type": "application/json; charset=utf-8"}
    )


def _handler_for(fake: FakeMatomo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                reply = fake.handle(self.command, self.path, headers, body, self.client_address[0])
            except (ConnectionRefusedError, TimeoutError):
                self.close_connection = True  # drop it unanswered: the closest a live socket gets to a refusal
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if reply.body:
                self.wfile.write(reply.body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
