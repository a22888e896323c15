"""Visits imported from a Matomo server (seed 000), and the rules of the import. Pure, no I/O.

A Matomo visit is known for good by (Matomo URL, site id, visit id): importing it again updates what was stored, even
when Matomo changed its visitor id in the meantime. A visit trackbridge tracked itself (a site sending matomo.js hits
to both) is the same visitor id over an overlapping time: the import merges into it and adds only the actions it lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from trackbridge.domain.enrichment import Device, Location, Source
from trackbridge.domain.events import Campaign, EventType

JsonObject = dict[str, Any]

OVERLAP_TOLERANCE = timedelta(minutes=2)
"""Clock slack when deciding that a tracked visit and a Matomo visit overlap."""
SAME_ACTION_SLACK = timedelta(seconds=2)
"""Two actions of one type on one URL (query aside) this close are the same hit, seen by both servers."""
IMPORT_MARGIN = timedelta(hours=1)
"""An incremental import asks for visits active since the last successful one, minus this, against clock skew."""
MATOMO_ACTION_NAMES = {
    "action": "Page view",
    "search": "Site search",
    "download": "Download",
    "outlink": "Outlink",
    "event": "Event",
    "goal": "Goal conversion",
    "ecommerceOrder": "E-commerce order",
    "ecommerceAbandonedCart": "Abandoned cart",
    "13": "Content",
}
"""Names of Matomo's action codes for the action-type lookup (a code not listed is named by itself)."""


@dataclass(frozen=True, slots=True)
class ImportedAction:
    """One entry of a visit's ``actionDetails``. ``matomo_type`` is Matomo's code (``action``, ``13``...);
    ``type`` is trackbridge's action type it maps to."""

    position: int
    type: EventType
    matomo_type: str
    occurred_at: datetime
    url: str | None = None
    title: str | None = None
    properties: JsonObject = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportedVisit:
    """A Matomo visit as trackbridge keeps it. ``raw`` is Matomo's visit without its actions (raw values kept)."""

    site_id: int
    id_visit: int
    visitor_id: str
    user_id: str | None
    started_at: datetime
    last_action_at: datetime
    duration_seconds: int
    campaign: Campaign
    source: Source
    location: Location | None
    device: Device | None
    ip: str | None
    actions: tuple[ImportedAction, ...]
    raw: JsonObject
    content_hash: str

    @property
    def entry_url(self) -> str | None:
        return next((a.url for a in self.actions if a.url and a.type is EventType.PAGE_VIEW), None)

    @property
    def order_ids(self) -> list[str]:
        found: list[str] = []
        for action in self.actions:
            order_id = action.properties.get("orderId")
            if action.type is EventType.ECOMMERCE_ORDER and order_id is not None and str(order_id) not in found:
                found.append(str(order_id))
        return found


@dataclass(frozen=True, slots=True)
class TrackedVisit:
    """A visit trackbridge stored from its own tracking, as the merge rule needs it."""

    session_id: int
    visitor_id: str
    started_at: datetime
    last_action_at: datetime


@dataclass(frozen=True, slots=True)
class StoredAction:
    type: str
    occurred_at: datetime
    url: str | None


def merge_target(visit: ImportedVisit, tracked: Sequence[TrackedVisit]) -> TrackedVisit | None:
    """The tracked visit this Matomo visit duplicates: same visitor id, overlapping in time (the largest overlap)."""
    start, end = visit.started_at - OVERLAP_TOLERANCE, visit.last_action_at + OVERLAP_TOLERANCE
    overlapping = [
        t for t in tracked if t.visitor_id == visit.visitor_id and t.started_at <= end and t.last_action_at >= start
    ]
    if not overlapping:
        return None

    def overlap(t: TrackedVisit) -> timedelta:
        return min(t.last_action_at, end) - max(t.started_at, start)

    return max(overlapping, key=lambda t: (overlap(t), -t.session_id))


def missing_actions(visit: ImportedVisit, present: Sequence[StoredAction]) -> list[ImportedAction]:
    """The visit's actions a tracked visit does not have already (same type and URL within two seconds)."""
    left = list(present)
    missing: list[ImportedAction] = []
    for action in visit.actions:
        twin = next(
            (
                p
                for p in left
                if p.type == action.type.value
                and _bare(p.url) == _bare(action.url)
                and abs(p.occurred_at - action.occurred_at) <= SAME_ACTION_SLACK
            ),
            None,
        )
        if twin is None:
            missing.append(action)
        else:
            left.remove(twin)
    return missing


def _bare(url: str | None) -> str | None:
    """A URL without query and fragment: Matomo strips campaign parameters from the URLs it stores."""
    return url.split("#", 1)[0].split("?", 1)[0] if url else None


def import_since(now: datetime, lookback_days: int, last_success: datetime | None) -> datetime:
    """Where an import starts: the look-back, or the last successful import of that customer (minus a margin)."""
    floor = now - timedelta(days=lookback_days)
    if last_success is None:
        return floor
    return max(floor, last_success - IMPORT_MARGIN)
