"""Ports of the export to marketing platforms: the export queue with its runs and snapshots, and the shared limiter."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from trackbridge.domain.export import EntityType, ExportRun, Lane, QueueEntry, RatePermit, RecordRef, RunState
from trackbridge.domain.outbound import JobState

JsonObject = dict[str, Any]


class ExportRepository(Protocol):
    def enqueue(
        self, connector_id: int, project_id: int, entity: EntityType, ids: Sequence[str], lane: Lane, now: datetime
    ) -> None:
        """Queues ``ids``. Live: a new entry, or the existing one marked changed and moved to the live lane (a waiting
        historical entry goes to the live lane's end; a live one keeps its place). Historical: only ids not queued."""
        ...

    def waiting(self, connector_id: int, limit: int) -> list[QueueEntry]:
        """Entries not yet planned into a batch: the live lane first, each lane by sequence."""
        ...

    def waiting_refs(self, connector_id: int, refs: Collection[RecordRef]) -> list[QueueEntry]:
        """Those of ``refs`` that wait (not yet planned)."""
        ...

    def dependencies(self, project_id: int, order_ids: Collection[str]) -> dict[RecordRef, list[RecordRef]]:
        """Per order, the customer and products it refers to."""
        ...

    def scopes(
        self, project_id: int, entity: EntityType, ids: Collection[str]
    ) -> dict[str, tuple[str | None, str | None]]:
        """Per record, its website and store-view codes (products have none)."""
        ...

    def customer_ids(self, project_id: int, emails: Sequence[str], external_ids: Sequence[str]) -> list[str]:
        """Internal ids of the customers with these e-mails or shop ids."""
        ...

    def assign(self, connector_id: int, entity: EntityType, ids: Sequence[str], job_id: int) -> None:
        """Plans the entries into the batch job ``job_id``."""
        ...

    def planned(self, connector_id: int, entity: EntityType, ids: Sequence[str], job_id: int) -> dict[str, int]:
        """The entries of ``ids`` planned into ``job_id`` and their versions."""
        ...

    def settle(self, connector_id: int, entity: EntityType, versions: dict[str, int], job_id: int) -> int:
        """After a batch went out: removes the entries still at the version sent; those changed since then wait for
        the next run. Returns the number removed."""
        ...

    def in_flight(self, connector_id: int, refs: Collection[RecordRef], job_id: int) -> set[JobState]:
        """The states (pending, running) of the other batch jobs that hold one of ``refs`` and have not finished; a job
        the same worker claimed but has not started yet counts as pending."""
        ...

    def release_orphans(self, connector_id: int) -> int:
        """Entries planned into a job that no longer exists or finished without settling them wait again."""
        ...

    def counts(self, connector_id: int) -> dict[tuple[EntityType, Lane], int]: ...

    def has_waiting(self, connector_id: int) -> bool:
        """Any entry at all, waiting or planned."""
        ...

    def snapshots(self, project_id: int, entity: EntityType, ids: Collection[str]) -> dict[str, JsonObject]:
        """The records as the read API returns them, for those of ``ids`` that exist."""
        ...

    def entity_ids(self, project_id: int, entity: EntityType, after: str | None, limit: int) -> list[str]:
        """Ids of one entity type in key order after ``after``: a page of a historical export."""
        ...

    def entity_count(self, project_id: int, entity: EntityType) -> int: ...

    def start_run(
        self, connector_id: int, project_id: int, entities: Sequence[EntityType], totals: dict[str, int], now: datetime
    ) -> ExportRun: ...

    def open_run(self, connector_id: int) -> ExportRun | None:
        """The latest historical export still queuing (to restart)."""
        ...

    def latest_run(self, connector_id: int) -> ExportRun | None: ...

    def advance_run(
        self, run_id: int, entity: EntityType, cursor: str, added: int, now: datetime, state: RunState | None = None
    ) -> ExportRun: ...

    def set_run_state(self, run_id: int, state: RunState, now: datetime) -> None: ...


class RateLimitRepository(Protocol):
    def acquire(self, key: str, limit: int, window_seconds: float, now_us: int, lease_seconds: float) -> RatePermit:
        """In its own short transaction: a slot if fewer than ``limit`` requests of ``key`` ended (or are in flight)
        within the last ``window_seconds``, leased for ``lease_seconds``; otherwise how long to wait."""
        ...

    def release(self, key: str, slot: int, done_us: int) -> None:
        """The request in ``slot`` ended at ``done_us``: the slot is free again one window later."""
        ...
