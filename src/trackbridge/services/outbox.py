"""The outbox: queuing outbound jobs in the transaction of the change that calls for them, and running them.

A handler gets a :class:`JobContext`, calls the outside system and returns, or raises one of the outside errors of
``domain.errors``. The runner then records, in one transaction, the job's outcome and the connector's request and error
logs:

- success → done;
- ``TransientError`` (time-out, 5xx, 429) → pending again after a backoff that doubles each try and honours
  ``Retry-After``; after ``max_attempts`` tries → dead letter with the last reason;
- ``PermanentError`` (or any client error such as a deleted record) → dead letter with the reason;
- ``CredentialsRefused`` → the connector is marked failing with the outside system's message, the job waits (its try
  is not counted) and no further calls are made until a user changes the connector;
- an unexpected exception is a bug: logged with its trace and retried like a transient error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from trackbridge.domain.errors import (
    CredentialsRefused,
    PermanentError,
    TrackbridgeError,
    TransientError,
)
from trackbridge.domain.outbound import (
    Connector,
    ConnectorState,
    Job,
    NewJob,
    RequestRecord,
    next_attempt_at,
    redact_values,
)
from trackbridge.services.ports import SecretBox, Transaction, UnitOfWork

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class OutboxPolicy:
    max_attempts: int = 8
    backoff_seconds: float = 5.0
    lease_seconds: float = 300.0


@dataclass
class JobContext:
    """What a handler gets: the job, its connector and decrypted credential, a clock, and the logs to fill."""

    job: Job
    connector: Connector | None
    credential: str | None
    uow: UnitOfWork
    clock: Clock = utc_now
    requests: list[RequestRecord] = field(default_factory=list)
    errors: list[tuple[str | None, str]] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock()

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.credential,) if self.credential else ()

    def record(self, request: RequestRecord) -> None:
        """Adds one outbound call to the connector's request log (its URL must already be redacted)."""
        self.requests.append(request)

    def error(self, subject: str | None, message: str) -> None:
        """Adds a line to the connector's error log (a record the other side refused, with its reason)."""
        self.errors.append((subject, redact_values(message, self.secrets)))


Handler = Callable[[JobContext], None]


def enqueue(tx: Transaction, job: NewJob, now: datetime, policy: OutboxPolicy | None = None) -> int | None:
    """Queues ``job`` in the caller's transaction; None when the same pending job is already waiting.

    Without ``job.max_attempts`` or a ``policy`` the job is stored with 0 tries allowed, which means "the configured
    ``TRACKBRIDGE_OUTBOX_MAX_ATTEMPTS`` of the worker that runs it"."""
    return tx.outbox.enqueue(job, now, policy.max_attempts if policy is not None else 0)


def run_due_jobs(
    uow: UnitOfWork,
    box: SecretBox,
    handlers: Mapping[str, Handler],
    *,
    worker: str,
    clock: Clock = utc_now,
    limit: int = 10,
    policy: OutboxPolicy | None = None,
) -> int:
    """Claims up to ``limit`` due jobs and runs them one by one; the number of jobs run."""
    policy = policy or OutboxPolicy()
    with uow.read() as tx:  # an idle worker only reads: SQLite's single write lock stays free for ingestion
        if not tx.outbox.any_due(clock()):
            return 0
    with uow.transaction() as tx:
        jobs = [
            job if job.max_attempts > 0 else replace(job, max_attempts=policy.max_attempts)
            for job in tx.outbox.claim(clock(), worker, policy.lease_seconds, limit)
        ]
        contexts = [_context(tx, box, uow, job, clock) for job in jobs]
    for context in contexts:
        _run_one(uow, handlers, context, policy)
    return len(contexts)


def _context(tx: Transaction, box: SecretBox, uow: UnitOfWork, job: Job, clock: Clock) -> JobContext:
    connector = tx.connectors.by_id(job.connector_id) if job.connector_id is not None else None
    credential = None
    if connector is not None:
        ciphertext = tx.connectors.credential_ciphertext(connector.id)
        credential = box.decrypt(ciphertext) if ciphertext else None
    return JobContext(job=job, connector=connector, credential=credential, uow=uow, clock=clock)


def _run_one(uow: UnitOfWork, handlers: Mapping[str, Handler], context: JobContext, policy: OutboxPolicy) -> None:
    job = context.job
    handler = handlers.get(job.kind)
    fields = {"job": job.id, "kind": job.kind, "subject": job.subject, "attempt": job.attempts}
    failure: TrackbridgeError | None = None
    if handler is None:
        failure = PermanentError(f"no handler for jobs of kind {job.kind!r}")
    else:
        try:
            handler(context)
        except TrackbridgeError as error:
            failure = error
        except Exception as error:
            log.exception("outbound job crashed", extra=fields)
            failure = TransientError(f"internal error: {type(error).__name__}: {error}")
    now = context.now()
    reason = redact_values(failure.message, context.secrets) if failure is not None else None
    with uow.transaction() as tx:
        _write_logs(tx, context, reason, now)
        if failure is None:
            tx.outbox.finish(job.id, now)
            log.info("outbound job done", extra=fields)
        elif isinstance(failure, CredentialsRefused) and context.connector is not None:
            tx.connectors.set_state(context.connector.id, ConnectorState.FAILING, reason, now)
            tx.outbox.release(job.id, now)
            log.warning("connector failing: credentials refused", extra={**fields, "reason": reason})
        elif isinstance(failure, TransientError) and job.attempts < job.max_attempts:
            run_after = next_attempt_at(now, job.attempts, failure.retry_after, policy.backoff_seconds)
            tx.outbox.retry_later(job.id, run_after, reason or "", now)
            log.info("outbound job will retry", extra={**fields, "reason": reason, "run_after": run_after.isoformat()})
        else:
            if isinstance(failure, TransientError):
                reason = f"gave up after {job.attempts} tries: {reason}"
            tx.outbox.bury(job.id, reason or "", now)
            log.warning("outbound job dead-lettered", extra={**fields, "reason": reason})


def _write_logs(tx: Transaction, context: JobContext, reason: str | None, now: datetime) -> None:
    connector = context.connector
    if connector is None:
        return
    job = context.job
    if connector.log_requests and context.requests:
        tx.outbound_log.add_requests(job.project_id, connector.id, job.id, context.requests)
    if connector.log_errors:
        for subject, message in context.errors:
            tx.outbound_log.add_error(job.project_id, connector.id, job.id, subject, message, now)
        if reason is not None:
            tx.outbound_log.add_error(job.project_id, connector.id, job.id, job.subject, reason, now)


def revive_dead_jobs(
    uow: UnitOfWork,
    *,
    project_id: int | None = None,
    connector_id: int | None = None,
    job_ids: list[int] | None = None,
    clock: Clock = utc_now,
) -> int:
    """Dead letters back to pending with their tries reset (``trackbridge jobs retry``); the number revived."""
    with uow.transaction() as tx:
        return tx.outbox.revive(clock(), project_id=project_id, connector_id=connector_id, job_ids=job_ids)
