"""Use cases of the export to marketing platforms: queuing changes (live) and whole entity types (historical), planning
the runs that send them in batches, and the queue's status.

A destination is an enabled connector of an export kind (Ometria, webhook). Changes are queued in the transaction of
the change (``services.outbound_hooks``); a scheduled run (cron in the connector's ``schedule``) plans the next records
by the rules of ``domain.export`` into outbox jobs of kind ``export.send_batch``, one per call to the platform.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.export import (
    DEFAULT_MAX_RECORDS_PER_RUN,
    ENTITY_SEQUENCE,
    MAX_BATCH_RECORDS,
    EntityType,
    ExportRun,
    Lane,
    PlannedBatch,
    RunState,
    plan_run,
)
from trackbridge.domain.export_scopes import choose_destinations
from trackbridge.domain.outbound import Connector, ConnectorKind, NewJob
from trackbridge.services.outbox import Clock, enqueue, utc_now
from trackbridge.services.ports import Transaction, UnitOfWork

log = logging.getLogger(__name__)

EXPORT_KINDS = frozenset({ConnectorKind.OMETRIA, ConnectorKind.WEBHOOK})
SEND_BATCH = "export.send_batch"
HISTORICAL_CHUNK = 1000
_LANE_PRIORITY = {Lane.LIVE: 10, Lane.HISTORICAL: 20}  # + the entity's place: customers, products, then orders


@dataclass(frozen=True, slots=True)
class QueueStatus:
    connector: Connector
    waiting: dict[tuple[EntityType, Lane], int]
    run: ExportRun | None

    def total(self) -> int:
        return sum(self.waiting.values())


def is_export_connector(connector: Connector) -> bool:
    return connector.kind in EXPORT_KINDS


def max_records_per_run(connector: Connector) -> int:
    return max(1, int(connector.settings.get("maxRecordsPerRun", DEFAULT_MAX_RECORDS_PER_RUN)))


def parse_entity(value: str) -> EntityType:
    try:
        return EntityType(value.strip().lower())
    except ValueError:
        names = ", ".join(e.value for e in EntityType)
        raise InvalidInput(f"unknown entity {value!r}; one of {names}", "entity") from None


# --- queuing ------------------------------------------------------------------------------------------------------


def _destinations(tx: Transaction, project_id: int) -> list[Connector]:
    return [c for c in tx.connectors.list(project_id) if c.enabled and is_export_connector(c)]


def takes(connector: Connector, entity: EntityType) -> bool:
    """Whether the destination takes this entity type (settings["entities"], all of them by default)."""
    return entity.value in connector.settings.get("entities", [e.value for e in EntityType])


def batch_size(connector: Connector) -> int:
    return min(MAX_BATCH_RECORDS, max(1, int(connector.settings.get("batchSize") or MAX_BATCH_RECORDS)))


def _route(
    tx: Transaction, project_id: int, entity: EntityType, ids: Sequence[str], destinations: Sequence[Connector]
) -> dict[int, list[str]]:
    """Per destination, the ids it takes: customers and orders by their website and store view (the most specific
    account wins, see ``domain.export_scopes``). Products belong to no scope and go to every destination: an account
    that gets an order must know its products, or it refuses the order."""
    if entity is EntityType.PRODUCT:
        return {c.id: list(ids) for c in destinations}
    scopes = tx.exports.scopes(project_id, entity, ids)
    accounts = [(c.id, {**c.settings, "kind": c.kind.value}) for c in destinations]
    chosen: dict[tuple[str | None, str | None], list[int]] = {}
    routed: dict[int, list[str]] = {}
    for entity_id in ids:
        scope = scopes.get(entity_id)
        if scope is None:
            continue  # deleted meanwhile: nothing to send
        if scope not in chosen:
            chosen[scope] = choose_destinations(scope[0], scope[1], accounts)
        for connector_id in chosen[scope]:
            routed.setdefault(connector_id, []).append(entity_id)
    return routed


def queue_changes(tx: Transaction, project_id: int, entity: EntityType, ids: Sequence[str], now: datetime) -> None:
    """Queues changed records as live updates for every destination that takes them (in the change's transaction)."""
    if not ids:
        return
    destinations = [
        c
        for c in _destinations(tx, project_id)
        if takes(c, entity) and c.settings.get("liveUpdates", True) is not False
    ]
    if not destinations:
        return
    unique = list(dict.fromkeys(str(i) for i in ids))
    for connector_id, routed in _route(tx, project_id, entity, unique, destinations).items():
        tx.exports.enqueue(connector_id, project_id, entity, routed, Lane.LIVE, now)


def queue_customer_changes(
    tx: Transaction,
    project_id: int,
    customer_ids: Sequence[int],
    emails: Sequence[str],
    external_ids: Sequence[str],
    now: datetime,
) -> None:
    ids = [str(i) for i in customer_ids]
    if emails or external_ids:
        ids.extend(tx.exports.customer_ids(project_id, emails, external_ids))
    queue_changes(tx, project_id, EntityType.CUSTOMER, ids, now)


# --- planning runs ------------------------------------------------------------------------------------------------


def _job_for(connector: Connector, batch: PlannedBatch) -> NewJob:
    return NewJob(
        project_id=connector.project_id,
        connector_id=connector.id,
        kind=SEND_BATCH,
        subject=f"{batch.entity.value} batch ({len(batch.ids)}, {batch.lane.value})",
        payload={
            "connector": connector.id,
            "entity": batch.entity.value,
            "ids": list(batch.ids),
            "lane": batch.lane.value,
        },
        priority=_LANE_PRIORITY[batch.lane] + ENTITY_SEQUENCE.index(batch.entity),
    )


def plan_next_run(uow: UnitOfWork, connector_id: int, clock: Clock = utc_now, max_records: int | None = None) -> int:
    """Plans the next run of a destination into ``export.send_batch`` jobs; the number of records planned."""
    now = clock()
    with uow.transaction() as tx:
        connector = tx.connectors.by_id(connector_id)
        if connector is None or not connector.enabled or not is_export_connector(connector):
            return 0
        tx.exports.release_orphans(connector.id)
        limit = max_records or max_records_per_run(connector)
        waiting = tx.exports.waiting(connector.id, limit)
        orders = [e.entity_id for e in waiting if e.entity is EntityType.ORDER]
        dependencies = tx.exports.dependencies(connector.project_id, orders) if orders else {}
        known = {e.ref for e in waiting}
        needed = {ref for refs in dependencies.values() for ref in refs} - known
        if needed:
            waiting = [*waiting, *tx.exports.waiting_refs(connector.id, needed)]
        planned = 0
        for batch in plan_run(waiting, dependencies, limit, batch_size(connector)):
            job_id = enqueue(tx, _job_for(connector, batch), now)
            if job_id is not None:
                tx.exports.assign(connector.id, batch.entity, batch.ids, job_id)
                planned += len(batch.ids)
    if planned:
        log.info("export run planned", extra={"connector": connector_id, "records": planned})
    return planned


# --- historical export --------------------------------------------------------------------------------------------


def queue_historical(
    uow: UnitOfWork,
    connector: Connector,
    entities: Sequence[EntityType] = ENTITY_SEQUENCE,
    *,
    clock: Clock = utc_now,
    chunk: int = HISTORICAL_CHUNK,
    progress: Callable[[ExportRun], None] | None = None,
) -> ExportRun:
    """Queues every record of ``entities`` in the historical lane, a chunk per transaction. An unfinished export of
    the same entities to this destination continues where it stopped; otherwise a new one starts."""
    if not is_export_connector(connector):
        raise InvalidInput(f"connector {connector.name!r} is not an export destination", "destination")
    wanted = tuple(e for e in ENTITY_SEQUENCE if e in set(entities) and takes(connector, e))
    with uow.transaction() as tx:
        run = tx.exports.open_run(connector.id)
        if run is not None and run.entities != wanted:
            tx.exports.set_run_state(run.id, RunState.CANCELLED, clock())
            run = None
        if run is None:
            totals = {e.value: tx.exports.entity_count(connector.project_id, e) for e in wanted}
            run = tx.exports.start_run(connector.id, connector.project_id, wanted, totals, clock())
    if progress is not None:
        progress(run)
    for entity in wanted:
        while True:
            with uow.transaction() as tx:
                ids = tx.exports.entity_ids(connector.project_id, entity, run.cursors.get(entity.value), chunk)
                if not ids:
                    break
                others = [c for c in _destinations(tx, connector.project_id) if c.id != connector.id]
                routed = _route(tx, connector.project_id, entity, ids, [connector, *others])
                mine = routed.get(connector.id, [])
                tx.exports.enqueue(connector.id, connector.project_id, entity, mine, Lane.HISTORICAL, clock())
                run = tx.exports.advance_run(run.id, entity, ids[-1], len(ids), clock())
            if progress is not None:
                progress(run)
            if len(ids) < chunk:
                break
    with uow.transaction() as tx:
        tx.exports.set_run_state(run.id, RunState.QUEUED, clock())
        finished = tx.exports.latest_run(connector.id)
    assert finished is not None
    log.info("historical export queued", extra={"connector": connector.id, "queued": finished.queued})
    return finished


def queue_status(uow: UnitOfWork, connector: Connector) -> QueueStatus:
    with uow.read() as tx:
        return QueueStatus(connector, tx.exports.counts(connector.id), tx.exports.latest_run(connector.id))


def status_json(status: QueueStatus) -> dict[str, Any]:
    """The status as the API and ``--json`` give it: records waiting per entity and lane, and the latest run."""
    run = status.run
    waiting = {
        entity.value: {lane.value: status.waiting.get((entity, lane), 0) for lane in Lane} for entity in ENTITY_SEQUENCE
    }
    return {
        "connectorId": status.connector.id,
        "name": status.connector.name,
        "kind": status.connector.kind.value,
        "waiting": waiting,
        "total": status.total(),
        "historical": None
        if run is None
        else {
            "id": run.id,
            "state": run.state.value,
            "entities": [e.value for e in run.entities],
            "totals": run.totals,
            "queued": run.queued,
            "startedAt": run.started_at.isoformat(),
            "finishedAt": None if run.finished_at is None else run.finished_at.isoformat(),
        },
    }
