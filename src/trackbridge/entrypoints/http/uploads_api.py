"""The upload API: CRM customers and orders as files (Metrica's formats), processed in the background.

``POST /api/v1/uploads`` streams the file to ``<data dir>/uploads/``, records the upload and answers 202 at once; a
thread pool owned by the app (one thread: uploads of a process run one after the other) stores the rows, and
``GET /api/v1/uploads/{id}`` tells how far it got and which lines were rejected.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.crm_upload import parse_column_mapping
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.deps import ContainerDep, ReadCaller, WriteCaller
from trackbridge.entrypoints.http.errors import error_responses
from trackbridge.entrypoints.http.responses import JsonAnswer
from trackbridge.entrypoints.http.upload_body import receive_upload
from trackbridge.services import uploads as service
from trackbridge.services.upload_ports import RejectedLine, UploadInfo

log = logging.getLogger(__name__)

MAX_ERRORS_PAGE = 1_000


class UploadAccepted(BaseModel):
    id: int
    status: str


class RejectedLineOut(BaseModel):
    line: int
    reason: str


class UploadOut(BaseModel):
    """An upload: counters grow while it runs; ``rejected`` is a page of rejected lines, ``next`` the cursor of the
    following page (absent on the last)."""

    id: int
    kind: str
    merge: str
    status: str
    filename: str | None
    error: str | None
    bytesTotal: int | None
    bytesRead: int
    rowsRead: int
    rowsStored: int
    rowsSkipped: int
    rowsRejected: int
    createdAt: str
    startedAt: str | None
    finishedAt: str | None
    rejected: list[RejectedLineOut]
    next: int | None = None


class UploadRunner:
    """Processes uploads in a background thread; the received file is removed once processed."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, project: Project, upload_id: int, path: Path) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trackbridge-upload")
        self._pool.submit(self._run, project, upload_id, path)

    def _run(self, project: Project, upload_id: int, path: Path) -> None:
        try:
            with path.open("rb") as source:
                service.process_upload(self._container.uow, project, upload_id, source)
        except Exception:
            log.exception("upload processing failed", extra={"project": project.name, "upload": upload_id})
        finally:
            path.unlink(missing_ok=True)


_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The file: the multipart field `file` (with an optional `columns` field), or the raw body.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "columns": {"type": "string", "description": "Column mapping as JSON."},
                    },
                    "required": ["file"],
                }
            },
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "string", "format": "binary"}},
            "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def build_router(container: Container) -> APIRouter:
    runner = UploadRunner(container)
    router = APIRouter(prefix="/api/v1", tags=["uploads"], responses=error_responses(400, 401, 403))

    @router.post(
        "/uploads",
        status_code=202,
        response_model=UploadAccepted,
        summary="Upload CRM customers or orders (CSV, JSON array or JSON Lines)",
        responses=error_responses(413),
        openapi_extra=_BODY_DOC,
    )
    async def create_upload(
        request: Request,
        caller: WriteCaller,
        kind: Annotated[str, Query(description="customers, orders or simple_orders.")],
        merge: Annotated[str, Query(description="SAVE, UPDATE (the default) or APPEND.")] = "UPDATE",
        columns: Annotated[
            str | None, Query(description='Column mapping as JSON: {"their header": "our field"}.')
        ] = None,
    ) -> JsonAnswer:
        upload_kind = service.parse_kind(kind)
        mode = service.parse_merge_mode(merge)
        if columns is not None:
            parse_column_mapping(columns, upload_kind)  # a mistake is answered before the file is read
        directory = container.settings.data_dir / "uploads"
        received = await receive_upload(request, directory, container.settings.max_upload_bytes)
        try:
            info = await run_in_threadpool(
                service.create_upload,
                container.uow,
                caller.project,
                upload_kind,
                mode,
                columns=columns if columns is not None else received.fields.get("columns"),
                filename=received.filename,
                bytes_total=received.size,
            )
        except BaseException:
            received.path.unlink(missing_ok=True)
            raise
        runner.submit(caller.project, info.id, received.path)
        body = {"id": info.id, "status": info.status}
        return JsonAnswer(body, status_code=202, headers={"Location": f"/api/v1/uploads/{info.id}"})

    @router.get(
        "/uploads/{upload_id}",
        response_model=UploadOut,
        summary="An upload's state, counters and rejected lines",
        responses=error_responses(404),
    )
    async def get_upload(
        container: ContainerDep,
        caller: ReadCaller,
        upload_id: int,
        after: Annotated[int, Query(ge=0, description="Rejected lines after this line (the `next` value).")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_ERRORS_PAGE, description="Rejected lines per page.")] = 100,
    ) -> UploadOut:
        info, lines = await run_in_threadpool(
            service.get_upload, container.uow, caller.project, upload_id, after_line=after, limit=limit
        )
        return _out(info, lines, limit)

    return router


def _out(info: UploadInfo, lines: list[RejectedLine], limit: int) -> UploadOut:
    return UploadOut(
        id=info.id,
        kind=info.kind.value,
        merge=info.merge_mode.value,
        status=info.status,
        filename=info.filename,
        error=info.error,
        bytesTotal=info.bytes_total,
        bytesRead=info.bytes_read,
        rowsRead=info.rows_read,
        rowsStored=info.rows_stored,
        rowsSkipped=info.rows_skipped,
        rowsRejected=info.rows_rejected,
        createdAt=info.created_at.isoformat(),
        startedAt=info.started_at.isoformat() if info.started_at else None,
        finishedAt=info.finished_at.isoformat() if info.finished_at else None,
        rejected=[RejectedLineOut(line=line.line, reason=line.reason) for line in lines],
        next=lines[-1].line if len(lines) == limit else None,
    )
