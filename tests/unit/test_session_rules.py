"""The sessionization rules: inactivity, new campaigns, new_visit, late events, pings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trackbridge.domain.events import Campaign, EventType, TrackedEvent
from trackbridge.domain.sessions import OpenSession, lead_source, mapped_channel, negative_keys, place_events

VISITOR = "0123456789abcdef"
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def event(
    minutes: float,
    event_id: str | None = None,
    *,
    type: EventType = EventType.PAGE_VIEW,
    campaign: Campaign | None = None,
    url: str | None = None,
    new_visit: bool = False,
    properties: dict[str, object] | None = None,
) -> TrackedEvent:
    return TrackedEvent(
        event_id=event_id or f"e{minutes}",
        type=type,
        visitor_id=VISITOR,
        occurred_at=T0 + timedelta(minutes=minutes),
        url=url or f"https://shop.example/{minutes}",
        campaign=campaign or Campaign(),
        new_visit=new_visit,
        properties=properties or {},
    )


def place(events: list[TrackedEvent], sessions: list[OpenSession] | None = None) -> list[OpenSession]:
    sessions = sessions if sessions is not None else []
    place_events(sessions, events, negative_keys())
    return sessions


def test_events_within_thirty_minutes_share_one_visit() -> None:
    sessions = place([event(0), event(10), event(39), event(69)])
    assert len(sessions) == 1
    assert sessions[0].action_count == 4
    assert sessions[0].duration_seconds == 69 * 60


def test_more_than_thirty_minutes_of_inactivity_starts_a_new_visit() -> None:
    sessions = place([event(0), event(30.5)])
    assert [s.action_count for s in sessions] == [1, 1]


def test_exactly_thirty_minutes_of_inactivity_keeps_the_visit() -> None:
    assert len(place([event(0), event(30)])) == 1


def test_a_different_campaign_starts_a_new_visit_and_the_same_one_does_not() -> None:
    spring = Campaign(source="newsletter", medium="email", name="spring")
    summer = Campaign(source="newsletter", medium="email", name="summer")
    sessions = place([event(0, campaign=spring), event(1, campaign=spring), event(2), event(3, campaign=summer)])
    assert [(s.campaign.name, s.action_count) for s in sessions] == [("spring", 3), ("summer", 1)]


def test_a_campaign_after_a_direct_start_opens_a_new_visit() -> None:
    sessions = place([event(0), event(5, campaign=Campaign(source="google", medium="cpc"))])
    assert len(sessions) == 2


def test_new_visit_flag_forces_a_new_visit() -> None:
    assert len(place([event(0), event(1, new_visit=True)])) == 2


def test_events_are_placed_in_time_order_whatever_order_they_arrive_in() -> None:
    sessions = place([event(20), event(0, url="https://shop.example/landing"), event(10)])
    assert len(sessions) == 1
    assert sessions[0].entry_url == "https://shop.example/landing"
    assert sessions[0].started_at == T0


def test_late_event_joins_the_stored_visit_it_belongs_to_and_becomes_its_entry() -> None:
    stored = OpenSession(
        key=7, visitor_id=VISITOR, started_at=T0, last_action_at=T0 + timedelta(minutes=20), campaign=Campaign()
    )
    other = OpenSession(
        key=8,
        visitor_id=VISITOR,
        started_at=T0 + timedelta(hours=3),
        last_action_at=T0 + timedelta(hours=3),
        campaign=Campaign(),
    )
    late = event(-12, url="https://shop.example/first")
    sessions = place([late], [stored, other])
    assert len(sessions) == 2
    assert stored.started_at == late.occurred_at
    assert stored.entry is late
    assert stored.entry_url == "https://shop.example/first"
    assert stored.changed and not other.changed


def test_late_event_in_the_middle_of_a_visit_does_not_move_its_entry() -> None:
    stored = OpenSession(
        key=7, visitor_id=VISITOR, started_at=T0, last_action_at=T0 + timedelta(minutes=20), campaign=Campaign()
    )
    place([event(5)], [stored])
    assert stored.entry is None
    assert stored.action_count == 1
    assert stored.started_at == T0


def test_late_landing_with_a_campaign_gives_a_direct_visit_its_campaign() -> None:
    stored = OpenSession(key=7, visitor_id=VISITOR, started_at=T0, last_action_at=T0, campaign=Campaign())
    campaign = Campaign(source="google", medium="cpc", name="brand")
    place([event(-1, campaign=campaign)], [stored])
    assert stored.campaign == campaign


def test_a_ping_extends_a_visit_but_is_not_an_action_and_never_opens_one() -> None:
    sessions = place([event(0), event(20, type=EventType.PING), event(45)])
    assert len(sessions) == 1
    assert sessions[0].action_count == 2
    lone = place([event(0, type=EventType.PING)])
    assert lone == []


def test_checkout_and_order_ids_are_remembered_on_the_visit() -> None:
    sessions = place([event(0), event(1, type=EventType.ECOMMERCE_ORDER, properties={"orderId": "A-1"})])
    assert sessions[0].has_checkout
    assert sessions[0].order_ids == ["A-1"]


def test_lead_source_maps_source_first_then_campaign_else_keeps_the_raw_source() -> None:
    mappings = {("utm_source", "google"): "Google Ads", ("utm_campaign", "spring"): "Spring sale"}
    assert lead_source(Campaign(source="google", name="spring"), mappings, None) == "Google Ads"
    assert lead_source(Campaign(source="bing", name="spring"), mappings, None) == "Spring sale"
    assert lead_source(Campaign(source="bing"), mappings, None) == "bing"
    assert lead_source(Campaign(), mappings, "example.org") == "example.org"


def test_channel_mapping_overrides_the_classifier_only_when_the_medium_is_mapped() -> None:
    mappings = {("utm_medium", "cpc"): "Paid"}
    assert mapped_channel(Campaign(medium="cpc"), mappings, "paid_search") == "Paid"
    assert mapped_channel(Campaign(medium="email"), mappings, "email") == "email"
