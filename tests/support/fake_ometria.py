"""A fake Ometria push API on 127.0.0.1 that enforces formats.md §3, for integration tests and the benchmark.

``POST /v2/push`` with ``X-Ometria-Auth``: 403 for an unknown key; 400 unless the body is a JSON array of 1..100
objects each with ``"@type"`` and a non-empty ``id``; 429 (``Retry-After``) for a fifth request inside any one-second
window of one account (the violation is recorded, see ``violations``) or when the account's async queue (50,000 records,
draining at ``drain_rate`` records/s) cannot take the batch. Records merge by (type, id): unknown ids insert, known ids
merge the fields sent. Record errors (an order line whose ``product_id`` is unknown, invalid fields) are answered in the
counts and read back from ``GET /push/_errors`` (or ``/v2/push/_errors``, optional ``?request_id=``).
Records are applied when received, in order; the queue only models capacity. See /work/notes/fake-ometria.md.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.fake_server import SwitchableFake, serving

MAX_RECORDS = 100
QUEUE_CAPACITY = 50_000
OPTIN_VALUES = frozenset({"EXPLICITLY_OPTEDIN", "EXPLICITLY_OPTEDOUT", "NOT_SPECIFIED"})
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    at: float  # the fake's clock when it arrived
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    records: list[dict[str, Any]]  # parsed push body ([] when not a valid array)
    status: int
    account: str | None
    request_id: str | None


@dataclass(frozen=True, slots=True)
class RecordError:
    account: str
    request_id: str
    type: str
    id: str
    reason: str


@dataclass(slots=True)
class Account:
    name: str
    window: deque[float] = field(default_factory=deque)  # arrival times of the admitted pushes in the last window
    queue_level: float = 0.0
    queue_at: float = 0.0
    store: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)


class FakeOmetria(SwitchableFake):
    """State and rules; ``running_fake_ometria`` serves it. Every attribute read is safe under ``lock``."""

    def __init__(
        self,
        keys: dict[str, str] | None = None,
        *,
        rate_limit: int = 4,
        window: float = 1.0,
        queue_capacity: int = QUEUE_CAPACITY,
        drain_rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.keys = dict(keys or {"test-key": "main"})  # API key → account name
        self.rate_limit = rate_limit
        self.window = window
        self.queue_capacity = queue_capacity
        self.drain_rate = drain_rate  # records/s the async queue drains at; None drains at once
        self.clock = clock
        self.accounts: dict[str, Account] = {}
        self.requests: list[ReceivedRequest] = []
        self.violations: list[tuple[str, float]] = []  # (account, time) of each push over the rate limit
        self._sequence = 0

    # ------------------------------------------------------------------ reading back
    def account(self, name: str = "main") -> Account:
        with self.lock:
            return self.accounts.setdefault(name, Account(name))

    def records(self, account: str = "main", type_: str | None = None) -> dict[str, dict[str, Any]]:
        """The merged records an account holds, by id (of one ``@type`` when given)."""
        with self.lock:
            store = self.accounts.get(account, Account(account)).store
            return {key[1]: dict(value) for key, value in store.items() if type_ is None or key[0] == type_}

    def errors(self, account: str = "main") -> list[RecordError]:
        with self.lock:
            return list(self.accounts.get(account, Account(account)).errors)

    def pushes(self, account: str | None = None, *, status: int | None = 200) -> list[ReceivedRequest]:
        """The POST /v2/push requests received (of one account, with one answer status; None: any status)."""
        with self.lock:
            return [
                r
                for r in self.requests
                if r.method == "POST"
                and r.path == "/v2/push"
                and (account is None or r.account == account)
                and (status is None or r.status == status)
            ]

    def pushed_records(self, account: str | None = None) -> list[dict[str, Any]]:
        """Every record of every admitted push, in arrival order."""
        return [record for request in self.pushes(account) for record in request.records]

    def queue_level(self, account: str = "main") -> float:
        with self.lock:
            acc = self.accounts.setdefault(account, Account(account))
            self._drain(acc, self.clock())
            return acc.queue_level

    # ------------------------------------------------------------------ the rules
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(target)
        with self.lock:
            now = self.clock()
            status, extra, answer, account, request_id, records = self._route(
                method, parts.path, parts.query, headers, body, now
            )
            self.requests.append(
                ReceivedRequest(now, method, parts.path, headers, body, records, status, account, request_id)
            )
            return status, extra, answer

    def _route(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, now: float
    ) -> tuple[int, dict[str, str], Any, str | None, str | None, list[dict[str, Any]]]:
        if self.down == "503":
            return 503, {}, {"status": "error", "message": "service unavailable"}, None, None, []
        account_name = self.keys.get(headers.get("x-ometria-auth", ""))
        if account_name is None:
            return 403, {}, {"status": "error", "message": "invalid API key"}, None, None, []
        acc = self.accounts.setdefault(account_name, Account(account_name))
        if method == "GET" and path in ("/push/_errors", "/v2/push/_errors"):
            wanted = parse_qs(query).get("request_id", [None])[0]
            listed = [
                {"request_id": e.request_id, "@type": e.type, "id": e.id, "reason": e.reason}
                for e in acc.errors
                if wanted is None or e.request_id == wanted
            ]
            return 200, {}, listed, account_name, None, []
        if method != "POST" or path != "/v2/push":
            return 404, {}, {"status": "error", "message": "not found"}, account_name, None, []
        try:
            records = json.loads(body)
        except ValueError:
            return 400, {}, {"status": "error", "message": "body is not JSON"}, account_name, None, []
        problem = _shape_problem(records)
        if problem:
            return 400, {}, {"status": "error", "message": problem}, account_name, None, []
        while acc.window and acc.window[0] <= now - self.window:
            acc.window.popleft()
        if len(acc.window) >= self.rate_limit:
            self.violations.append((account_name, now))
            wait = max(1, math.ceil(acc.window[0] + self.window - now))
            answer = {"status": "error", "message": "rate limit exceeded"}
            return 429, {"Retry-After": str(wait)}, answer, account_name, None, records
        self._drain(acc, now)
        if acc.queue_level + len(records) > self.queue_capacity:
            over = acc.queue_level + len(records) - self.queue_capacity
            wait = max(1, math.ceil(over / self.drain_rate)) if self.drain_rate else 1
            answer = {"status": "error", "message": "queue full"}
            return 429, {"Retry-After": str(wait)}, answer, account_name, None, records
        acc.window.append(now)
        acc.queue_level += len(records)
        self._sequence += 1
        request_id = f"req-{self._sequence}"
        rejected = sum(1 for record in records if not self._apply(acc, request_id, record))
        answer = {"status": "OK", "request_id": request_id, "accepted": len(records) - rejected, "rejected": rejected}
        return 200, {}, answer, account_name, request_id, records

    def _drain(self, acc: Account, now: float) -> None:
        if self.drain_rate is None:
            acc.queue_level = 0.0
        else:
            acc.queue_level = max(0.0, acc.queue_level - (now - acc.queue_at) * self.drain_rate)
        acc.queue_at = now

    def _apply(self, acc: Account, request_id: str, record: dict[str, Any]) -> bool:
        type_, id_ = str(record["@type"]), str(record["id"])
        known = acc.store.get((type_, id_))
        reason = _record_problem(record, known is not None, acc.store)
        if reason:
            acc.errors.append(RecordError(acc.name, request_id, type_, id_, reason))
            return False
        merged = dict(known or {})
        merged.update(record)
        acc.store[(type_, id_)] = merged
        return True


def _shape_problem(records: Any) -> str | None:
    if not isinstance(records, list):
        return "body must be a JSON array"
    if not 1 <= len(records) <= MAX_RECORDS:
        return f"a push holds 1 to {MAX_RECORDS} records, not {len(records)}"
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            return f"record {index} is not an object"
        if not record.get("@type") or not isinstance(record["@type"], str):
            return f"record {index} has no @type"
        if record.get("id") in (None, "") or not isinstance(record["id"], str | int):
            return f"record {index} has no id"
    return None


def _record_problem(record: dict[str, Any], known: bool, store: dict[tuple[str, str], dict[str, Any]]) -> str | None:
    type_ = record["@type"]
    if type_ == "contact":
        if not known and not (record.get("email") or record.get("customer_id")):
            return "contact needs an email or a customer_id"
        if record.get("email") is not None and (not isinstance(record["email"], str) or "@" not in record["email"]):
            return "invalid email"
        if record.get("marketing_optin") is not None and record["marketing_optin"] not in OPTIN_VALUES:
            return "invalid marketing_optin"
        if record.get("phone_number") is not None and not (
            isinstance(record["phone_number"], str) and E164.match(record["phone_number"])
        ):
            return "phone_number must be E.164"
    elif type_ == "product":
        for name in ("price", "special_price"):
            if record.get(name) is not None and not _is_number(record[name]):
                return f"invalid {name}"
        if record.get("is_active") is not None and not isinstance(record["is_active"], bool):
            return "invalid is_active"
    elif type_ == "order":
        if not known and not record.get("timestamp"):
            return "order needs a timestamp"
        if record.get("timestamp") is not None and not _is_timestamp(record["timestamp"]):
            return "invalid timestamp"
        if record.get("currency") is not None and not (
            isinstance(record["currency"], str) and CURRENCY.match(record["currency"])
        ):
            return "invalid currency"
        if record.get("is_valid") is not None and not isinstance(record["is_valid"], bool):
            return "invalid is_valid"
        for name in ("grand_total", "subtotal", "discount", "shipping", "tax"):
            if record.get(name) is not None and not _is_number(record[name]):
                return f"invalid {name}"
        lines = record.get("lineitems") or []
        if not isinstance(lines, list):
            return "invalid lineitems"
        for line in lines:
            if not isinstance(line, dict):
                return "invalid lineitems"
            product = line.get("product_id")
            if product is None or ("product", str(product)) not in store:
                return f"unknown product_id {product}"
            if "quantity" in line and not _is_number(line["quantity"]):
                return "invalid lineitems quantity"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


@contextmanager
def running_fake_ometria(keys: dict[str, str] | None = None, **options: Any) -> Iterator[FakeOmetria]:
    """A FakeOmetria served on 127.0.0.1; ``fake.url`` is its endpoint (use it as the connector's endpoint)."""
    with serving(FakeOmetria(keys, **options)) as fake:
        yield fake
