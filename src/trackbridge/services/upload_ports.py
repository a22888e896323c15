"""The ports CRM uploads need: the upload bookkeeping and the storage of uploaded customers and orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from trackbridge.domain.crm_upload import CrmCustomer, CrmOrder, MergeMode, Outcome, UploadKind


class UploadStatus:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class UploadInfo:
    id: int
    project_id: int
    kind: UploadKind
    merge_mode: MergeMode
    status: str
    filename: str | None
    columns: dict[str, str]
    bytes_total: int | None
    bytes_read: int
    rows_read: int
    rows_stored: int
    rows_skipped: int
    rows_rejected: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class RejectedLine:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ChunkCounts:
    """What one chunk of rows added to an upload's counters."""

    read: int
    stored: int
    skipped: int
    rejected: int
    bytes_read: int


class UploadRepository(Protocol):
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
    ) -> int: ...

    def get(self, project_id: int, upload_id: int) -> UploadInfo | None: ...

    def rejected_lines(self, upload_id: int, *, after_line: int, limit: int) -> list[RejectedLine]: ...

    def recent(self, project_id: int, limit: int) -> list[UploadInfo]:
        """The project's latest uploads, newest first."""
        ...

    def start(self, upload_id: int, now: datetime) -> None: ...

    def add_progress(self, upload_id: int, counts: ChunkCounts, rejected: Sequence[RejectedLine]) -> None:
        """Adds a chunk's counts and stores its rejected lines (a line already recorded is kept once)."""
        ...

    def finish(self, upload_id: int, status: str, error: str | None, now: datetime) -> None: ...


class CrmRepository(Protocol):
    def store_customers(
        self, project_id: int, records: Sequence[CrmCustomer], mode: MergeMode, now: datetime
    ) -> list[Outcome]:
        """Stores customers by ``uniq_id`` (no ``uniq_id`` twice in one call); one outcome per record, in order."""
        ...

    def store_orders(
        self, project_id: int, records: Sequence[CrmOrder], kind: UploadKind, mode: MergeMode, now: datetime
    ) -> list[Outcome]:
        """Stores orders by id (no id twice in one call); one outcome per record, in order."""
        ...
