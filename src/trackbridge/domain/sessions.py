"""Sessionization: which visit an event belongs to. Pure, no I/O.

A visit ends after 30 minutes without activity, when an event carries a campaign different from the visit's (a new,
non-empty set of UTM codes), or when an event asks for a new visit (Matomo's ``new_visit``). Late events (servers,
Matomo's ``cdt``) land in the visit whose span, widened by 30 minutes on each side, contains them; one older than the
visit's start moves the start and becomes its entry. Pings extend a visit but are not actions, and never open one.

Late events never merge two stored visits, even when they fill the gap between them: the one they are nearest to takes
them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from trackbridge.domain.enrichment import Device, Location, Source
from trackbridge.domain.events import Campaign, EventType, TrackedEvent

INACTIVITY = timedelta(minutes=30)
CHECKOUT_TYPES = frozenset({EventType.CHECKOUT, EventType.ECOMMERCE_ORDER})


@dataclass(slots=True)
class OpenSession:
    """A visit as the rules see it. ``key`` is the stored id, or a negative number for a visit opened now.

    ``entry`` is set when the visit's first event arrived in this round (a new visit, or a late event that moved the
    start): the visit's source is then taken from it.
    """

    key: int
    visitor_id: str
    started_at: datetime
    last_action_at: datetime
    campaign: Campaign
    action_count: int = 0
    entry_url: str | None = None
    has_checkout: bool = False
    order_ids: list[str] = field(default_factory=list)
    is_new: bool = False
    changed: bool = False
    entry: TrackedEvent | None = None

    @property
    def duration_seconds(self) -> int:
        return int((self.last_action_at - self.started_at).total_seconds())

    def distance(self, moment: datetime) -> timedelta:
        if moment < self.started_at:
            return self.started_at - moment
        if moment > self.last_action_at:
            return moment - self.last_action_at
        return timedelta(0)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an event went; ``session_key`` None means it was dropped (a ping outside any visit)."""

    event: TrackedEvent
    session_key: int | None


@dataclass(frozen=True, slots=True)
class SessionDetails:
    """What a visit learns from its entry event and its request: source, device, location, network."""

    entry_url: str | None
    campaign: Campaign
    source: Source | None
    channel: str | None
    lead_source: str | None
    device: Device | None = None
    location: Location | None = None
    ip: str | None = None
    user_agent: str | None = None
    origin: str = "tracker"


def negative_keys() -> Iterator[int]:
    """Keys for visits opened in this round, never equal to a stored id."""
    key = 0
    while True:
        key -= 1
        yield key


def place_events(
    sessions: list[OpenSession], events: Sequence[TrackedEvent], new_keys: Iterator[int]
) -> list[Placement]:
    """Places one visitor's events (any order) into its visits; ``sessions`` is updated in place and grows by the
    visits opened. Events are taken in time order, ties in the order given."""
    placements: list[Placement] = []
    for event in sorted(events, key=lambda e: e.occurred_at):
        target = _find(sessions, event)
        if target is None:
            if event.type is EventType.PING:
                placements.append(Placement(event, None))
                continue
            target = _open(event, next(new_keys))
            sessions.append(target)
        else:
            _extend(target, event)
        _count(target, event)
        placements.append(Placement(event, target.key))
    return placements


def _find(sessions: Sequence[OpenSession], event: TrackedEvent) -> OpenSession | None:
    if event.new_visit:
        return None
    moment = event.occurred_at
    candidates = [s for s in sessions if s.started_at - INACTIVITY <= moment <= s.last_action_at + INACTIVITY]
    if not candidates:
        return None
    best = min(candidates, key=lambda s: (s.distance(moment), -s.started_at.timestamp()))
    campaign = event.campaign
    if campaign.is_empty() or campaign == best.campaign:
        return best
    if moment < best.started_at and best.campaign.is_empty():
        return best  # a late landing with a campaign: it becomes the entry and gives the visit its campaign
    return None


def _open(event: TrackedEvent, key: int) -> OpenSession:
    return OpenSession(
        key=key,
        visitor_id=event.visitor_id,
        started_at=event.occurred_at,
        last_action_at=event.occurred_at,
        campaign=event.campaign,
        entry_url=event.url,
        is_new=True,
        changed=True,
        entry=event,
    )


def _extend(session: OpenSession, event: TrackedEvent) -> None:
    moment = event.occurred_at
    if moment < session.started_at and event.type is not EventType.PING:
        session.started_at = moment
        session.entry = event
        session.entry_url = event.url or session.entry_url
        if not event.campaign.is_empty():
            session.campaign = event.campaign
    elif session.entry_url is None and event.url:
        session.entry_url = event.url
    session.last_action_at = max(session.last_action_at, moment)
    session.changed = True


def _count(session: OpenSession, event: TrackedEvent) -> None:
    if event.type is EventType.PING:
        return
    session.action_count += 1
    if event.type in CHECKOUT_TYPES:
        session.has_checkout = True
        order_id = event.properties.get("orderId")
        if isinstance(order_id, (str, int)) and str(order_id) not in session.order_ids:
            session.order_ids.append(str(order_id))


def lead_source(campaign: Campaign, mappings: dict[tuple[str, str], str], referrer_name: str | None) -> str | None:
    """The lead source of a visit: ``utm_source`` mapped, then ``utm_campaign`` mapped, else the raw source or
    referrer name. ``mappings`` is keyed by (field, value), field being utm_source or utm_campaign."""
    if campaign.source and ("utm_source", campaign.source) in mappings:
        return mappings[("utm_source", campaign.source)]
    if campaign.name and ("utm_campaign", campaign.name) in mappings:
        return mappings[("utm_campaign", campaign.name)]
    return campaign.source or referrer_name


def mapped_channel(campaign: Campaign, mappings: dict[tuple[str, str], str], classified: str | None) -> str | None:
    """The channel: ``utm_medium`` mapped by the user, else what the classifier said."""
    if campaign.medium and ("utm_medium", campaign.medium) in mappings:
        return mappings[("utm_medium", campaign.medium)]
    return classified
