"""Raw exports: /api/v1/export/{sessions,events,orders}, streamed as CSV or JSON lines for a range of days.

Rows are read in keyset pages of 1,000, each in its own short read transaction, and written out as they come: an
export of any size never sits whole in memory.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Path, Query
from starlette.responses import StreamingResponse

from trackbridge.adapters.db.sql_exports import Cursor, SqlExportRepository
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.deps import ContainerDep, ReadCaller
from trackbridge.entrypoints.http.errors import error_responses
from trackbridge.entrypoints.http.report_csv import cell
from trackbridge.services import reports

log = logging.getLogger(__name__)
PAGE_ROWS = 1_000
Kind = Literal["sessions", "events", "orders"]
ExportFormat = Literal["csv", "jsonl"]
_TIME_COLUMN = {"sessions": "started_at", "events": "occurred_at", "orders": "placed_at"}
_KEY_COLUMN = {"sessions": "id", "events": "id", "orders": "id"}


def _rows(
    container: Container, kind: Kind, project_id: int, start: datetime, end: datetime
) -> Iterator[dict[str, Any]]:
    try:
        yield from _pages(container, kind, project_id, start, end)
    except Exception:  # the answer has started: the error can only be logged, and the stream ends short
        log.exception("export failed", extra={"kind": kind, "project_id": project_id})
        raise


def _pages(
    container: Container, kind: Kind, project_id: int, start: datetime, end: datetime
) -> Iterator[dict[str, Any]]:
    after: Cursor = None
    while True:
        with container.engine.execution_options(sqlite_read_only=True).connect() as connection:
            page = SqlExportRepository(connection).page(kind, project_id, start, end, after, PAGE_ROWS)
            connection.rollback()
        yield from page
        if len(page) < PAGE_ROWS:
            return
        last = page[-1]
        after = (last[_TIME_COLUMN[kind]], last[_KEY_COLUMN[kind]])


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    header: list[str] | None = None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        if header is None:
            header = list(row)
            writer.writerow(header)
        writer.writerow([cell(row.get(name)) for name in header])
        if out.tell() > 64_000:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    chunk = bytearray()
    for row in rows:
        chunk += orjson.dumps(row, default=str) + b"\n"
        if len(chunk) > 64_000:
            yield bytes(chunk)
            chunk.clear()
    yield bytes(chunk)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/export", tags=["exports"], responses=error_responses(400, 401, 403))

    @router.get("/{kind}", summary="Stream raw visits, events or orders of a range of days as CSV or JSON lines")
    async def export(
        container: ContainerDep,
        caller: ReadCaller,
        kind: Annotated[Kind, Path(description="sessions, events or orders.")],
        first: Annotated[date | None, Query(alias="from", description="First day (project time zone).")] = None,
        last: Annotated[date | None, Query(alias="to", description="Last day, included.")] = None,
        format: Annotated[ExportFormat, Query(description="csv (default) or jsonl.")] = "csv",
    ) -> StreamingResponse:
        project = caller.project
        today = datetime.now(UTC).astimezone(ZoneInfo(project.timezone)).date()
        scope = reports.build_scope(project, first, last, {}, today)
        rows = _rows(container, kind, project.id, scope.start, scope.end)
        name = f"{kind}-{scope.first_day.isoformat()}-{scope.last_day.isoformat()}.{format}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if format == "csv":
            return StreamingResponse(_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)
        return StreamingResponse(_jsonl(rows), media_type="application/x-ndjson", headers=headers)

    return router
