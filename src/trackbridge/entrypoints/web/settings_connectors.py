"""Settings pages of the outbound machinery: the connectors with their state and queue, each one's request log and
error log, and the dead letters with a retry button (services/connectors.py, services/outbox.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from trackbridge.domain.outbound import Connector, Job, LoggedError, LoggedRequest
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web.pages import AdminPost, ProjectPage, ViewerPage, page_router, redirect_to
from trackbridge.entrypoints.web.templating import project_path
from trackbridge.services import connectors as connector_service
from trackbridge.services import outbox as outbox_service

LOG_ROWS = 100
DEAD_ROWS = 200
Render = Callable[..., Response]


def build_router(container: Container, render: Render) -> APIRouter:
    router = page_router()
    uow = container.uow

    @router.get("/p/{project}/settings/connectors")
    async def connectors(request: Request, page: ViewerPage) -> Response:
        statuses = await run_in_threadpool(connector_service.connector_statuses, uow, page.project)
        return render(request, "settings/connectors.html", page, "connectors", statuses=statuses)

    @router.get("/p/{project}/settings/connectors/{connector_id}")
    async def connector_logs(
        request: Request,
        page: ViewerPage,
        connector_id: int,
        before_request: Annotated[int | None, Query(ge=1)] = None,
        before_error: Annotated[int | None, Query(ge=1)] = None,
    ) -> Response:
        def read() -> tuple[Connector, dict[str, int], list[LoggedRequest], list[LoggedError]]:
            connector = connector_service.get_connector(uow, page.project, connector_id)
            with uow.read() as tx:
                return (
                    connector,
                    tx.outbox.counts(None, connector.id),
                    tx.outbound_log.requests(connector.id, before_id=before_request, limit=LOG_ROWS),
                    tx.outbound_log.errors(connector.id, before_id=before_error, limit=LOG_ROWS),
                )

        connector, jobs, requests, errors = await run_in_threadpool(read)
        return render(
            request,
            "settings/connector.html",
            page,
            "connectors",
            connector=connector,
            jobs=jobs,
            requests=requests,
            errors=errors,
            more_requests=requests[-1].id if len(requests) == LOG_ROWS else None,
            more_errors=errors[-1].id if len(errors) == LOG_ROWS else None,
        )

    def dead_letters(page: ProjectPage, connector_id: int | None, after: int) -> dict[str, Any]:
        with uow.read() as tx:
            jobs: list[Job] = tx.outbox.dead(page.project.id, connector_id, DEAD_ROWS, after)
        names = {c.id: c.name for c in connector_service.list_connectors(uow, page.project)}
        return {
            "jobs": jobs,
            "names": names,
            "connector_id": connector_id,
            "more": jobs[-1].id if len(jobs) == DEAD_ROWS else None,
        }

    @router.get("/p/{project}/settings/dead-letters")
    async def dead(
        request: Request,
        page: ViewerPage,
        connector: Annotated[int | None, Query(ge=1)] = None,
        after: Annotated[int, Query(ge=0)] = 0,
        retried: Annotated[int | None, Query(ge=0)] = None,
    ) -> Response:
        found = await run_in_threadpool(dead_letters, page, connector, after)
        return render(request, "settings/dead_letters.html", page, "dead", retried=retried, **found)

    @router.post("/p/{project}/settings/dead-letters/retry")
    async def retry(request: Request, page: AdminPost) -> Response:
        form = await request.form()
        ids = [int(value) for value in form.getlist("job") if isinstance(value, str) and value.isdigit()]
        raw_connector = form.get("connector")
        connector_id = int(raw_connector) if isinstance(raw_connector, str) and raw_connector.isdigit() else None
        retried = await run_in_threadpool(
            lambda: outbox_service.revive_dead_jobs(
                uow, project_id=page.project.id, connector_id=connector_id, job_ids=ids or None
            )
        )
        return redirect_to(project_path(page.project, "settings", "dead-letters", retried=str(retried)))

    return router
