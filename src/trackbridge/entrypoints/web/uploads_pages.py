"""The uploads pages: send a CRM file (customers, orders; CSV, JSON or JSON Lines), watch it being stored, read the
result line by line.

The file goes through the same use cases as ``POST /api/v1/uploads`` (services/uploads.py): it is saved under
``<data dir>/uploads/``, recorded, and stored in the background; the upload's page polls
``/p/{project}/uploads/{id}.json`` while it runs (uploads.js) and then shows every rejected line with its reason.
Sending a file is for the project's admins; viewers see the uploads and their results.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from trackbridge.domain.crm_upload import MergeMode, UploadKind
from trackbridge.domain.errors import InvalidInput, PayloadTooLarge
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.responses import JsonAnswer
from trackbridge.entrypoints.http.uploads_api import UploadRunner
from trackbridge.entrypoints.web.pages import AdminPost, ProjectPage, ViewerPage, page_router, redirect_to, render
from trackbridge.entrypoints.web.templating import project_path
from trackbridge.services import uploads as service
from trackbridge.services.upload_ports import RejectedLine, UploadInfo, UploadStatus

LINES_PER_PAGE = 200
COPY_CHUNK = 1024 * 1024
KINDS = [
    (UploadKind.CUSTOMERS.value, "Customers (contacts)"),
    (UploadKind.ORDERS.value, "Orders"),
    (UploadKind.SIMPLE_ORDERS.value, "Simplified orders"),
]
MODES = [
    (MergeMode.UPDATE.value, "UPDATE: only the fields a row carries change"),
    (MergeMode.SAVE.value, "SAVE: each row replaces the stored record whole"),
    (MergeMode.APPEND.value, "APPEND: only new records are added, stored ones stay"),
]


def upload_json(info: UploadInfo, lines: list[RejectedLine]) -> dict[str, Any]:
    """What the page's script polls: the state, the counters and the first rejected lines."""
    running = info.status in (UploadStatus.QUEUED, UploadStatus.RUNNING)
    percent = None
    if info.bytes_total:
        percent = 100 if info.status == UploadStatus.DONE else min(99, round(100 * info.bytes_read / info.bytes_total))
    return {
        "id": info.id,
        "status": info.status,
        "running": running,
        "percent": percent,
        "error": info.error,
        "rowsRead": info.rows_read,
        "rowsStored": info.rows_stored,
        "rowsSkipped": info.rows_skipped,
        "rowsRejected": info.rows_rejected,
        "rejected": [{"line": line.line, "reason": line.reason} for line in lines],
    }


def _save(file: UploadFile, directory: Path, limit: int) -> tuple[Path, int]:
    """Copies the received file to the uploads directory, within the size limit."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"web-{uuid.uuid4().hex}"
    size = 0
    try:
        with path.open("wb") as target:
            while chunk := file.file.read(COPY_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"the file is larger than the limit of {limit} bytes")
                target.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


def _choice(form: Any, name: str, allowed: list[tuple[str, str]], default: str) -> str:
    value = form.get(name)
    value = value if isinstance(value, str) and value else default
    if value not in {key for key, _ in allowed}:
        raise InvalidInput(f"{value!r} is not one of {', '.join(key for key, _ in allowed)}", name)
    return value


def build_router(container: Container) -> APIRouter:
    router = page_router()
    runner = UploadRunner(container)

    def index(request: Request, page: ProjectPage, *, problem: str | None = None, status_code: int = 200) -> Response:
        recent = service.recent_uploads(container.uow, page.project)
        return render(
            request,
            "uploads/index.html",
            page,
            section="uploads",
            status_code=status_code,
            uploads=recent,
            kinds=KINDS,
            modes=MODES,
            problem=problem,
            max_bytes=container.settings.max_upload_bytes,
        )

    @router.get("/p/{project}/uploads")
    async def uploads_page(request: Request, page: ViewerPage) -> Response:
        return await run_in_threadpool(index, request, page)

    @router.post("/p/{project}/uploads")
    async def send_file(request: Request, page: AdminPost) -> Response:
        form = await request.form()
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return await run_in_threadpool(index, request, page, problem="Choose a file to upload.", status_code=400)
        try:
            kind = service.parse_kind(_choice(form, "kind", KINDS, UploadKind.CUSTOMERS.value))
            mode = service.parse_merge_mode(_choice(form, "merge", MODES, MergeMode.UPDATE.value))
            columns_text = form.get("columns")
            columns = columns_text.strip() if isinstance(columns_text, str) and columns_text.strip() else None
            directory = container.settings.data_dir / "uploads"
            path, size = await run_in_threadpool(_save, file, directory, container.settings.max_upload_bytes)
        except InvalidInput as problem:
            return await run_in_threadpool(index, request, page, problem=problem.message, status_code=400)
        try:
            info = await run_in_threadpool(
                service.create_upload,
                container.uow,
                page.project,
                kind,
                mode,
                columns=columns,
                filename=file.filename,
                bytes_total=size,
            )
        except InvalidInput as problem:
            path.unlink(missing_ok=True)
            return await run_in_threadpool(index, request, page, problem=problem.message, status_code=400)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        runner.submit(page.project, info.id, path)
        return redirect_to(project_path(page.project, "uploads", info.id))

    @router.get("/p/{project}/uploads/{upload_id}.json")
    async def upload_state(page: ViewerPage, upload_id: int) -> Response:
        info, lines = await run_in_threadpool(
            service.get_upload, container.uow, page.project, upload_id, limit=LINES_PER_PAGE
        )
        return JsonAnswer(upload_json(info, lines), headers={"Cache-Control": "no-store"})

    @router.get("/p/{project}/uploads/{upload_id}")
    async def upload_page(
        request: Request,
        page: ViewerPage,
        upload_id: int,
        after: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        info, lines = await run_in_threadpool(
            service.get_upload, container.uow, page.project, upload_id, after_line=after, limit=LINES_PER_PAGE
        )
        state = upload_json(info, lines)
        more = lines[-1].line if len(lines) == LINES_PER_PAGE else None
        return render(
            request, "uploads/detail.html", page, section="uploads", upload=info, state=state, lines=lines, more=more
        )

    return router
