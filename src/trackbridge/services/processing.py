"""The worker's use case: inbox batches → deduplicated events → visits and actions → identification.

Claiming batches, processing them and marking them processed happen in one transaction, so a crash anywhere is
repaired by running again: every accepted event takes effect exactly once. On PostgreSQL batches are claimed with
``FOR UPDATE SKIP LOCKED`` and visitors are locked in a fixed order, so any number of workers share the backlog.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from trackbridge.domain.cart_events import cart_from_event
from trackbridge.domain.events import EventType, ProcessedEvent, TrackedEvent
from trackbridge.domain.projects import Project
from trackbridge.domain.sessions import OpenSession, Placement, SessionDetails, negative_keys, place_events
from trackbridge.services import identification, order_linking, outbound_hooks, rollups
from trackbridge.services.enrichment_pipeline import Enricher
from trackbridge.services.ports import Transaction, UnitOfWork
from trackbridge.services.tracking_ports import InboxBatch

log = logging.getLogger(__name__)

LEAD_SOURCE = "lead_source"
CHANNEL = "channel"


@dataclass(frozen=True)
class Limits:
    max_rows: int = 500
    max_events: int = 5_000


def process_pending(
    uow: UnitOfWork,
    enricher: Enricher,
    limits: Limits | None = None,
    is_transient: Callable[[BaseException], bool] = lambda _error: False,
) -> int:
    """Processes the oldest unprocessed batches in one transaction; the number of batches done (0: none pending).

    When a group fails for a reason that is not transient, its batches are retried one by one and a batch that still
    fails is set aside with the error (a dead letter, kept in the inbox), so one bad batch never stops the pipeline.
    """
    limits = limits or Limits()
    claimed: list[int] = []
    try:
        return _process_group(uow, enricher, limits, claimed)
    except Exception as error:
        if is_transient(error):
            raise
        if len(claimed) > 1:
            log.warning("batch group failed; retrying one by one", extra={"batches": len(claimed)})
            return sum(process_pending(uow, enricher, Limits(1, limits.max_events), is_transient) for _ in claimed)
        if claimed:
            log.exception("inbox batch failed; set aside", extra={"inbox_id": claimed[0]})
            with uow.transaction() as tx:
                tx.tracking.mark_processed(claimed, datetime.now(UTC), error=f"{type(error).__name__}: {error}"[:2000])
            return 1
        raise


def _process_group(uow: UnitOfWork, enricher: Enricher, limits: Limits, claimed: list[int]) -> int:
    with uow.transaction() as tx:
        batches = tx.tracking.claim_inbox(max_rows=limits.max_rows, max_events=limits.max_events)
        claimed.extend(batch.id for batch in batches)
        by_project: dict[int, list[InboxBatch]] = defaultdict(list)
        for batch in batches:
            by_project[batch.project_id].append(batch)
        for project_id, group in by_project.items():
            project = tx.projects.by_id(project_id)
            if project is not None:  # a deleted project's leftovers are only marked
                process_events(tx, project, group, enricher)
                order_linking.link_pending_orders(tx, project, order_linking.BATCH_ORDERS)
                rollups.update_order_rollups(tx, project)
        if batches:
            tx.tracking.mark_processed(claimed, datetime.now(UTC))
    return len(batches)


def process_events(tx: Transaction, project: Project, batches: Sequence[InboxBatch], enricher: Enricher) -> None:
    """Turns one project's batches into visits and actions, inside the caller's transaction."""
    origins: dict[str, str] = {}
    events: list[TrackedEvent] = []
    for batch in batches:
        for event in batch.events:
            if event.event_id not in origins:
                origins[event.event_id] = batch.source
                events.append(event)
    fresh = tx.tracking.remember_event_ids(project.id, list(origins))
    events = [e for e in events if e.event_id in fresh]
    humans: dict[str, list[TrackedEvent]] = defaultdict(list)
    bots: Counter[date] = Counter()
    for event in events:
        if enricher.device(event.user_agent).is_bot:
            bots[event.occurred_at.astimezone(UTC).date()] += 1
        else:
            humans[event.visitor_id].append(event)
    if humans:
        processed = _sessionize(tx, project, humans, origins, enricher)
        identification.process_events(tx, project, processed)
        spans = {v: (min(e.occurred_at for e in evs), max(e.occurred_at for e in evs)) for v, evs in humans.items()}
        order_linking.mark_visits(tx, project, spans)
        rollups.update_rollups(tx, project, sorted({event.session_id for event in processed}))
        _carts_updated(tx, project, processed, origins)
    if bots:
        tx.tracking.count_bot_hits(project.id, dict(bots))


def _carts_updated(
    tx: Transaction, project: Project, processed: Sequence[ProcessedEvent], origins: dict[str, str]
) -> None:
    """Each visitor's latest cart of the batch goes to the outbound hooks (the Matomo push sends it on)."""
    latest: dict[str, TrackedEvent] = {}
    for item in processed:
        if item.event.type is EventType.SET_CART:
            latest[item.event.visitor_id] = item.event
    now = datetime.now(UTC)
    for event in latest.values():
        outbound_hooks.cart_updated(tx, project, cart_from_event(event, origins.get(event.event_id, "")), now)


def _sessionize(
    tx: Transaction,
    project: Project,
    by_visitor: dict[str, list[TrackedEvent]],
    origins: dict[str, str],
    enricher: Enricher,
) -> list[ProcessedEvent]:
    spans = {v: (min(e.occurred_at for e in evs), max(e.occurred_at for e in evs)) for v, evs in by_visitor.items()}
    customers = tx.tracking.touch_visitors(project.id, spans)
    start = min(first for first, _ in spans.values())
    end = max(last for _, last in spans.values())
    stored: dict[str, list[OpenSession]] = defaultdict(list)
    for session in tx.tracking.open_sessions(project.id, list(by_visitor), start, end):
        stored[session.visitor_id].append(session)
    keys = negative_keys()
    placements: list[Placement] = []
    touched: list[OpenSession] = []
    for visitor, evs in by_visitor.items():
        sessions = stored[visitor]
        placements.extend(place_events(sessions, evs, keys))
        touched.extend(s for s in sessions if s.changed)
    mappings = tx.tracking.lookup_mappings(project.id, LEAD_SOURCE) | tx.tracking.lookup_mappings(project.id, CHANNEL)
    ids = _store_sessions(tx, project, touched, customers, origins, enricher, mappings)
    placed = [(p.event, ids[p.session_key]) for p in placements if p.session_key is not None]
    actions = [(event, session_id) for event, session_id in placed if event.type is not EventType.PING]
    action_ids = iter(tx.tracking.add_actions(project.id, actions))
    return [
        ProcessedEvent(event, session_id, None if event.type is EventType.PING else next(action_ids))
        for event, session_id in placed
    ]


def _store_sessions(
    tx: Transaction,
    project: Project,
    touched: list[OpenSession],
    customers: dict[str, int | None],
    origins: dict[str, str],
    enricher: Enricher,
    mappings: dict[tuple[str, str], str],
) -> dict[int, int]:
    """Writes new and changed visits; answers the stored id of every key."""
    new: list[tuple[OpenSession, SessionDetails, int | None]] = []
    changed: list[tuple[OpenSession, SessionDetails | None]] = []
    for session in touched:
        entry = session.entry
        if session.is_new:
            assert entry is not None
            details = enricher.details(entry, session.campaign, mappings, origins.get(entry.event_id, "tracker"))
            new.append((session, details, customers.get(session.visitor_id)))
        elif entry is not None:
            changed.append((session, enricher.details(entry, session.campaign, mappings, "")))
        else:
            changed.append((session, None))
    ids = {s.key: s.key for s in touched if not s.is_new}
    for (session, _details, _customer), stored_id in zip(new, tx.tracking.add_sessions(project.id, new), strict=True):
        ids[session.key] = stored_id
    tx.tracking.update_sessions(project.id, changed)
    return ids
