"""A local webhook receiver on 127.0.0.1 that checks trackbridge's HMAC-SHA256 signature and keeps the batches.

Every POST must carry ``X-Trackbridge-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>`` and
``X-Trackbridge-Timestamp``; a missing or wrong signature is answered 401 and kept in ``refused``. Good batches are
parsed and kept in ``batches`` (with their headers). ``go_down("503"|"refused")`` / ``come_back()`` switch faults;
``fail_next(status, n)`` answers the next n good calls with ``status``; ids in ``reject`` are answered as rejected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.support.fake_server import SwitchableFake, serving

SIGNATURE_HEADER = "x-trackbridge-signature"
TIMESTAMP_HEADER = "x-trackbridge-timestamp"


@dataclass(frozen=True, slots=True)
class ReceivedBatch:
    path: str
    headers: dict[str, str]
    body: bytes
    payload: Any


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookReceiver(SwitchableFake):
    def __init__(self, secret: str = "webhook-secret") -> None:
        super().__init__()
        self.secret = secret
        self.batches: list[ReceivedBatch] = []
        self.refused: list[ReceivedBatch] = []
        self.attempts: list[ReceivedBatch] = []  # every correctly signed call, kept or failed on purpose
        self._failures: list[int] = []
        self.reject: dict[str, str] = {}  # record id → reason, answered as {"rejected": [...]} when in a batch

    def records(self) -> list[dict[str, Any]]:
        """Every record of every kept batch, in arrival order."""
        with self.lock:
            return [record for batch in self.batches for record in batch.payload.get("records", [])]

    def fail_next(self, status: int, times: int = 1) -> None:
        with self.lock:
            self._failures.extend([status] * times)

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            if self.down == "503":
                return 503, {}, {"error": "down"}
            try:
                payload = json.loads(body) if body else None
            except ValueError:
                payload = None
            batch = ReceivedBatch(target, headers, body, payload)
            given = headers.get(SIGNATURE_HEADER, "")
            if (
                method != "POST"
                or not headers.get(TIMESTAMP_HEADER)
                or not hmac.compare_digest(given, signature(self.secret, body))
            ):
                self.refused.append(batch)
                return 401, {}, {"error": "bad signature"}
            self.attempts.append(batch)
            if self._failures:
                return self._failures.pop(0), {"Retry-After": "1"}, {"error": "failing on purpose"}
            if not isinstance(payload, dict):
                self.refused.append(batch)
                return 400, {}, {"error": "body is not a JSON object"}
            self.batches.append(batch)
            ids = [str(record.get("id")) for record in payload.get("records", [])]
            rejected = [{"id": i, "reason": self.reject[i]} for i in ids if i in self.reject]
            return 200, {}, {"received": len(ids), "rejected": rejected}


@contextmanager
def running_webhook_receiver(secret: str = "webhook-secret") -> Iterator[WebhookReceiver]:
    with serving(WebhookReceiver(secret), "/hooks/trackbridge") as receiver:
        yield receiver
