"""Export of customers, products and orders to marketing platforms: the queue's rules. Pure, no I/O.

Every record waiting to go to a destination has one entry in the export queue, in one of two lanes: *live* (it changed
since the export started) or *historical* (the initial or re-export of everything). A live change supersedes a waiting
historical entry for the same record: the record is built when it is sent, so one send carries its latest state.

Each run picks at most ``max_records`` entries: the live lane first, then the historical one, each in the order the
entries were queued. Within a run a record never goes before what it depends on (an order after its customer and its
products, which the platform must know first): a dependency still waiting is pulled forward into the same run, ahead of
the record that needs it. The chosen entries go out in batches of at most 100 records of one entity type per call,
in that order: customers, then products, then orders, the live lane's batches before the historical ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EntityType(StrEnum):
    CUSTOMER = "customer"
    PRODUCT = "product"
    ORDER = "order"


ENTITY_SEQUENCE: tuple[EntityType, ...] = (EntityType.CUSTOMER, EntityType.PRODUCT, EntityType.ORDER)
"""The order in which entity types are exported: each may depend on the ones before it."""


class Lane(StrEnum):
    LIVE = "live"
    HISTORICAL = "historical"


MAX_BATCH_RECORDS = 100
DEFAULT_MAX_RECORDS_PER_RUN = 1000
DEFAULT_SCHEDULE = "* * * * *"


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What the platform answered for one batch: the record ids it accepted and, per rejected id, its reason."""

    accepted: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordRef:
    entity: EntityType
    entity_id: str


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """A record waiting to be exported to one destination. ``sequence`` grows with every change queued."""

    entity: EntityType
    entity_id: str
    lane: Lane
    sequence: int

    @property
    def ref(self) -> RecordRef:
        return RecordRef(self.entity, self.entity_id)


@dataclass(frozen=True, slots=True)
class PlannedBatch:
    """One call's worth of records: up to 100 ids of one entity type, sent in ``position`` order within a run."""

    entity: EntityType
    lane: Lane
    ids: tuple[str, ...]
    position: int


def lane_after_change(waiting: Lane | None, incoming: Lane) -> Lane:
    """The lane of a record's entry once ``incoming`` is queued for it: live wins, a historical entry never demotes."""
    if waiting is Lane.LIVE or incoming is Lane.LIVE:
        return Lane.LIVE
    return Lane.HISTORICAL


def choose_records(
    waiting: Sequence[QueueEntry],
    dependencies: Mapping[RecordRef, Sequence[RecordRef]],
    max_records: int,
) -> list[QueueEntry]:
    """The entries to send in this run, at most ``max_records`` (at least one group, so a run always progresses).

    Live entries first, then historical ones, each by ``sequence``; a waiting dependency of a chosen entry is chosen
    with it, just before it, and counted in the live lane when the entry needing it is live. A group (a record with its
    waiting dependencies) that does not fit in what is left of the run waits for the next run."""
    if max_records < 1:
        raise ValueError("max_records must be at least 1")
    by_ref = {entry.ref: entry for entry in waiting}
    ordered = sorted(waiting, key=lambda entry: (entry.lane is not Lane.LIVE, entry.sequence))
    chosen: list[QueueEntry] = []
    taken: set[RecordRef] = set()
    for entry in ordered:
        if entry.ref in taken:
            continue
        group = _with_dependencies(entry, by_ref, dependencies, taken)
        if chosen and len(chosen) + len(group) > max_records:
            break  # the rest waits for the next run, in the same order
        chosen.extend(group)
        taken.update(item.ref for item in group)
        if len(chosen) >= max_records:
            break
    return chosen


def _with_dependencies(
    entry: QueueEntry,
    by_ref: Mapping[RecordRef, QueueEntry],
    dependencies: Mapping[RecordRef, Sequence[RecordRef]],
    taken: set[RecordRef],
) -> list[QueueEntry]:
    group: list[QueueEntry] = []
    seen: set[RecordRef] = {entry.ref}
    for ref in dependencies.get(entry.ref, ()):
        needed = by_ref.get(ref)
        if needed is None or ref in taken or ref in seen:
            continue  # already sent (not waiting), or already chosen earlier in this run
        seen.add(ref)
        group.append(QueueEntry(needed.entity, needed.entity_id, entry.lane, needed.sequence))
    group.sort(key=lambda item: ENTITY_SEQUENCE.index(item.entity))
    group.append(entry)
    return group


def make_batches(chosen: Iterable[QueueEntry], batch_size: int = MAX_BATCH_RECORDS) -> list[PlannedBatch]:
    """``chosen`` cut into calls of at most ``batch_size`` records of one entity type: per lane (live first), customers,
    then products, then orders, keeping the chosen order inside each."""
    if not 1 <= batch_size <= MAX_BATCH_RECORDS:
        raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_RECORDS}")
    groups: dict[tuple[Lane, EntityType], list[str]] = {}
    for entry in chosen:
        groups.setdefault((entry.lane, entry.entity), []).append(entry.entity_id)
    batches: list[PlannedBatch] = []
    for lane in (Lane.LIVE, Lane.HISTORICAL):
        for entity in ENTITY_SEQUENCE:
            ids = groups.get((lane, entity), [])
            for start in range(0, len(ids), batch_size):
                batches.append(PlannedBatch(entity, lane, tuple(ids[start : start + batch_size]), len(batches)))
    return batches


def plan_run(
    waiting: Sequence[QueueEntry],
    dependencies: Mapping[RecordRef, Sequence[RecordRef]],
    max_records: int,
    batch_size: int = MAX_BATCH_RECORDS,
) -> list[PlannedBatch]:
    """The batches of one export run, in the order they must be sent."""
    return make_batches(choose_records(waiting, dependencies, max_records), batch_size)


class RunState(StrEnum):
    QUEUING = "queuing"  # records are being queued, a chunk at a time; a restart continues from the cursors
    QUEUED = "queued"  # every record is queued; the runs send them
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ExportRun:
    """A historical export of some entity types to one destination. Per entity: the last id queued (``cursors``, to
    restart), how many there were to queue when it started (``totals``) and how many are queued so far (``queued``)."""

    id: int
    connector_id: int
    project_id: int
    state: RunState
    entities: tuple[EntityType, ...]
    cursors: dict[str, str]
    totals: dict[str, int]
    queued: dict[str, int]
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class RatePermit:
    """The shared rate limiter's answer: a slot to send in now (``slot``), or how long to wait before asking again."""

    wait_seconds: float
    slot: int | None = None

    @property
    def granted(self) -> bool:
        return self.slot is not None
