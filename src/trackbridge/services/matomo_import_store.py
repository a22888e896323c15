"""Storing a customer's imported Matomo visits in one transaction (services/matomo_import.py fetches them).

Each visit is stored by its Matomo key: as a new session with its actions, over the session it became before (a
re-import; its visitor id may have changed), or merged into the session trackbridge tracked itself (only the actions it
lacks are added). Then the lookups are expanded, the report days marked, and the orders the visits may concern marked
for linking and linked, as the worker does for tracked visits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from trackbridge.domain.events import TrackedEvent
from trackbridge.domain.matomo_visits import (
    OVERLAP_TOLERANCE,
    ImportedAction,
    ImportedVisit,
    merge_target,
    missing_actions,
)
from trackbridge.domain.outbound import Connector
from trackbridge.domain.privacy import anonymize_ip
from trackbridge.domain.projects import Project
from trackbridge.domain.sessions import CHECKOUT_TYPES, OpenSession, SessionDetails, lead_source, mapped_channel
from trackbridge.services import order_linking, rollups
from trackbridge.services.matomo_import_ports import StoredVisit
from trackbridge.services.ports import Transaction

IMPORT_ORIGIN = "matomo_import"


@dataclass
class ImportOutcome:
    customer_id: int
    fetched: int = 0
    added: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0


def store_visits(
    tx: Transaction,
    project: Project,
    connector: Connector,
    customer_id: int,
    visits: list[ImportedVisit],
    now: datetime,
    outcome: ImportOutcome,
    anonymize_level: int,
) -> None:
    if not visits:
        return
    matomo_url = str(connector.settings["url"])
    repo = tx.matomo_import
    mappings = tx.tracking.lookup_mappings(project.id, "lead_source") | tx.tracking.lookup_mappings(
        project.id, "channel"
    )
    touched: list[int] = []
    spans: dict[str, tuple[datetime, datetime]] = {}
    by_site: dict[int, list[ImportedVisit]] = {}
    for visit in visits:
        by_site.setdefault(visit.site_id, []).append(visit)
    for site_id, group in by_site.items():
        stored = repo.stored_visits(project.id, matomo_url, site_id, [v.id_visit for v in group])
        for visit in sorted(group, key=lambda v: (v.started_at, v.id_visit)):
            before = stored.get(visit.id_visit)
            if before is not None and before.content_hash == visit.content_hash:
                outcome.unchanged += 1
                continue
            details = _details(visit, mappings, anonymize_level)
            session_id = _place(tx, project, matomo_url, visit, details, before, customer_id, now, outcome)
            touched.append(session_id)
            first, last = spans.get(visit.visitor_id, (visit.started_at, visit.last_action_at))
            spans[visit.visitor_id] = (min(first, visit.started_at), max(last, visit.last_action_at))
    repo.expand_lookups(project.id, visits, now)
    if touched:
        rollups.update_rollups(tx, project, sorted(set(touched)))
        order_linking.mark_visits(tx, project, spans)
        window = timedelta(days=tx.order_links.link_window_days(project.id))
        start = min(first for first, _ in spans.values())
        end = max(last for _, last in spans.values()) + window
        repo.mark_customer_orders(project.id, customer_id, start, end)
        order_linking.link_pending_orders(tx, project, order_linking.BATCH_ORDERS)
        rollups.update_order_rollups(tx, project)


def _place(
    tx: Transaction,
    project: Project,
    matomo_url: str,
    visit: ImportedVisit,
    details: SessionDetails,
    before: StoredVisit | None,
    customer_id: int,
    now: datetime,
    outcome: ImportOutcome,
) -> int:
    """Stores one new or changed visit; the id of the session that holds it."""
    repo, prefix = tx.matomo_import, event_prefix(matomo_url, visit)
    if before is not None and not before.merged:  # a visit imported before: its new state over the old
        session = _open_session(visit, before.session_id)
        repo.rewrite_session(before.session_id, session, details, None, visit.duration_seconds)
        repo.remove_actions(before.session_id, None)
        _add_actions(tx, project, visit, visit.actions, before.session_id, prefix)
        repo.save_visit(
            project.id,
            matomo_url,
            visit,
            session_id=before.session_id,
            merged=False,
            customer_id=customer_id,
            now=now,
            row_id=before.row_id,
        )
        outcome.updated += 1
        return before.session_id
    target_id = before.session_id if before is not None else None
    if target_id is None:
        window = (visit.started_at - OVERLAP_TOLERANCE, visit.last_action_at + OVERLAP_TOLERANCE)
        target = merge_target(visit, repo.tracked_visits(project.id, [visit.visitor_id], *window))
        target_id = target.session_id if target is not None else None
    if target_id is not None:  # trackbridge tracked this visit too: add only what it lacks
        repo.remove_actions(target_id, prefix)
        lacking = missing_actions(visit, repo.session_actions(target_id, prefix))
        _add_actions(tx, project, visit, lacking, target_id, prefix)
        repo.recount_session(target_id, visit.started_at, visit.last_action_at)
        repo.save_visit(
            project.id,
            matomo_url,
            visit,
            session_id=target_id,
            merged=True,
            customer_id=customer_id,
            now=now,
            row_id=before.row_id if before else None,
        )
        if before is None:
            outcome.merged += 1
        else:
            outcome.updated += 1
        return target_id
    session = _open_session(visit, -1)
    (session_id,) = tx.tracking.add_sessions(project.id, [(session, details, customer_id)])
    repo.rewrite_session(session_id, session, details, customer_id, visit.duration_seconds)
    _add_actions(tx, project, visit, visit.actions, session_id, prefix)
    repo.save_visit(
        project.id,
        matomo_url,
        visit,
        session_id=session_id,
        merged=False,
        customer_id=customer_id,
        now=now,
        row_id=None,
    )
    outcome.added += 1
    return session_id


def event_prefix(matomo_url: str, visit: ImportedVisit) -> str:
    """The event-id prefix of a visit's imported actions (unique per Matomo server, site and visit)."""
    server = hashlib.sha256(matomo_url.encode()).hexdigest()[:10]
    return f"matomo:{server}:{visit.site_id}:{visit.id_visit}:"


def _add_actions(
    tx: Transaction,
    project: Project,
    visit: ImportedVisit,
    actions: Sequence[ImportedAction],
    session_id: int,
    prefix: str,
) -> None:
    events = [
        (
            TrackedEvent(
                event_id=f"{prefix}{action.position}",
                type=action.type,
                visitor_id=visit.visitor_id,
                occurred_at=action.occurred_at,
                url=action.url,
                title=action.title,
                properties=action.properties,
            ),
            session_id,
        )
        for action in actions
    ]
    tx.tracking.add_actions(project.id, events)


def _open_session(visit: ImportedVisit, key: int) -> OpenSession:
    return OpenSession(
        key=key,
        visitor_id=visit.visitor_id,
        started_at=visit.started_at,
        last_action_at=visit.last_action_at,
        campaign=visit.campaign,
        action_count=len(visit.actions),
        entry_url=visit.entry_url,
        has_checkout=any(a.type in CHECKOUT_TYPES for a in visit.actions),
        order_ids=visit.order_ids,
        is_new=key < 0,
    )


def _details(visit: ImportedVisit, mappings: dict[tuple[str, str], str], anonymize_level: int) -> SessionDetails:
    campaign, source = visit.campaign, visit.source
    ip = visit.ip
    if ip is not None and anonymize_level > 0:
        ip = anonymize_ip(ip, anonymize_level) or None
    return SessionDetails(
        entry_url=visit.entry_url,
        campaign=campaign,
        source=source,
        channel=mapped_channel(campaign, mappings, source.channel),
        lead_source=lead_source(campaign, mappings, source.referrer_name),
        device=visit.device,
        location=visit.location,
        ip=ip,
        user_agent=None,
        origin=IMPORT_ORIGIN,
    )
