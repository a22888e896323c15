"""Sending one planned batch of an export (the ``export.send_batch`` job), and the rate limiter shared through the
database that keeps every worker process together under a destination account's requests per second.

The records are built when the batch is sent, from the latest state. After the platform answers, each record's audit
(when, where, the answer) goes to the connector's request log under the subject ``"<entity>:<id>"``, a refused record
to the error log with the platform's reason (the others go on), and the queue entries the batch covered are removed,
except those that changed after their record was built: they wait for the next run. A failed call raises, and the
outbox retries the job (with the records built again) or buries it in the dead letters.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trackbridge.domain.errors import PermanentError, TransientError
from trackbridge.domain.export import BatchOutcome, EntityType
from trackbridge.domain.outbound import Connector, JobState, RequestRecord
from trackbridge.services.outbox import JobContext
from trackbridge.services.ports import UnitOfWork

log = logging.getLogger(__name__)

JsonObject = dict[str, Any]
DEFAULT_REQUESTS_PER_SECOND = 4.0
SLOT_LEASE_SECONDS = 120.0  # longer than any call may take; a slot whose worker died frees itself after it
_MAX_NAP_SECONDS = 1.0
DEPENDENCY_WAIT_SECONDS = 30.0
_DEPENDENCY_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class Destination:
    """What a destination kind brings to a batch (its adapters, bound by the job handler)."""

    build_record: Callable[[str, JsonObject, dict[str, Any]], JsonObject | None]
    record_key: Callable[[str, JsonObject, dict[str, Any]], str]
    send: Callable[[list[JsonObject]], BatchOutcome]


@dataclass(frozen=True, slots=True)
class RateLimit:
    key: str
    limit: int  # requests ...
    window_seconds: float  # ... per window

    @classmethod
    def for_connector(cls, connector: Connector, credential: str | None) -> RateLimit:
        """One limit per destination account: connectors sharing a credential share it (hashed, never stored)."""
        per_second = float(connector.settings.get("requestsPerSecond") or DEFAULT_REQUESTS_PER_SECOND)
        limit = max(1, int(per_second))
        if credential:
            account = hashlib.sha256(credential.encode()).hexdigest()[:32]
            key = f"{connector.kind.value}:{account}"
        else:
            key = f"connector:{connector.id}"
        return cls(key=key, limit=limit, window_seconds=limit / per_second)


def _now_us(wall: Callable[[], float]) -> int:
    return int(wall() * 1_000_000)


def wait_for_slot(
    uow: UnitOfWork,
    rate: RateLimit,
    *,
    sleep: Callable[[float], None] = time.sleep,
    wall: Callable[[], float] = time.time,
) -> int:
    """Waits for a free slot of ``rate`` (each try a short transaction of its own) and returns it, leased."""
    while True:
        with uow.transaction() as tx:
            permit = tx.rate_limits.acquire(
                rate.key, rate.limit, rate.window_seconds, _now_us(wall), SLOT_LEASE_SECONDS
            )
        if permit.slot is not None:
            return permit.slot
        sleep(min(permit.wait_seconds, _MAX_NAP_SECONDS))


def send_batch(
    context: JobContext,
    destination: Destination,
    rate: RateLimit,
    *,
    sleep: Callable[[float], None] = time.sleep,
    wall: Callable[[], float] = time.time,
) -> None:
    """The ``export.send_batch`` job: builds, sends and settles one batch (payload: connector, entity, ids, lane)."""
    connector = context.connector
    if connector is None:
        raise PermanentError("the destination of this export batch was removed")
    job = context.job
    entity = EntityType(str(job.payload["entity"]))
    ids = [str(i) for i in job.payload.get("ids", [])]
    if entity is EntityType.ORDER:
        _await_dependencies(context, connector, ids, sleep=sleep)
    with context.uow.read() as tx:
        versions = tx.exports.planned(connector.id, entity, ids, job.id)
        snapshots = tx.exports.snapshots(connector.project_id, entity, list(versions))
    records: list[JsonObject] = []
    by_key: dict[str, str] = {}
    for entity_id in ids:
        data = snapshots.get(entity_id)
        if entity_id not in versions or data is None:
            continue  # sent by an earlier try, or deleted since it was queued
        record = destination.build_record(entity.value, data, connector.settings)
        if record is None:
            continue  # this destination does not take it
        records.append(record)
        by_key[destination.record_key(entity.value, data, connector.settings)] = entity_id
    if not records:
        with context.uow.transaction() as tx:
            tx.exports.settle(connector.id, entity, versions, job.id)
        return
    first_call = len(context.requests)
    slot = wait_for_slot(context.uow, rate, sleep=sleep, wall=wall)
    try:
        outcome = destination.send(records)
    except BaseException:
        ended = _now_us(wall)
        with context.uow.transaction() as tx:
            tx.rate_limits.release(rate.key, slot, ended)
        raise
    ended = _now_us(wall)  # the answer is in, so the request arrived before this: the slot's window starts here
    with context.uow.transaction() as tx:
        tx.rate_limits.release(rate.key, slot, ended)
        tx.exports.settle(connector.id, entity, versions, job.id)
    _audit(context, entity, by_key, outcome, context.requests[first_call:])
    log.info(
        "export batch sent",
        extra={"connector": connector.id, "entity": entity.value, "records": len(records), "job": job.id},
    )


def _await_dependencies(
    context: JobContext, connector: Connector, order_ids: list[str], *, sleep: Callable[[float], None]
) -> None:
    """Orders go after the customers and products they refer to (Ometria refuses an order whose products it does not
    know). While another worker is sending a batch holding one of them, wait for it; while such a batch has not been
    taken yet, step back (a short retry) so that it goes first."""
    with context.uow.read() as tx:
        refs = {ref for refs in tx.exports.dependencies(connector.project_id, order_ids).values() for ref in refs}
    if not refs:
        return
    deadline = time.monotonic() + DEPENDENCY_WAIT_SECONDS
    while True:
        with context.uow.read() as tx:
            states = tx.exports.in_flight(connector.id, refs, context.job.id)
        if not states:
            return
        if JobState.PENDING in states or time.monotonic() >= deadline:
            raise TransientError("the customers or products of these orders are not sent yet", retry_after=1.0)
        sleep(_DEPENDENCY_POLL_SECONDS)


def _audit(
    context: JobContext,
    entity: EntityType,
    by_key: dict[str, str],
    outcome: BatchOutcome,
    calls: list[RequestRecord],
) -> None:
    """Per record: the call that carried it (when, where, the status) and the platform's answer for it."""
    call = next((c for c in calls if c.method == "POST"), calls[0] if calls else None)
    for key, entity_id in by_key.items():
        subject = f"{entity.value}:{entity_id}"
        reason = outcome.rejected.get(key)
        if reason is not None:
            context.error(subject, f"refused by the destination: {reason}")
        if call is not None:
            answer = "accepted" if reason is None else f"rejected: {reason}"
            context.record(
                RequestRecord(
                    at=call.at,
                    method=call.method,
                    url=call.url,
                    status=call.status,
                    duration_ms=call.duration_ms,
                    subject=subject,
                    outcome=answer,
                )
            )
