"""/api/v1/connectors and /api/v1/jobs: a project's connectors, their request and error logs, and dead letters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.outbound import Connector, Job, LoggedError, LoggedRequest
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.connector_kinds import parse_kind, parser_for
from trackbridge.entrypoints.http.deps import ContainerDep, ReadCaller, WriteCaller
from trackbridge.entrypoints.http.errors import error_responses
from trackbridge.services import connectors as connector_service
from trackbridge.services import outbox as outbox_service

JsonObject = dict[str, Any]


class NewConnectorBody(BaseModel):
    kind: str = Field(description="matomo, ometria or webhook.", examples=["matomo"])
    name: str = Field(description="A name unique in the project.", examples=["matomo"])
    enabled: bool = Field(True, description="Switched on at once (pushes cover changes made from now on).")
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="The kind's settings (see docs/connectors/).",
        examples=[{"url": "https://matomo.example.com", "siteId": 1}],
    )
    credential: str | None = Field(
        None, description="Matomo token_auth, Ometria API key or webhook signing secret; stored encrypted, never shown."
    )


class ConnectorChangeBody(BaseModel):
    enabled: bool | None = None
    settings: dict[str, Any] | None = Field(None, description="Settings to change; the others stay.")
    credential: str | None = Field(None, description="A new credential; clears a failing state.")
    logRequests: bool | None = None
    logErrors: bool | None = None


class RetryBody(BaseModel):
    ids: list[int] | None = Field(None, description="Dead jobs to retry; leave out to retry all of them.")
    connectorId: int | None = Field(None, description="Only this connector's dead jobs.")


def connector_view(connector: Connector, jobs: dict[str, int] | None = None) -> JsonObject:
    """A connector as the API and the UI show it: never the credential, only its last characters."""
    view: JsonObject = {
        "id": connector.id,
        "kind": connector.kind.value,
        "name": connector.name,
        "enabled": connector.enabled,
        "settings": connector.settings,
        "credential": connector.credential_hint or None,
        "state": connector.state.value,
        "stateMessage": connector.state_message,
        "stateAt": _iso(connector.state_at),
        "enabledAt": _iso(connector.enabled_at),
        "nextRunAt": _iso(connector.next_run_at),
        "logRequests": connector.log_requests,
        "logErrors": connector.log_errors,
        "createdAt": _iso(connector.created_at),
        "updatedAt": _iso(connector.updated_at),
    }
    if jobs is not None:
        view["jobs"] = jobs
    return view


def request_view(logged: LoggedRequest) -> JsonObject:
    r = logged.record
    return {
        "id": logged.id,
        "at": _iso(r.at),
        "method": r.method,
        "url": r.url,
        "status": r.status,
        "durationMs": r.duration_ms,
        "subject": r.subject,
        "outcome": r.outcome,
        "jobId": logged.job_id,
    }


def error_view(logged: LoggedError) -> JsonObject:
    return {
        "id": logged.id,
        "at": _iso(logged.at),
        "subject": logged.subject,
        "message": logged.message,
        "jobId": logged.job_id,
    }


def job_view(job: Job) -> JsonObject:
    return {
        "id": job.id,
        "kind": job.kind,
        "subject": job.subject,
        "connectorId": job.connector_id,
        "state": job.state.value,
        "attempts": job.attempts,
        "maxAttempts": job.max_attempts or None,  # None: the configured default
        "lastError": job.last_error,
        "createdAt": _iso(job.created_at),
        "updatedAt": _iso(job.updated_at),
    }


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["connectors"], responses=error_responses(400, 401, 403, 404))

    @router.get("/connectors", summary="The project's connectors with their job counts")
    async def list_connectors(container: ContainerDep, caller: ReadCaller) -> JsonObject:
        statuses = await run_in_threadpool(connector_service.connector_statuses, container.uow, caller.project)
        return {"items": [connector_view(s.connector, s.jobs) for s in statuses]}

    @router.post("/connectors", status_code=201, summary="Add a connector", responses=error_responses(409))
    async def add_connector(container: ContainerDep, caller: WriteCaller, body: NewConnectorBody) -> JsonObject:
        kind = parse_kind(body.kind)
        connector = await run_in_threadpool(
            connector_service.add_connector,
            container.uow,
            container.box,
            caller.project,
            kind,
            body.name,
            body.settings,
            body.credential,
            parser_for(kind),
            enabled=body.enabled,
        )
        return connector_view(connector)

    @router.get("/connectors/{connector_id}", summary="One connector, its status and job counts")
    async def get_connector(container: ContainerDep, caller: ReadCaller, connector_id: int) -> JsonObject:
        return await run_in_threadpool(_status, container, caller.project, connector_id)

    @router.get("/connectors/{connector_id}/status", summary="One connector's state and job counts")
    async def get_status(container: ContainerDep, caller: ReadCaller, connector_id: int) -> JsonObject:
        return await run_in_threadpool(_status, container, caller.project, connector_id)

    @router.patch("/connectors/{connector_id}", summary="Change a connector")
    async def change_connector(
        container: ContainerDep, caller: WriteCaller, connector_id: int, body: ConnectorChangeBody
    ) -> JsonObject:
        current = await run_in_threadpool(connector_service.get_connector, container.uow, caller.project, connector_id)
        connector = await run_in_threadpool(
            lambda: connector_service.update_connector(
                container.uow,
                container.box,
                caller.project,
                connector_id,
                parser_for(current.kind),
                raw_settings=body.settings,
                credential=body.credential,
                enabled=body.enabled,
                log_requests=body.logRequests,
                log_errors=body.logErrors,
            )
        )
        return connector_view(connector)

    @router.delete("/connectors/{connector_id}", status_code=204, summary="Remove a connector and its queued jobs")
    async def remove_connector(container: ContainerDep, caller: WriteCaller, connector_id: int) -> Response:
        await run_in_threadpool(connector_service.remove_connector, container.uow, caller.project, connector_id)
        return Response(status_code=204)

    @router.get("/connectors/{connector_id}/requests", summary="The request log, newest first")
    async def requests(
        container: ContainerDep,
        caller: ReadCaller,
        connector_id: int,
        before: int | None = Query(None, description="Only entries older than this id (paging)."),
        limit: int = Query(100, ge=1, le=1000),
    ) -> JsonObject:
        rows = await run_in_threadpool(_log_page, container, caller.project, connector_id, "requests", before, limit)
        return {"items": [request_view(r) for r in rows], "next": rows[-1].id if len(rows) == limit else None}

    @router.get("/connectors/{connector_id}/errors", summary="The error log, newest first")
    async def errors(
        container: ContainerDep,
        caller: ReadCaller,
        connector_id: int,
        before: int | None = Query(None, description="Only entries older than this id (paging)."),
        limit: int = Query(100, ge=1, le=1000),
    ) -> JsonObject:
        rows = await run_in_threadpool(_log_page, container, caller.project, connector_id, "errors", before, limit)
        return {"items": [error_view(r) for r in rows], "next": rows[-1].id if len(rows) == limit else None}

    @router.get("/jobs/dead", summary="Dead letters: outbound jobs that gave up, with their reason")
    async def dead_jobs(
        container: ContainerDep,
        caller: ReadCaller,
        connectorId: int | None = Query(None),
        after: int = Query(0, ge=0),
        limit: int = Query(100, ge=1, le=1000),
    ) -> JsonObject:
        def read() -> list[Job]:
            with container.uow.read() as tx:
                return tx.outbox.dead(caller.project.id, connectorId, limit, after)

        jobs = await run_in_threadpool(read)
        return {"items": [job_view(j) for j in jobs], "next": jobs[-1].id if len(jobs) == limit else None}

    @router.post("/jobs/retry", summary="Put dead letters back in the queue")
    async def retry(container: ContainerDep, caller: WriteCaller, body: RetryBody) -> JsonObject:
        revived = await run_in_threadpool(
            lambda: outbox_service.revive_dead_jobs(
                container.uow, project_id=caller.project.id, connector_id=body.connectorId, job_ids=body.ids
            )
        )
        return {"retried": revived}

    return router


def _status(container: Container, project: Project, connector_id: int) -> JsonObject:
    connector = connector_service.get_connector(container.uow, project, connector_id)
    with container.uow.read() as tx:
        jobs = tx.outbox.counts(None, connector.id)
    return connector_view(connector, jobs)


def _log_page(
    container: Container, project: Project, connector_id: int, which: str, before: int | None, limit: int
) -> list[Any]:
    """A page of the connector's request log (``which="requests"``) or error log, after checking the project owns it."""
    connector_service.get_connector(container.uow, project, connector_id)
    with container.uow.read() as tx:
        log = tx.outbound_log
        read = log.requests if which == "requests" else log.errors
        return list(read(connector_id, before_id=before, limit=limit))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
