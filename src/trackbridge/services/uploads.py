"""Use cases of CRM uploads: record an upload, process its file in chunks, tell how it went.

A file is read as a stream (services/upload_files.py) and stored ``CHUNK_ROWS`` rows per transaction, with the upload's
counters and rejected lines in the same transaction: a reader sees the progress, and a crash leaves every finished chunk
stored. Records are keyed by the CRM's ids, so uploading the same rows again duplicates nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

from trackbridge.domain.crm_upload import (
    CrmCustomer,
    CrmOrder,
    MergeMode,
    Outcome,
    UploadKind,
    map_customer,
    map_order,
    parse_column_mapping,
)
from trackbridge.domain.errors import InvalidInput, NotFound
from trackbridge.domain.projects import Project
from trackbridge.domain.resources import ProductRecord
from trackbridge.services import order_events, outbound_hooks
from trackbridge.services.ports import Transaction, UnitOfWork
from trackbridge.services.upload_files import Row, UploadFile
from trackbridge.services.upload_ports import ChunkCounts, RejectedLine, UploadInfo, UploadStatus

log = logging.getLogger(__name__)

CHUNK_ROWS = 1_000
MAX_STORED_REJECTIONS = 10_000
"""Rejected lines kept per upload (all are counted); a file of a million bad rows should not become a million rows."""

Progress = Callable[[UploadInfo | None, int], None]


def _now() -> datetime:
    return datetime.now(UTC)


def parse_kind(value: str) -> UploadKind:
    try:
        return UploadKind(value.strip().lower())
    except ValueError:
        raise InvalidInput(f"{value!r} is not one of {', '.join(k.value for k in UploadKind)}", "kind") from None


def parse_merge_mode(value: str) -> MergeMode:
    try:
        return MergeMode(value.strip().upper())
    except ValueError:
        raise InvalidInput(f"{value!r} is not one of {', '.join(m.value for m in MergeMode)}", "merge") from None


def create_upload(
    uow: UnitOfWork,
    project: Project,
    kind: UploadKind,
    mode: MergeMode,
    *,
    columns: object = None,
    filename: str | None = None,
    bytes_total: int | None = None,
) -> UploadInfo:
    """Records a queued upload; the column mapping is checked now, so a mistake is answered before any processing."""
    mapping = parse_column_mapping(columns, kind)
    with uow.transaction() as tx:
        upload_id = tx.uploads.add(
            project.id, kind, mode, filename=filename, columns=mapping, bytes_total=bytes_total, now=_now()
        )
        info = tx.uploads.get(project.id, upload_id)
    assert info is not None
    log.info("upload queued", extra={"project": project.name, "upload": upload_id, "kind": kind.value})
    return info


def get_upload(
    uow: UnitOfWork, project: Project, upload_id: int, *, after_line: int = 0, limit: int = 100
) -> tuple[UploadInfo, list[RejectedLine]]:
    """An upload of the project with a page of its rejected lines (those after ``after_line``)."""
    with uow.read() as tx:
        info = tx.uploads.get(project.id, upload_id)
        if info is None:
            raise NotFound(f"no upload {upload_id} in this project")
        return info, tx.uploads.rejected_lines(upload_id, after_line=after_line, limit=limit)


def recent_uploads(uow: UnitOfWork, project: Project, limit: int = 20) -> list[UploadInfo]:
    """The project's latest uploads, newest first (the web UI's list)."""
    with uow.read() as tx:
        return tx.uploads.recent(project.id, limit)


@dataclass
class _Chunk:
    """Rows waiting to be stored together; a key seen twice closes the chunk, so rows apply in file order."""

    records: list[tuple[int, CrmCustomer | CrmOrder]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    rejected: list[RejectedLine] = field(default_factory=list)
    read: int = 0


def process_upload(
    uow: UnitOfWork, project: Project, upload_id: int, source: BinaryIO, on_progress: Progress | None = None
) -> UploadInfo:
    """Reads ``source`` and stores its rows; the upload ends ``done``, or ``failed`` with the reason when the file
    cannot be read as a whole (rows stored before that point stay). ``on_progress`` gets the upload after each chunk."""
    with uow.transaction() as tx:
        info = tx.uploads.get(project.id, upload_id)
        if info is None:
            raise NotFound(f"no upload {upload_id} in this project")
        tx.uploads.start(upload_id, _now())
    file = UploadFile(source, info.kind, info.columns)
    processor = _Processor(uow, project, info, file, on_progress)
    status, error = UploadStatus.DONE, None
    try:
        processor.run()
    except InvalidInput as problem:
        status, error = UploadStatus.FAILED, problem.detail
    except Exception:
        log.exception("upload failed", extra={"project": project.name, "upload": upload_id})
        status, error = UploadStatus.FAILED, "an internal error stopped the upload; the log has the details"
        raise
    finally:
        with uow.transaction() as tx:
            tx.uploads.finish(upload_id, status, error, _now())
            final = tx.uploads.get(project.id, upload_id)
        log.info("upload finished", extra={"project": project.name, "upload": upload_id, "status": status})
    assert final is not None
    return final


class _Processor:
    def __init__(
        self, uow: UnitOfWork, project: Project, info: UploadInfo, file: UploadFile, on_progress: Progress | None
    ) -> None:
        self.uow = uow
        self.project = project
        self.info = info
        self.file = file
        self.on_progress = on_progress
        self.tz = ZoneInfo(project.timezone)
        self.kept_rejections = 0
        self.bytes_reported = 0
        self.known_products: set[str] = set()

    def run(self) -> None:
        chunk = _Chunk()
        try:
            for row in self.file.rows():
                record = self._map(row, chunk)
                if record is not None:
                    key = record.uniq_id if isinstance(record, CrmCustomer) else record.id
                    if key in chunk.keys:
                        chunk = self._flush(chunk)
                    chunk.keys.add(key)
                    chunk.records.append((row.line, record))
                chunk.read += 1
                if chunk.read >= CHUNK_ROWS:
                    chunk = self._flush(chunk)
        except InvalidInput:  # a file broken part-way still stores the rows read before the break
            self._flush(chunk)
            raise
        self._flush(chunk)

    def _map(self, row: Row, chunk: _Chunk) -> CrmCustomer | CrmOrder | None:
        if row.problem is not None:
            chunk.rejected.append(RejectedLine(row.line, row.problem))
            return None
        try:
            if self.info.kind is UploadKind.CUSTOMERS:
                return map_customer(row.cells, self.tz)
            return map_order(row.cells, self.tz, self.info.kind)
        except InvalidInput as problem:
            chunk.rejected.append(RejectedLine(row.line, problem.message))
            return None

    def _flush(self, chunk: _Chunk) -> _Chunk:
        if chunk.read == 0:
            return chunk
        with self.uow.transaction() as tx:
            outcomes = self._store(tx, [record for _, record in chunk.records])
            rejected = list(chunk.rejected)
            for (line, _), outcome in zip(chunk.records, outcomes, strict=True):
                if outcome.reason is not None:
                    rejected.append(RejectedLine(line, outcome.reason))
            stored = sum(1 for outcome in outcomes if outcome.stored)
            skipped = sum(1 for outcome in outcomes if outcome.skipped)
            kept = rejected[: max(0, MAX_STORED_REJECTIONS - self.kept_rejections)]
            self.kept_rejections += len(kept)
            counts = ChunkCounts(
                read=chunk.read,
                stored=stored,
                skipped=skipped,
                rejected=len(rejected),
                bytes_read=self.file.bytes_read - self.bytes_reported,
            )
            self.bytes_reported = self.file.bytes_read
            tx.uploads.add_progress(self.info.id, counts, kept)
            info = tx.uploads.get(self.project.id, self.info.id) if self.on_progress else None
        if self.on_progress is not None:
            self.on_progress(info, self.file.bytes_read)
        return _Chunk()

    def _store(self, tx: Transaction, records: Sequence[CrmCustomer | CrmOrder]) -> list[Outcome]:
        if not records:
            return []
        now = _now()
        if self.info.kind is UploadKind.CUSTOMERS:
            customers = [r for r in records if isinstance(r, CrmCustomer)]
            stored = tx.crm.store_customers(self.project.id, customers, self.info.merge_mode, now)
            # new client ids, e-mails or phones may link the customers' orders to other visits
            tx.order_events.mark_customer_orders(self.project.id, [c.uniq_id for c in customers])
            changed = [c.uniq_id for c, outcome in zip(customers, stored, strict=True) if outcome.stored]
            outbound_hooks.customers_changed(tx, self.project, [], now, external_ids=changed)
            return stored
        orders = [r for r in records if isinstance(r, CrmOrder)]
        names = sorted({name for order in orders for name, _ in order.products} - self.known_products)
        if names:  # Metrica's products are names: unknown ones become placeholders that a catalogue sync fills in
            placeholders = [ProductRecord(id=name, name=name) for name in names]
            tx.resources.add_placeholder_products(self.project.id, placeholders, now)
            self.known_products.update(names)  # once per upload (a rolled-back chunk fails the upload whole)
        outcomes = tx.crm.store_orders(self.project.id, orders, self.info.kind, self.info.merge_mode, now)
        written = [order.id for order, outcome in zip(orders, outcomes, strict=True) if outcome.stored]
        order_events.after_store(tx, self.project, written, now)
        outbound_hooks.orders_changed(tx, self.project, written, now)
        return outcomes
