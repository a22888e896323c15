"""The export queue in SQL: entries per destination and record, historical export runs, and record snapshots read
through the read API's own code (so a destination gets exactly what GET /api/v1/... answers)."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, case, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from trackbridge.adapters.db.chunks import in_chunks
from trackbridge.adapters.db.export_tables import export_queue
from trackbridge.adapters.db.outbound_tables import outbox_jobs
from trackbridge.adapters.db.sql_export_runs import SqlExportRunsMixin
from trackbridge.adapters.db.sql_reads import SqlReadRepository
from trackbridge.adapters.db.tables import customers, order_items, orders, products
from trackbridge.domain.export import EntityType, Lane, QueueEntry, RecordRef
from trackbridge.domain.outbound import JobState

JsonObject = dict[str, Any]
_LIVE_JOB_STATES = (JobState.PENDING.value, JobState.RUNNING.value, JobState.DEAD.value)


def _entry(row: RowMapping) -> QueueEntry:
    return QueueEntry(EntityType(row["entity"]), row["entity_id"], Lane(row["lane"]), int(row["sequence"]))


def _by_entity(refs: Collection[RecordRef]) -> dict[EntityType, list[str]]:
    """Ids per entity type: one ``entity = ? AND entity_id IN (...)`` per type walks the primary key."""
    grouped: dict[EntityType, list[str]] = {}
    for ref in refs:
        grouped.setdefault(ref.entity, []).append(ref.entity_id)
    return grouped


class SqlExportRepository(SqlExportRunsMixin):
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name

    # --- the queue -------------------------------------------------------------------------------------------------

    def enqueue(
        self, connector_id: int, project_id: int, entity: EntityType, ids: Sequence[str], lane: Lane, now: datetime
    ) -> None:
        if not ids:
            return
        first = time.time_ns()  # a sequence that grows across transactions and processes; ties are harmless
        rows = [
            {
                "connector_id": connector_id,
                "entity": entity.value,
                "entity_id": str(entity_id),
                "project_id": project_id,
                "lane": lane.value,
                "sequence": first + offset,
                "version": 1,
                "job_id": None,
                "enqueued_at": now,
            }
            for offset, entity_id in enumerate(dict.fromkeys(ids))
        ]
        statement = postgresql.insert(export_queue) if self._dialect == "postgresql" else sqlite.insert(export_queue)
        keys = ["connector_id", "entity", "entity_id"]
        if lane is Lane.HISTORICAL:
            upsert = statement.on_conflict_do_nothing(index_elements=keys)
        else:
            moves_to_live_tail = and_(export_queue.c.lane == Lane.HISTORICAL.value, export_queue.c.job_id.is_(None))
            upsert = statement.on_conflict_do_update(
                index_elements=keys,
                set_={
                    "version": export_queue.c.version + 1,
                    "lane": Lane.LIVE.value,
                    "sequence": case((moves_to_live_tail, statement.excluded.sequence), else_=export_queue.c.sequence),
                    "enqueued_at": case(
                        (moves_to_live_tail, statement.excluded.enqueued_at), else_=export_queue.c.enqueued_at
                    ),
                },
            )
        for chunk in in_chunks(rows, 1000):
            self._c.execute(upsert, list(chunk))

    def waiting(self, connector_id: int, limit: int) -> list[QueueEntry]:
        found: list[QueueEntry] = []
        for lane in (Lane.LIVE, Lane.HISTORICAL):
            if len(found) >= limit:
                break
            query = (
                select(export_queue)
                .where(
                    export_queue.c.connector_id == connector_id,
                    export_queue.c.job_id.is_(None),
                    export_queue.c.lane == lane.value,
                )
                .order_by(export_queue.c.sequence, export_queue.c.entity, export_queue.c.entity_id)
                .limit(limit - len(found))
            )
            found.extend(_entry(row) for row in self._c.execute(query).mappings())
        return found

    def waiting_refs(self, connector_id: int, refs: Collection[RecordRef]) -> list[QueueEntry]:
        found: list[QueueEntry] = []
        for entity, ids in _by_entity(refs).items():
            for chunk in in_chunks(ids):
                query = select(export_queue).where(
                    export_queue.c.connector_id == connector_id,
                    export_queue.c.entity == entity.value,
                    export_queue.c.entity_id.in_(chunk),
                    export_queue.c.job_id.is_(None),
                )
                found.extend(_entry(row) for row in self._c.execute(query).mappings())
        return found

    def dependencies(self, project_id: int, order_ids: Collection[str]) -> dict[RecordRef, list[RecordRef]]:
        found: dict[RecordRef, list[RecordRef]] = {}
        for chunk in in_chunks(list(order_ids)):
            for order_id, customer_id in self._c.execute(
                select(orders.c.id, orders.c.customer_id).where(
                    orders.c.project_id == project_id, orders.c.id.in_(chunk)
                )
            ):
                refs = found.setdefault(RecordRef(EntityType.ORDER, order_id), [])
                if customer_id is not None:
                    refs.append(RecordRef(EntityType.CUSTOMER, str(customer_id)))
            for order_id, product_id in self._c.execute(
                select(order_items.c.order_id, order_items.c.product_id)
                .where(order_items.c.project_id == project_id, order_items.c.order_id.in_(chunk))
                .order_by(order_items.c.order_id, order_items.c.line)
            ):
                found.setdefault(RecordRef(EntityType.ORDER, order_id), []).append(
                    RecordRef(EntityType.PRODUCT, product_id)
                )
        return found

    def scopes(
        self, project_id: int, entity: EntityType, ids: Collection[str]
    ) -> dict[str, tuple[str | None, str | None]]:
        if entity is EntityType.PRODUCT:
            return {str(i): (None, None) for i in ids}
        table = customers if entity is EntityType.CUSTOMER else orders
        keys: list[Any] = [int(i) for i in ids] if entity is EntityType.CUSTOMER else [str(i) for i in ids]
        found: dict[str, tuple[str | None, str | None]] = {}
        for chunk in in_chunks(keys):
            query = select(table.c.id, table.c.website, table.c.store_view).where(
                table.c.project_id == project_id, table.c.id.in_(chunk)
            )
            for key, website, store_view in self._c.execute(query):
                found[str(key)] = (website, store_view)
        return found

    def customer_ids(self, project_id: int, emails: Sequence[str], external_ids: Sequence[str]) -> list[str]:
        found: list[str] = []
        for column, values in ((customers.c.email, emails), (customers.c.external_id, external_ids)):
            for chunk in in_chunks(list(values)):
                query = select(customers.c.id).where(customers.c.project_id == project_id, column.in_(chunk))
                found.extend(str(i) for i in self._c.execute(query).scalars())
        return found

    def assign(self, connector_id: int, entity: EntityType, ids: Sequence[str], job_id: int) -> None:
        for chunk in in_chunks(list(ids)):
            self._c.execute(
                update(export_queue)
                .where(
                    export_queue.c.connector_id == connector_id,
                    export_queue.c.entity == entity.value,
                    export_queue.c.entity_id.in_(chunk),
                )
                .values(job_id=job_id)
            )

    def planned(self, connector_id: int, entity: EntityType, ids: Sequence[str], job_id: int) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in in_chunks(list(ids)):
            query = select(export_queue.c.entity_id, export_queue.c.version).where(
                export_queue.c.connector_id == connector_id,
                export_queue.c.entity == entity.value,
                export_queue.c.entity_id.in_(chunk),
                export_queue.c.job_id == job_id,
            )
            found.update({entity_id: int(version) for entity_id, version in self._c.execute(query)})
        return found

    def settle(self, connector_id: int, entity: EntityType, versions: dict[str, int], job_id: int) -> int:
        mine = and_(
            export_queue.c.connector_id == connector_id,
            export_queue.c.entity == entity.value,
            export_queue.c.job_id == job_id,
        )
        removed = 0
        by_version: dict[int, list[str]] = {}
        for entity_id, version in versions.items():
            by_version.setdefault(version, []).append(entity_id)
        for version, ids in by_version.items():
            for chunk in in_chunks(ids):
                result = self._c.execute(
                    delete(export_queue).where(
                        mine, export_queue.c.version == version, export_queue.c.entity_id.in_(chunk)
                    )
                )
                removed += result.rowcount or 0
        self._c.execute(update(export_queue).where(mine).values(job_id=None))  # changed since: wait for a run
        return removed

    def in_flight(self, connector_id: int, refs: Collection[RecordRef], job_id: int) -> set[JobState]:
        sending = (JobState.PENDING.value, JobState.RUNNING.value)
        me = self._c.execute(select(outbox_jobs.c.locked_by).where(outbox_jobs.c.id == job_id)).scalar()
        found: set[JobState] = set()
        for entity, ids in _by_entity(refs).items():
            for chunk in in_chunks(ids):
                query = (
                    select(outbox_jobs.c.state, outbox_jobs.c.locked_by)
                    .distinct()
                    .select_from(export_queue.join(outbox_jobs, outbox_jobs.c.id == export_queue.c.job_id))
                    .where(
                        export_queue.c.connector_id == connector_id,
                        export_queue.c.entity == entity.value,
                        export_queue.c.entity_id.in_(chunk),
                        export_queue.c.job_id != job_id,
                        outbox_jobs.c.state.in_(sending),
                    )
                )
                for state, worker in self._c.execute(query):
                    queued_behind_me = state == JobState.RUNNING.value and me is not None and worker == me
                    found.add(JobState.PENDING if queued_behind_me else JobState(state))
        return found

    def release_orphans(self, connector_id: int) -> int:
        job_alive = exists().where(outbox_jobs.c.id == export_queue.c.job_id, outbox_jobs.c.state.in_(_LIVE_JOB_STATES))
        result = self._c.execute(
            update(export_queue)
            .where(export_queue.c.connector_id == connector_id, export_queue.c.job_id.is_not(None), ~job_alive)
            .values(job_id=None)
        )
        return result.rowcount or 0

    def counts(self, connector_id: int) -> dict[tuple[EntityType, Lane], int]:
        query = (
            select(export_queue.c.entity, export_queue.c.lane, func.count())
            .where(export_queue.c.connector_id == connector_id)
            .group_by(export_queue.c.entity, export_queue.c.lane)
        )
        return {(EntityType(entity), Lane(lane)): int(n) for entity, lane, n in self._c.execute(query)}

    def has_waiting(self, connector_id: int) -> bool:
        query = select(export_queue.c.entity).where(export_queue.c.connector_id == connector_id).limit(1)
        return self._c.execute(query).first() is not None

    # --- records ---------------------------------------------------------------------------------------------------

    def snapshots(self, project_id: int, entity: EntityType, ids: Collection[str]) -> dict[str, JsonObject]:
        """The records as the read API's lists show them (customers without their recent orders; orders with their
        ``statusType``), read in bulk through the read API's own code."""
        reads = SqlReadRepository(self._c)
        keys = [str(i) for i in ids]
        if entity is EntityType.CUSTOMER:
            found = reads.customers_by_id(project_id, [int(k) for k in keys if k.isdigit()])
            return {str(key): data for key, data in found.items()}
        if entity is EntityType.PRODUCT:
            return reads.products_by_id(project_id, keys)
        return reads.orders_by_id(project_id, keys)

    def entity_ids(self, project_id: int, entity: EntityType, after: str | None, limit: int) -> list[str]:
        table = {EntityType.CUSTOMER: customers, EntityType.PRODUCT: products, EntityType.ORDER: orders}[entity]
        query = select(table.c.id).where(table.c.project_id == project_id)
        if after is not None:
            query = query.where(table.c.id > (int(after) if entity is EntityType.CUSTOMER else after))
        return [str(i) for i in self._c.execute(query.order_by(table.c.id).limit(limit)).scalars()]

    def entity_count(self, project_id: int, entity: EntityType) -> int:
        table = {EntityType.CUSTOMER: customers, EntityType.PRODUCT: products, EntityType.ORDER: orders}[entity]
        return int(self._c.execute(select(func.count()).where(table.c.project_id == project_id)).scalar_one())
