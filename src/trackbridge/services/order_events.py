"""Status history and goals of stored orders: called by every path that stores orders (signed API, uploads, Matomo).

After orders are written, :func:`after_store` compares each order's stored status with the last status event it has:
a new order gets its first event at the time it was placed, a changed status gets an event now. Each event fires the
goals not fired yet (domain/goals.py, never rewritten), and moves the reports only within the project's status window
(domain/order_status.py): ``orders.status_type`` follows the latest event that did. Every stored order is marked for
(re)linking; the worker links it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from trackbridge.domain.goals import GoalConversion, goals_to_record
from trackbridge.domain.order_status import StatusEvent, StatusMapping, status_change_effect
from trackbridge.domain.projects import Project
from trackbridge.services.order_ports import NewStatusEvent
from trackbridge.services.ports import Transaction

log = logging.getLogger(__name__)


def after_store(tx: Transaction, project: Project, order_ids: Sequence[str], now: datetime) -> dict[str, str]:
    """Records status events and goals of the just-stored orders; answers a note per order whose status change did
    not move the reports (the caller tells its client)."""
    unique = list(dict.fromkeys(order_ids))
    if not unique:
        return {}
    repo = tx.order_events
    settings = repo.settings(project.id)
    mapping = StatusMapping(settings.status_mapping)
    window = timedelta(days=settings.status_window_days)
    events: list[NewStatusEvent] = []
    goals: list[tuple[str, GoalConversion]] = []
    types = {}
    notes: dict[str, str] = {}
    for stored in repo.stored_statuses(project.id, unique):
        if stored.last_event_status == stored.status:
            continue
        first = stored.last_event_status is None
        at = stored.placed_at if first else max(now, stored.placed_at)
        status_type = mapping.type_of(stored.status)
        effect = status_change_effect(stored.placed_at, at, window)
        events.append(NewStatusEvent(stored.order_id, stored.status, status_type, at, effect.affects_reports))
        event = StatusEvent(at, status_type, stored.status)
        goals.extend((stored.order_id, goal) for goal in goals_to_record(event, fired=stored.fired))
        if effect.affects_reports or first:
            types[stored.order_id] = status_type
        if not effect.affects_reports:
            notes[stored.order_id] = f"status {stored.status!r} {effect.reason}"
    if events:
        repo.record(project.id, events, goals, types, now)
    repo.mark_needs_linking(project.id, unique)
    log.debug("order statuses recorded", extra={"project": project.name, "events": len(events), "goals": len(goals)})
    return notes
