"""CRM uploads in SQL: the bookkeeping of uploads, and the repository that stores uploaded customers and orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from trackbridge.adapters.db.sql_crm_customers import store_customers
from trackbridge.adapters.db.sql_crm_orders import store_orders
from trackbridge.adapters.db.upload_tables import upload_errors, uploads
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.crm_upload import CrmCustomer, CrmOrder, MergeMode, Outcome, UploadKind
from trackbridge.services.upload_ports import ChunkCounts, RejectedLine, UploadInfo, UploadStatus


class SqlUploadRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name

    def add(
        self,
        project_id: int,
        kind: UploadKind,
        mode: MergeMode,
        *,
        filename: str | None,
        columns: dict[str, str],
        bytes_total: int | None,
        now: datetime,
    ) -> int:
        result = self._c.execute(
            insert(uploads)
            .values(
                project_id=project_id,
                kind=kind.value,
                merge_mode=mode.value,
                status=UploadStatus.QUEUED,
                filename=filename,
                columns=columns,
                bytes_total=bytes_total,
                created_at=now,
            )
            .returning(uploads.c.id)
        )
        return int(result.scalar_one())

    def get(self, project_id: int, upload_id: int) -> UploadInfo | None:
        row = (
            self._c.execute(select(uploads).where(uploads.c.project_id == project_id, uploads.c.id == upload_id))
            .mappings()
            .first()
        )
        return None if row is None else _info(row)

    def recent(self, project_id: int, limit: int) -> list[UploadInfo]:
        rows = self._c.execute(
            select(uploads).where(uploads.c.project_id == project_id).order_by(uploads.c.id.desc()).limit(limit)
        ).mappings()
        return [_info(row) for row in rows]

    def rejected_lines(self, upload_id: int, *, after_line: int, limit: int) -> list[RejectedLine]:
        rows = self._c.execute(
            select(upload_errors.c.line, upload_errors.c.reason)
            .where(upload_errors.c.upload_id == upload_id, upload_errors.c.line > after_line)
            .order_by(upload_errors.c.line)
            .limit(limit)
        )
        return [RejectedLine(line=row.line, reason=row.reason) for row in rows]

    def start(self, upload_id: int, now: datetime) -> None:
        self._c.execute(
            update(uploads).where(uploads.c.id == upload_id).values(status=UploadStatus.RUNNING, started_at=now)
        )

    def add_progress(self, upload_id: int, counts: ChunkCounts, rejected: Sequence[RejectedLine]) -> None:
        self._c.execute(
            update(uploads)
            .where(uploads.c.id == upload_id)
            .values(
                rows_read=uploads.c.rows_read + counts.read,
                rows_stored=uploads.c.rows_stored + counts.stored,
                rows_skipped=uploads.c.rows_skipped + counts.skipped,
                rows_rejected=uploads.c.rows_rejected + counts.rejected,
                bytes_read=uploads.c.bytes_read + counts.bytes_read,
            )
        )
        if rejected:
            self._c.execute(
                upsert(self._dialect, upload_errors, ["upload_id", "line"]),
                [{"upload_id": upload_id, "line": r.line, "reason": r.reason[:2000]} for r in rejected],
            )

    def finish(self, upload_id: int, status: str, error: str | None, now: datetime) -> None:
        self._c.execute(
            update(uploads).where(uploads.c.id == upload_id).values(status=status, error=error, finished_at=now)
        )


def _info(row: Any) -> UploadInfo:
    return UploadInfo(
        id=int(row["id"]),
        project_id=int(row["project_id"]),
        kind=UploadKind(row["kind"]),
        merge_mode=MergeMode(row["merge_mode"]),
        status=row["status"],
        filename=row["filename"],
        columns=dict(row["columns"] or {}),
        bytes_total=row["bytes_total"],
        bytes_read=int(row["bytes_read"]),
        rows_read=int(row["rows_read"]),
        rows_stored=int(row["rows_stored"]),
        rows_skipped=int(row["rows_skipped"]),
        rows_rejected=int(row["rows_rejected"]),
        error=row["error"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


class SqlCrmRepository:
    """Uploaded customers and orders: every write keyed by the CRM's ids, so the same rows twice store nothing new."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def store_customers(
        self, project_id: int, records: Sequence[CrmCustomer], mode: MergeMode, now: datetime
    ) -> list[Outcome]:
        return store_customers(self._c, project_id, records, mode, now)

    def store_orders(
        self, project_id: int, records: Sequence[CrmOrder], kind: UploadKind, mode: MergeMode, now: datetime
    ) -> list[Outcome]:
        return store_orders(self._c, project_id, records, kind, mode, now)
