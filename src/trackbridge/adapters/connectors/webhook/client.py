"""Signed JSON batches to a webhook URL.

Body: ``{"source": "trackbridge", "batchId": ..., "sentAt": ..., "records": [...]}``. Headers:
``X-Trackbridge-Timestamp`` (Unix seconds when sent) and ``X-Trackbridge-Signature: sha256=<hex>``, the HMAC-SHA256 of
the raw body with the connector's secret. ``batchId`` is derived from the records: a retried batch has the same id.
A 2xx answer accepts the batch; it may list records it rejects as ``{"rejected": [{"id": ..., "reason": ...}]}``
(or ``{"rejected": {"id": "reason"}}``). 401/403 → CredentialsRefused; 408/429/5xx/time-out → TransientError
(``Retry-After`` honoured); another status → PermanentError.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from trackbridge.adapters.outbound.http import raise_for_retry_or_refusal, translate_transport_error
from trackbridge.domain.errors import CredentialsRefused, PermanentError
from trackbridge.domain.export import BatchOutcome

SIGNATURE_HEADER = "X-Trackbridge-Signature"
TIMESTAMP_HEADER = "X-Trackbridge-Timestamp"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def batch_body(records: list[dict[str, Any]], sent_at: datetime) -> bytes:
    content = json.dumps(records, separators=(",", ":"), sort_keys=True, default=str)
    batch_id = hashlib.sha256(content.encode()).hexdigest()[:32]
    payload = {
        "source": "trackbridge",
        "batchId": batch_id,
        "sentAt": sent_at.isoformat(timespec="milliseconds"),
        "records": records,
    }
    return json.dumps(payload, separators=(",", ":"), default=str).encode()


def send_batch(
    http: httpx.Client, records: list[dict[str, Any]], settings: dict[str, Any], credential: str | None
) -> BatchOutcome:
    if not records:
        return BatchOutcome()
    if not credential:
        raise CredentialsRefused("the webhook connector has no signing secret: set one")
    now = time.time()
    body = batch_body(records, datetime.fromtimestamp(now, UTC))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(int(now)),
        SIGNATURE_HEADER: sign(credential, body),
    }
    try:
        response = http.post(
            str(settings["url"]), content=body, headers=headers, timeout=float(settings.get("timeoutSeconds", 30))
        )
    except httpx.TransportError as error:
        raise translate_transport_error(error, "webhook") from None
    raise_for_retry_or_refusal(
        response,
        refused="the webhook refused the signature ({status})",
        transient="the webhook answered {status}",
        transient_statuses=(408, 429),
    )
    status = response.status_code
    if not 200 <= status < 300:
        raise PermanentError(f"the webhook refused the batch ({status}): {response.text[:300]}")
    ids = [str(record["id"]) for record in records]
    rejected = _rejected(response, set(ids))
    return BatchOutcome(accepted=[i for i in ids if i not in rejected], rejected=rejected)


def _rejected(response: httpx.Response, ids: set[str]) -> dict[str, str]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    listed = answer.get("rejected") if isinstance(answer, dict) else None
    if isinstance(listed, dict):
        return {str(k): str(v) for k, v in listed.items() if str(k) in ids}
    if isinstance(listed, list):
        return {
            str(item["id"]): str(item.get("reason") or "rejected by the webhook")
            for item in listed
            if isinstance(item, dict) and str(item.get("id")) in ids
        }
    return {}
