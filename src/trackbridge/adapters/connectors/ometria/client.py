"""Ometria's push API (formats.md §3): one POST /v2/push per batch of at most 100 records, record errors read back.

Pacing (at most 4 requests a second per account) is the export engine's shared limiter; this client makes one push
(and, when records were rejected, one read of ``/push/_errors``) and translates the answer:
403 → CredentialsRefused (the connector stops until the key is changed), 429 / 5xx / time-out → TransientError
(retried, never sooner than ``Retry-After``), another 4xx → PermanentError (the batch is dead-lettered with the reason).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from trackbridge.adapters.outbound.http import (
    raise_for_retry_or_refusal,
    retry_after_seconds,
    translate_transport_error,
)
from trackbridge.domain.errors import CredentialsRefused, PermanentError, TransientError
from trackbridge.domain.export import BatchOutcome

log = logging.getLogger(__name__)
UNKNOWN_REASON = "rejected by Ometria (no reason given)"


def send_batch(
    http: httpx.Client, records: list[dict[str, Any]], settings: dict[str, Any], credential: str | None
) -> BatchOutcome:
    if not records:
        return BatchOutcome()
    if not credential:
        raise CredentialsRefused("the Ometria connector has no API key: set one")
    endpoint = str(settings["endpoint"]).rstrip("/")
    headers = {"X-Ometria-Auth": credential, "Accept": "application/json"}
    try:
        response = http.post(f"{endpoint}/v2/push", json=records, headers=headers)
    except httpx.TransportError as error:
        raise translate_transport_error(error, "Ometria push") from None
    _raise_for_status(response)
    answer = _json(response)
    if not isinstance(answer, dict) or str(answer.get("status", "")).upper() != "OK":
        raise TransientError(f"Ometria answered {response.status_code} without status OK: {response.text[:200]}")
    ids = [str(record["id"]) for record in records]
    if not int(answer.get("rejected") or 0):
        return BatchOutcome(accepted=ids)
    rejected = _record_errors(http, endpoint, headers, answer.get("request_id"), set(ids))
    if rejected is None:  # which ones is unknown: they count as sent (a later change sends them again)
        log.warning("Ometria rejected records but their errors could not be read", extra={"endpoint": endpoint})
        rejected = {}
    return BatchOutcome(accepted=[i for i in ids if i not in rejected], rejected=rejected)


def _record_errors(
    http: httpx.Client, endpoint: str, headers: dict[str, str], request_id: Any, ids: set[str]
) -> dict[str, str] | None:
    """Record id → Ometria's reason for the push ``request_id``; None when the errors cannot be read."""
    params = {"request_id": str(request_id)} if request_id else {}
    try:
        response = http.get(f"{endpoint}/v2/push/_errors", params=params, headers=headers)
    except httpx.TransportError:
        return None
    if response.status_code != 200:
        return None
    listed = _json(response)
    items = listed.get("errors", []) if isinstance(listed, dict) else listed
    reasons: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and str(item.get("id")) in ids:
            if request_id and item.get("request_id") not in (None, request_id):
                continue
            reasons[str(item["id"])] = str(item.get("reason") or item.get("message") or UNKNOWN_REASON)
    return reasons


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status == 429:
        raise TransientError("Ometria: too many requests (429)", retry_after=retry_after_seconds(response))
    raise_for_retry_or_refusal(
        response,
        refused="Ometria refused the API key ({status})",
        transient="Ometria answered {status}",
        transient_statuses=(408,),
    )
    if status >= 400:
        raise PermanentError(f"Ometria refused the batch ({status}): {_message(response)}")


def _message(response: httpx.Response) -> str:
    answer = _json(response)
    if isinstance(answer, dict) and answer.get("message"):
        return str(answer["message"])[:300]
    return response.text[:300]


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
