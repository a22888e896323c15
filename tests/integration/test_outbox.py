"""The one outbound mechanism: queue, retries with backoff, dead letters, failing connectors, request log, schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from trackbridge.adapters.connectors.matomo.settings import parse_settings
from trackbridge.adapters.outbound.http import build_client
from trackbridge.domain.errors import CredentialsRefused, PermanentError, TransientError
from trackbridge.domain.outbound import REDACTED, ConnectorKind, ConnectorState, JobState, NewJob
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import connectors, outbox
from trackbridge.services.outbox import JobContext, OutboxPolicy, run_due_jobs

T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
TOKEN = "matomo-secret-token-0123456789abcdef"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _connector(container: Container, project: ProjectCredentials, **settings: object) -> int:
    connector = connectors.add_connector(
        container.uow,
        container.box,
        project.project,
        ConnectorKind.MATOMO,
        "matomo",
        {"url": "https://matomo.example.com", "siteId": 1, **settings},
        TOKEN,
        parse_settings,
        clock=Clock(T0),
    )
    return connector.id


def _queue(container: Container, project: ProjectCredentials, connector_id: int | None, subject: str = "o-1") -> None:
    with container.uow.transaction() as tx:
        outbox.enqueue(
            tx,
            NewJob(
                project_id=project.project.id,
                connector_id=connector_id,
                kind="test.call",
                subject=subject,
                dedupe_key=subject,
            ),
            T0,
            OutboxPolicy(max_attempts=3),
        )


def _job_states(container: Container) -> dict[str, int]:
    with container.uow.read() as tx:
        return tx.outbox.counts(None, None)


def _run(container: Container, handler: object, clock: Clock, policy: OutboxPolicy | None = None) -> int:
    return run_due_jobs(
        container.uow,
        container.box,
        {"test.call": handler},  # type: ignore[dict-item]
        worker="test",
        clock=clock,
        policy=policy or OutboxPolicy(max_attempts=3, backoff_seconds=10),
    )


def test_job_is_queued_once_while_pending_and_runs_once(container: Container, seed_project: ProjectCredentials) -> None:
    connector_id = _connector(container, seed_project)
    _queue(container, seed_project, connector_id)
    _queue(container, seed_project, connector_id)
    calls: list[str] = []
    assert _run(container, lambda ctx: calls.append(ctx.job.subject), Clock(T0)) == 1
    assert calls == ["o-1"]
    assert _run(container, lambda ctx: calls.append(ctx.job.subject), Clock(T0)) == 0
    assert _job_states(container)["done"] == 1


def test_transient_failures_back_off_then_dead_letter_then_retry_delivers(
    container: Container, seed_project: ProjectCredentials
) -> None:
    connector_id = _connector(container, seed_project)
    _queue(container, seed_project, connector_id)
    clock = Clock(T0)

    def down(ctx: JobContext) -> None:
        raise TransientError("Matomo answered 503", retry_after=30)

    assert _run(container, down, clock) == 1
    assert _run(container, down, clock) == 0  # not due before the backoff (Retry-After 30 s > 10 s)
    clock.now = T0 + timedelta(seconds=31)
    assert _run(container, down, clock) == 1
    clock.now = T0 + timedelta(hours=1)
    assert _run(container, down, clock) == 1
    with container.uow.read() as tx:
        dead = tx.outbox.dead(seed_project.project.id, None, 10)
        errors = tx.outbound_log.errors(connector_id, before_id=None, limit=10)
    assert [job.subject for job in dead] == ["o-1"]
    assert dead[0].last_error == "gave up after 3 tries: Matomo answered 503"
    assert len(errors) == 3
    assert outbox.revive_dead_jobs(container.uow, project_id=seed_project.project.id, clock=clock) == 1
    delivered: list[str] = []
    assert _run(container, lambda ctx: delivered.append(ctx.job.subject), clock) == 1
    assert delivered == ["o-1"]
    assert _job_states(container)["dead"] == 0


def test_permanent_failure_goes_straight_to_dead_letters(
    container: Container, seed_project: ProjectCredentials
) -> None:
    connector_id = _connector(container, seed_project)
    _queue(container, seed_project, connector_id)

    def refused(ctx: JobContext) -> None:
        raise PermanentError("order refused: unknown site")

    _run(container, refused, Clock(T0))
    with container.uow.read() as tx:
        (job,) = tx.outbox.dead(None, None, 10)
    assert job.last_error == "order refused: unknown site"
    assert job.attempts == 1


def test_refused_credentials_mark_connector_failing_and_stop_calls_until_changed(
    container: Container, seed_project: ProjectCredentials
) -> None:
    connector_id = _connector(container, seed_project)
    _queue(container, seed_project, connector_id, "o-1")
    _queue(container, seed_project, connector_id, "o-2")
    calls: list[str] = []

    def bad_token(ctx: JobContext) -> None:
        calls.append(ctx.job.subject)
        raise CredentialsRefused(f"Unable to authenticate with the provided token {ctx.credential}")

    policy = OutboxPolicy(max_attempts=3)
    run_due_jobs(container.uow, container.box, {"test.call": bad_token}, worker="t", clock=Clock(T0), policy=policy)
    assert len(calls) == 2  # both were claimed in one round
    assert _run(container, bad_token, Clock(T0 + timedelta(hours=2))) == 0
    with container.uow.read() as tx:
        connector = tx.connectors.by_id(connector_id)
        assert connector is not None
        assert connector.state is ConnectorState.FAILING
        assert TOKEN not in (connector.state_message or "")
        assert REDACTED in (connector.state_message or "")
        assert tx.outbox.counts(None, connector_id)["pending"] == 2
    connectors.update_connector(
        container.uow, container.box, seed_project.project, connector_id, parse_settings, credential="new-token-xyz1"
    )
    seen: list[str | None] = []
    assert _run(container, lambda ctx: seen.append(ctx.credential), Clock(T0 + timedelta(hours=2))) == 2
    assert seen == ["new-token-xyz1", "new-token-xyz1"]


def test_unknown_job_kind_is_dead_lettered_with_reason(container: Container, seed_project: ProjectCredentials) -> None:
    with container.uow.transaction() as tx:
        outbox.enqueue(tx, NewJob(project_id=seed_project.project.id, kind="nobody.handles", subject="x"), T0)
    run_due_jobs(container.uow, container.box, {}, worker="t", clock=Clock(T0))
    with container.uow.read() as tx:
        (job,) = tx.outbox.dead(None, None, 10)
    assert "no handler" in (job.last_error or "")


def test_job_of_a_dead_worker_is_taken_over_after_its_lease(
    container: Container, seed_project: ProjectCredentials
) -> None:
    _queue(container, seed_project, None)
    with container.uow.transaction() as tx:
        assert len(tx.outbox.claim(T0, "crashed-worker", 60, 10)) == 1
    assert _run(container, lambda ctx: None, Clock(T0 + timedelta(seconds=30))) == 0
    assert _run(container, lambda ctx: None, Clock(T0 + timedelta(seconds=61))) == 1
    assert _job_states(container)["done"] == 1


def test_request_log_keeps_every_call_with_secrets_redacted(
    container: Container, seed_project: ProjectCredentials
) -> None:
    connector_id = _connector(container, seed_project)
    _queue(container, seed_project, connector_id)

    def answer(request: httpx.Request) -> httpx.Response:
        if "slow" in request.url.path:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, json={"ok": True})

    def call(ctx: JobContext) -> None:
        with build_client(ctx, timeout=2, transport=httpx.MockTransport(answer)) as http:
            http.get(f"https://matomo.example.com/index.php?module=API&token_auth={ctx.credential}&idSite=1")
            http.get(f"https://matomo.example.com/{ctx.credential}/x")
            with pytest.raises(httpx.ReadTimeout):
                http.get("https://matomo.example.com/slow")

    _run(container, call, Clock(T0))
    with container.uow.read() as tx:
        logged = list(reversed(tx.outbound_log.requests(connector_id, before_id=None, limit=10)))
    assert [r.record.status for r in logged] == [200, 200, None]
    assert all(TOKEN not in r.record.url for r in logged)
    assert f"token_auth={REDACTED}" in logged[0].record.url
    assert logged[1].record.url.endswith(f"/{REDACTED}/x")
    assert "timed out" in (logged[2].record.outcome or "")
    assert all(r.record.subject == "o-1" for r in logged)


def test_schedule_queues_one_run_when_due_and_moves_on(container: Container, seed_project: ProjectCredentials) -> None:
    connector_id = _connector(container, seed_project, schedule="0 2 * * *")
    with container.uow.read() as tx:
        connector = tx.connectors.by_id(connector_id)
    assert connector is not None
    assert connector.next_run_at == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # project time zone is UTC
    assert connectors.enqueue_scheduled_runs(container.uow, Clock(T0)) == 0
    at_two = Clock(datetime(2026, 11, 23, 2, 0, 5, tzinfo=UTC))
    assert connectors.enqueue_scheduled_runs(container.uow, at_two) == 1
    assert connectors.enqueue_scheduled_runs(container.uow, at_two) == 0
    with container.uow.read() as tx:
        connector = tx.connectors.by_id(connector_id)
        counts = tx.outbox.counts(None, connector_id)
    assert connector is not None
    assert connector.next_run_at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert counts[JobState.PENDING.value] == 1
