"""The Matomo import's rules: which tracked visit a Matomo visit duplicates, which actions it lacks, where an import
starts, and how a customer is known to Matomo."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from trackbridge.adapters.connectors.matomo.import_mapping import map_visit
from trackbridge.domain.matomo_visits import (
    IMPORT_MARGIN,
    ImportedVisit,
    StoredAction,
    TrackedVisit,
    import_since,
    merge_target,
    missing_actions,
)
from trackbridge.services.matomo_import import segment_conditions
from trackbridge.services.matomo_import_ports import CustomerKeys

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "matomo"
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def order_visit() -> ImportedVisit:
    [raw] = json.loads((FIXTURES / "visit_with_order_event.json").read_text(encoding="utf-8"))
    return map_visit(raw)  # visitor 7263243b7caaba5b, everything at 2026-11-22 09:19:43


def test_a_tracked_visit_of_the_same_visitor_overlapping_in_time_is_the_merge_target() -> None:
    visit = order_visit()
    seen = visit.started_at
    same = TrackedVisit(7, visit.visitor_id, seen - timedelta(minutes=5), seen + timedelta(seconds=5))
    other_visitor = TrackedVisit(8, "0000000000000000", seen, seen)
    hours_before = TrackedVisit(9, visit.visitor_id, seen - timedelta(hours=3), seen - timedelta(hours=2))
    assert merge_target(visit, [other_visitor, hours_before, same]) == same
    assert merge_target(visit, [other_visitor, hours_before]) is None


def test_the_largest_overlap_wins_between_two_tracked_visits() -> None:
    visit = order_visit()
    seen = visit.started_at
    touching = TrackedVisit(1, visit.visitor_id, seen + timedelta(seconds=90), seen + timedelta(minutes=10))
    covering = TrackedVisit(2, visit.visitor_id, seen - timedelta(minutes=1), seen + timedelta(minutes=1))
    assert merge_target(visit, [touching, covering]) == covering


def test_missing_actions_skip_the_hits_trackbridge_recorded_too() -> None:
    visit = order_visit()
    seen = visit.started_at
    tracked = [
        StoredAction(
            "page_view", seen + timedelta(seconds=1), "https://shop.example.com/products/widget?utm_campaign=spring"
        ),
        StoredAction("form_submit", seen, "https://shop.example.com/contact"),
    ]
    assert [a.type.value for a in missing_actions(visit, tracked)] == ["ecommerce_order", "matomo_event"]
    late = [StoredAction("page_view", seen + timedelta(seconds=30), "https://shop.example.com/products/widget")]
    assert len(missing_actions(visit, late)) == 3


def test_an_import_starts_at_the_look_back_or_at_the_last_success_less_a_margin() -> None:
    assert import_since(NOW, 365, None) == NOW - timedelta(days=365)
    yesterday = NOW - timedelta(days=1)
    assert import_since(NOW, 365, yesterday) == yesterday - IMPORT_MARGIN
    assert import_since(NOW, 30, NOW - timedelta(days=90)) == NOW - timedelta(days=30)


def test_a_customer_is_known_by_user_id_as_configured_or_by_any_hex_visitor_id() -> None:
    keys = CustomerKeys(1, "a@b.example", "crm-77", ["B3DD2F8741405F42", "not-a-matomo-id", "fedcba9876543210"])
    assert segment_conditions(keys, {"userIdFrom": "id"}) == [
        ("userId", "crm-77"),
        ("visitorId", "b3dd2f8741405f42"),
        ("visitorId", "fedcba9876543210"),
    ]
    assert segment_conditions(keys, {"userIdFrom": "email"})[0] == ("userId", "a@b.example")
    assert segment_conditions(CustomerKeys(2, "x@y.example", None, []), {"userIdFrom": "id"}) == []
