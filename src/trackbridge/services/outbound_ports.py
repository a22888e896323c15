"""Ports of the outbound machinery: connectors, the outbox of jobs, and the request and error logs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from trackbridge.domain.outbound import (
    Connector,
    ConnectorKind,
    ConnectorState,
    Job,
    LoggedError,
    LoggedRequest,
    NewJob,
    RequestRecord,
)


class ConnectorRepository(Protocol):
    def add(
        self,
        *,
        project_id: int,
        kind: ConnectorKind,
        name: str,
        enabled: bool,
        settings: dict[str, Any],
        credential_ciphertext: str | None,
        credential_hint: str,
        next_run_at: datetime | None,
        now: datetime,
    ) -> Connector: ...

    def update(self, connector_id: int, now: datetime, **values: Any) -> Connector:
        """Changes columns: enabled, settings, credential_ciphertext, credential_hint, state, state_message,
        state_at, enabled_at, next_run_at, log_requests, log_errors, name."""
        ...

    def by_id(self, connector_id: int) -> Connector | None: ...

    def by_name(self, project_id: int, name: str) -> Connector | None: ...

    def list(self, project_id: int | None = None, kind: ConnectorKind | None = None) -> Sequence[Connector]: ...

    def remove(self, connector_id: int) -> bool: ...

    def credential_ciphertext(self, connector_id: int) -> str | None: ...

    def set_state(self, connector_id: int, state: ConnectorState, message: str | None, at: datetime) -> None: ...

    def due(self, now: datetime) -> Sequence[Connector]:
        """Enabled connectors whose ``next_run_at`` has come."""
        ...


class OutboxRepository(Protocol):
    def enqueue(self, job: NewJob, now: datetime, default_max_attempts: int) -> int | None:
        """Queues a job; None when a pending (not yet running) job with the same connector and dedupe key exists."""
        ...

    def any_due(self, now: datetime) -> bool:
        """Whether ``claim`` would find a job (a read, so that an idle worker takes no write lock)."""
        ...

    def claim(self, now: datetime, worker: str, lease_seconds: float, limit: int) -> list[Job]:
        """Takes due pending jobs (and running ones whose lease ran out: their worker died), marking them running.

        Jobs of a disabled or failing connector are left alone. On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets many
        workers claim at once, each job going to exactly one of them."""
        ...

    def finish(self, job_id: int, now: datetime) -> None: ...

    def retry_later(self, job_id: int, run_after: datetime, error: str, now: datetime) -> None:
        """Back to pending, to run again at ``run_after``."""
        ...

    def release(self, job_id: int, now: datetime) -> None:
        """Back to pending without counting the try (the connector is failing: wait for a fix)."""
        ...

    def bury(self, job_id: int, error: str, now: datetime) -> None:
        """Into the dead-letter list with its reason."""
        ...

    def by_id(self, job_id: int) -> Job | None: ...

    def dead(self, project_id: int | None, connector_id: int | None, limit: int, after_id: int = 0) -> list[Job]: ...

    def revive(
        self, now: datetime, *, project_id: int | None, connector_id: int | None, job_ids: Sequence[int] | None
    ) -> int:
        """Dead jobs back to pending with their tries reset; the number revived."""
        ...

    def counts(self, project_id: int | None, connector_id: int | None) -> dict[str, int]:
        """Jobs per state (pending, running, dead; done ones in the last day)."""
        ...

    def purge_done_before(self, moment: datetime) -> int: ...


class OutboundLogRepository(Protocol):
    def add_requests(
        self, project_id: int, connector_id: int, job_id: int | None, records: Sequence[RequestRecord]
    ) -> None: ...

    def add_error(
        self, project_id: int, connector_id: int, job_id: int | None, subject: str | None, message: str, at: datetime
    ) -> None: ...

    def requests(self, connector_id: int, *, before_id: int | None, limit: int) -> list[LoggedRequest]:
        """Newest first."""
        ...

    def errors(self, connector_id: int, *, before_id: int | None, limit: int) -> list[LoggedError]: ...

    def requests_for_subject(self, project_id: int, subject: str) -> list[LoggedRequest]:
        """Every call made about one record (an order id): its audit, oldest first."""
        ...
