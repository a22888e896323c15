"""The outbox in SQL: jobs claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite has one writer at a time), and
the request and error logs of the connectors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import RowMapping

from trackbridge.adapters.db.outbound_tables import connectors, outbound_errors, outbound_requests, outbox_jobs
from trackbridge.domain.outbound import (
    ConnectorState,
    Job,
    JobState,
    LoggedError,
    LoggedRequest,
    NewJob,
    RequestRecord,
)


class SqlOutboxRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._postgres = connection.dialect.name == "postgresql"

    def enqueue(self, job: NewJob, now: datetime, default_max_attempts: int) -> int | None:
        if job.dedupe_key is not None:
            waiting = self._c.execute(
                select(outbox_jobs.c.id)
                .where(
                    _same_connector(job.connector_id),
                    outbox_jobs.c.dedupe_key == job.dedupe_key,
                    outbox_jobs.c.kind == job.kind,
                    outbox_jobs.c.state == JobState.PENDING.value,
                )
                .limit(1)
            ).scalar_one_or_none()
            if waiting is not None:
                return None
        new_id = self._c.execute(
            insert(outbox_jobs)
            .values(
                project_id=job.project_id,
                connector_id=job.connector_id,
                kind=job.kind,
                subject=job.subject[:200],
                payload=job.payload,
                dedupe_key=job.dedupe_key,
                priority=job.priority,
                state=JobState.PENDING.value,
                attempts=0,
                max_attempts=job.max_attempts or default_max_attempts,  # 0: the runner's configured default
                run_after=job.run_after or now,
                created_at=now,
                updated_at=now,
            )
            .returning(outbox_jobs.c.id)
        ).scalar_one()
        return int(new_id)

    def any_due(self, now: datetime) -> bool:
        return self._c.execute(select(outbox_jobs.c.id).where(*_due(now)).limit(1)).first() is not None

    def claim(self, now: datetime, worker: str, lease_seconds: float, limit: int) -> list[Job]:
        query = (
            select(outbox_jobs.c.id)
            .where(*_due(now))
            .order_by(outbox_jobs.c.priority, outbox_jobs.c.run_after, outbox_jobs.c.id)
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True, of=outbox_jobs)
        ids = [int(i) for i in self._c.execute(query).scalars()]
        if not ids:
            return []
        self._c.execute(
            update(outbox_jobs)
            .where(outbox_jobs.c.id.in_(ids))
            .values(
                state=JobState.RUNNING.value,
                attempts=outbox_jobs.c.attempts + 1,
                locked_by=worker[:100],
                locked_until=now + timedelta(seconds=lease_seconds),
                updated_at=now,
            )
        )
        rows = self._c.execute(select(outbox_jobs).where(outbox_jobs.c.id.in_(ids))).mappings()
        by_id = {row["id"]: _job(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def finish(self, job_id: int, now: datetime) -> None:
        self._set(job_id, now, state=JobState.DONE.value, locked_by=None, locked_until=None)

    def retry_later(self, job_id: int, run_after: datetime, error: str, now: datetime) -> None:
        self._set(
            job_id,
            now,
            state=JobState.PENDING.value,
            run_after=run_after,
            last_error=error,
            locked_by=None,
            locked_until=None,
        )

    def release(self, job_id: int, now: datetime) -> None:
        self._set(
            job_id,
            now,
            state=JobState.PENDING.value,
            attempts=outbox_jobs.c.attempts - 1,
            locked_by=None,
            locked_until=None,
        )

    def bury(self, job_id: int, error: str, now: datetime) -> None:
        self._set(job_id, now, state=JobState.DEAD.value, last_error=error, locked_by=None, locked_until=None)

    def by_id(self, job_id: int) -> Job | None:
        row = self._c.execute(select(outbox_jobs).where(outbox_jobs.c.id == job_id)).mappings().first()
        return None if row is None else _job(row)

    def dead(self, project_id: int | None, connector_id: int | None, limit: int, after_id: int = 0) -> list[Job]:
        query = (
            select(outbox_jobs)
            .where(outbox_jobs.c.state == JobState.DEAD.value, outbox_jobs.c.id > after_id)
            .order_by(outbox_jobs.c.id)
            .limit(limit)
        )
        query = query.where(*_scope(project_id, connector_id))
        return [_job(row) for row in self._c.execute(query).mappings()]

    def revive(
        self, now: datetime, *, project_id: int | None, connector_id: int | None, job_ids: Sequence[int] | None
    ) -> int:
        conditions = [outbox_jobs.c.state == JobState.DEAD.value, *_scope(project_id, connector_id)]
        if job_ids is not None:
            conditions.append(outbox_jobs.c.id.in_(list(job_ids)))
        result = self._c.execute(
            update(outbox_jobs)
            .where(*conditions)
            .values(state=JobState.PENDING.value, attempts=0, run_after=now, updated_at=now)
        )
        return int(result.rowcount)

    def counts(self, project_id: int | None, connector_id: int | None) -> dict[str, int]:
        query = (
            select(outbox_jobs.c.state, func.count())
            .where(*_scope(project_id, connector_id))
            .group_by(outbox_jobs.c.state)
        )
        found = {str(state): int(count) for state, count in self._c.execute(query)}
        return {state.value: found.get(state.value, 0) for state in JobState}

    def purge_done_before(self, moment: datetime) -> int:
        result = self._c.execute(
            delete(outbox_jobs).where(outbox_jobs.c.state == JobState.DONE.value, outbox_jobs.c.updated_at < moment)
        )
        return int(result.rowcount)

    def _set(self, job_id: int, now: datetime, **values: object) -> None:
        self._c.execute(update(outbox_jobs).where(outbox_jobs.c.id == job_id).values(updated_at=now, **values))


class SqlOutboundLogRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_requests(
        self, project_id: int, connector_id: int, job_id: int | None, records: Sequence[RequestRecord]
    ) -> None:
        if not records:
            return
        self._c.execute(
            insert(outbound_requests),
            [
                {
                    "project_id": project_id,
                    "connector_id": connector_id,
                    "job_id": job_id,
                    "at": r.at,
                    "method": r.method,
                    "url": r.url,
                    "status": r.status,
                    "duration_ms": r.duration_ms,
                    "subject": r.subject[:200] if r.subject else None,
                    "outcome": r.outcome,
                }
                for r in records
            ],
        )

    def add_error(
        self, project_id: int, connector_id: int, job_id: int | None, subject: str | None, message: str, at: datetime
    ) -> None:
        self._c.execute(
            insert(outbound_errors).values(
                project_id=project_id,
                connector_id=connector_id,
                job_id=job_id,
                subject=subject[:200] if subject else None,
                message=message,
                at=at,
            )
        )

    def requests(self, connector_id: int, *, before_id: int | None, limit: int) -> list[LoggedRequest]:
        query = select(outbound_requests).where(outbound_requests.c.connector_id == connector_id)
        if before_id is not None:
            query = query.where(outbound_requests.c.id < before_id)
        rows = self._c.execute(query.order_by(outbound_requests.c.id.desc()).limit(limit)).mappings()
        return [_logged_request(row) for row in rows]

    def errors(self, connector_id: int, *, before_id: int | None, limit: int) -> list[LoggedError]:
        query = select(outbound_errors).where(outbound_errors.c.connector_id == connector_id)
        if before_id is not None:
            query = query.where(outbound_errors.c.id < before_id)
        rows = self._c.execute(query.order_by(outbound_errors.c.id.desc()).limit(limit)).mappings()
        return [
            LoggedError(
                id=row["id"],
                connector_id=row["connector_id"],
                job_id=row["job_id"],
                at=row["at"],
                subject=row["subject"],
                message=row["message"],
            )
            for row in rows
        ]

    def requests_for_subject(self, project_id: int, subject: str) -> list[LoggedRequest]:
        rows = self._c.execute(
            select(outbound_requests)
            .where(outbound_requests.c.project_id == project_id, outbound_requests.c.subject == subject)
            .order_by(outbound_requests.c.id)
        ).mappings()
        return [_logged_request(row) for row in rows]


def _due(now: datetime) -> list[ColumnElement[bool]]:
    """Pending jobs whose time has come, and running ones whose worker's lease ran out; none of a connector that is
    switched off or failing."""
    usable = select(connectors.c.id).where(
        connectors.c.enabled.is_(True), connectors.c.state == ConnectorState.OK.value
    )
    return [
        or_(
            and_(outbox_jobs.c.state == JobState.PENDING.value, outbox_jobs.c.run_after <= now),
            and_(outbox_jobs.c.state == JobState.RUNNING.value, outbox_jobs.c.locked_until < now),
        ),
        or_(outbox_jobs.c.connector_id.is_(None), outbox_jobs.c.connector_id.in_(usable)),
    ]


def _same_connector(connector_id: int | None) -> ColumnElement[bool]:
    if connector_id is None:
        return outbox_jobs.c.connector_id.is_(None)
    return outbox_jobs.c.connector_id == connector_id


def _scope(project_id: int | None, connector_id: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if project_id is not None:
        conditions.append(outbox_jobs.c.project_id == project_id)
    if connector_id is not None:
        conditions.append(outbox_jobs.c.connector_id == connector_id)
    return conditions


def _job(row: RowMapping) -> Job:
    return Job(
        id=row["id"],
        project_id=row["project_id"],
        connector_id=row["connector_id"],
        kind=row["kind"],
        subject=row["subject"],
        payload=dict(row["payload"] or {}),
        dedupe_key=row["dedupe_key"],
        priority=row["priority"],
        state=JobState(row["state"]),
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        run_after=row["run_after"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _logged_request(row: RowMapping) -> LoggedRequest:
    return LoggedRequest(
        id=row["id"],
        connector_id=row["connector_id"],
        job_id=row["job_id"],
        record=RequestRecord(
            at=row["at"],
            method=row["method"],
            url=row["url"],
            status=row["status"],
            duration_ms=row["duration_ms"],
            subject=row["subject"],
            outcome=row["outcome"],
        ),
    )
