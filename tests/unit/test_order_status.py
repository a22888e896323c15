"""Status names map onto the five status types; the status history and the 90-day report window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.order_status import (
    DEFAULT_STATUS_TYPES,
    StatusEvent,
    StatusMapping,
    StatusType,
    current_status,
    parse_status_type,
    reported_status,
    status_change_effect,
    status_key,
)

PLACED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("completed", StatusType.PAID),
        ("complete", StatusType.PAID),
        ("paid", StatusType.PAID),
        ("processing-complete", StatusType.PAID),
        ("pending", StatusType.IN_PROGRESS),
        ("processing", StatusType.IN_PROGRESS),
        ("new", StatusType.IN_PROGRESS),
        ("on-hold", StatusType.IN_PROGRESS),
        ("awaiting_payment", StatusType.IN_PROGRESS),
        ("cancelled", StatusType.CANCELLED),
        ("canceled", StatusType.CANCELLED),
        ("failed", StatusType.CANCELLED),
        ("refunded", StatusType.CANCELLED),
        ("voided", StatusType.CANCELLED),
        ("spam", StatusType.SPAM),
        ("fraud", StatusType.SPAM),
        ("IN_PROGRESS", StatusType.IN_PROGRESS),
        ("OTHER", StatusType.OTHER),
    ],
)
def test_default_mapping_places_common_shop_statuses(status: str, expected: StatusType) -> None:
    assert StatusMapping().type_of(status) is expected


def test_unknown_and_missing_statuses_are_other() -> None:
    mapping = StatusMapping()
    assert mapping.type_of("awaiting-moon-phase") is StatusType.OTHER
    assert mapping.type_of(None) is StatusType.OTHER
    assert not mapping.is_known("awaiting-moon-phase")


def test_status_names_match_whatever_their_case_spaces_or_hyphens() -> None:
    mapping = StatusMapping()
    assert mapping.type_of("  Completed ") is StatusType.PAID
    assert (
        mapping.type_of("On Hold") is mapping.type_of("on_hold") is mapping.type_of("ON-HOLD") is StatusType.IN_PROGRESS
    )
    assert status_key(" Awaiting -- Payment ") == "awaiting_payment"


def test_a_users_own_mapping_wins_over_the_defaults() -> None:
    mapping = StatusMapping.from_user({"Processing": "paid", "Versendet": "PAID", "Storniert": "cancelled"})
    assert mapping.type_of("processing") is StatusType.PAID
    assert mapping.type_of("versendet") is StatusType.PAID
    assert mapping.type_of("STORNIERT") is StatusType.CANCELLED
    assert mapping.type_of("pending") is StatusType.IN_PROGRESS


def test_a_mapping_without_defaults_knows_only_the_users_names() -> None:
    mapping = StatusMapping.from_user({"done": "paid"}, use_defaults=False)
    assert mapping.type_of("done") is StatusType.PAID
    assert mapping.type_of("completed") is StatusType.OTHER


def test_a_mapping_to_an_unknown_type_is_refused_naming_the_status() -> None:
    with pytest.raises(InvalidInput) as error:
        StatusMapping.from_user({"done": "finished"})
    assert error.value.field == "status_mapping.done"


def test_an_empty_status_name_is_refused() -> None:
    with pytest.raises(InvalidInput):
        StatusMapping.from_user({"  ": "paid"})


def test_status_types_parse_in_any_spelling() -> None:
    assert parse_status_type("in progress") is StatusType.IN_PROGRESS
    assert parse_status_type("Spam") is StatusType.SPAM
    with pytest.raises(InvalidInput):
        parse_status_type(3)


def test_every_default_maps_to_a_status_type() -> None:
    assert set(DEFAULT_STATUS_TYPES.values()) == set(StatusType)
    assert all(status_key(name) == name for name in DEFAULT_STATUS_TYPES)


def test_a_change_within_90_days_of_the_order_moves_reports() -> None:
    effect = status_change_effect(PLACED, PLACED + timedelta(days=90))
    assert effect.affects_reports
    assert "90 days" in effect.reason


def test_a_change_after_90_days_is_stored_but_says_reports_did_not_move() -> None:
    effect = status_change_effect(PLACED, PLACED + timedelta(days=90, seconds=1))
    assert not effect.affects_reports
    assert "past the 90-day window" in effect.reason


def test_the_report_window_is_a_setting() -> None:
    assert not status_change_effect(PLACED, PLACED + timedelta(days=31), timedelta(days=30)).affects_reports
    assert status_change_effect(PLACED, PLACED + timedelta(days=31), timedelta(days=120)).affects_reports


def test_the_current_status_is_the_latest_event_even_when_it_arrived_first() -> None:
    paid = StatusEvent(PLACED + timedelta(days=1), StatusType.PAID, "completed")
    created = StatusEvent(PLACED, StatusType.IN_PROGRESS, "pending")
    assert current_status([paid, created]) == paid
    assert current_status([]) is None


def test_reports_follow_the_latest_change_inside_the_window() -> None:
    created = StatusEvent(PLACED, StatusType.IN_PROGRESS)
    paid = StatusEvent(PLACED + timedelta(days=2), StatusType.PAID)
    late_refund = StatusEvent(PLACED + timedelta(days=200), StatusType.CANCELLED)
    history = [created, paid, late_refund]
    assert current_status(history) == late_refund
    assert reported_status(history, PLACED) == paid


def test_an_order_known_only_from_a_late_change_is_reported_with_it() -> None:
    late = StatusEvent(PLACED + timedelta(days=100), StatusType.PAID)
    assert reported_status([late], PLACED) == late
    assert reported_status([], PLACED) is None
