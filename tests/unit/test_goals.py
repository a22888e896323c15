"""The order goals of seed 003: counted per status event, each at most once per order, never rewritten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from trackbridge.domain.goals import Goal, GoalConversion, goals_of, goals_to_record, replay_goals
from trackbridge.domain.order_status import StatusEvent, StatusType, reported_status
from trackbridge.domain.revenue import OrderAmounts, order_revenue

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def event(kind: StatusType, hours: int = 0) -> StatusEvent:
    return StatusEvent(T0 + timedelta(hours=hours), kind)


@pytest.mark.parametrize(
    ("kind", "goals"),
    [
        (StatusType.IN_PROGRESS, (Goal.ORDER_CREATED,)),
        (StatusType.PAID, (Goal.ORDER_CREATED, Goal.ORDER_PAID)),
        (StatusType.CANCELLED, (Goal.ORDER_CANCELLED,)),
        (StatusType.SPAM, (Goal.SPAM_ORDER,)),
        (StatusType.OTHER, ()),
    ],
)
def test_each_status_type_fires_the_goals_seed_003_names(kind: StatusType, goals: tuple[Goal, ...]) -> None:
    assert goals_of(kind) == goals


def test_goal_names_are_the_ones_users_see() -> None:
    assert [str(goal) for goal in Goal] == ["Order created", "Order paid", "Order cancelled", "Spam order"]


def test_in_progress_then_paid_counts_created_then_paid() -> None:
    created = event(StatusType.IN_PROGRESS)
    paid = event(StatusType.PAID, hours=3)
    first = goals_to_record(created, history=[], fired=[])
    second = goals_to_record(paid, history=[created], fired=[conversion.goal for conversion in first])
    assert first == (GoalConversion(Goal.ORDER_CREATED, created.at),)
    assert second == (GoalConversion(Goal.ORDER_PAID, paid.at),)


def test_an_order_paid_at_once_counts_created_and_paid_at_that_moment() -> None:
    paid = event(StatusType.PAID)
    assert goals_to_record(paid) == (
        GoalConversion(Goal.ORDER_CREATED, paid.at),
        GoalConversion(Goal.ORDER_PAID, paid.at),
    )


def test_paid_again_adds_nothing() -> None:
    assert goals_to_record(event(StatusType.PAID, 5), fired=[Goal.ORDER_CREATED, Goal.ORDER_PAID]) == ()


def test_other_fires_no_goal() -> None:
    assert goals_to_record(event(StatusType.OTHER)) == ()


def test_spam_after_paid_adds_spam_and_keeps_the_earlier_goals() -> None:
    history = [event(StatusType.IN_PROGRESS), event(StatusType.PAID, 1), event(StatusType.SPAM, 2)]
    assert [conversion.goal for conversion in replay_goals(history)] == [
        Goal.ORDER_CREATED,
        Goal.ORDER_PAID,
        Goal.SPAM_ORDER,
    ]


def test_fired_goals_are_replayed_from_the_history_when_not_given() -> None:
    history = [event(StatusType.IN_PROGRESS)]
    assert goals_to_record(event(StatusType.PAID, 1), history=history) == (
        GoalConversion(Goal.ORDER_PAID, T0 + timedelta(hours=1)),
    )


def test_a_status_event_arriving_late_with_an_older_time_never_rewrites_a_goal() -> None:
    stored = [Goal.ORDER_CREATED, Goal.ORDER_PAID]  # fired by a PAID event at T0 + 5 h
    assert goals_to_record(event(StatusType.IN_PROGRESS, hours=-2), fired=stored) == ()


def test_cancelled_then_reopened_and_paid_counts_each_goal_once() -> None:
    history = [
        event(StatusType.IN_PROGRESS),
        event(StatusType.CANCELLED, 1),
        event(StatusType.IN_PROGRESS, 2),
        event(StatusType.PAID, 3),
        event(StatusType.CANCELLED, 4),
    ]
    assert replay_goals(history) == (
        GoalConversion(Goal.ORDER_CREATED, T0),
        GoalConversion(Goal.ORDER_CANCELLED, T0 + timedelta(hours=1)),
        GoalConversion(Goal.ORDER_PAID, T0 + timedelta(hours=3)),
    )


def test_replay_takes_events_in_time_order_whatever_order_they_arrived_in() -> None:
    paid = event(StatusType.PAID, 3)
    created = event(StatusType.IN_PROGRESS)
    assert replay_goals([paid, created]) == (
        GoalConversion(Goal.ORDER_CREATED, created.at),
        GoalConversion(Goal.ORDER_PAID, paid.at),
    )


def test_story_spam_takes_the_order_out_of_the_report_while_its_goals_stay() -> None:
    history = [event(StatusType.IN_PROGRESS), event(StatusType.PAID, 1), event(StatusType.SPAM, 30)]
    status = reported_status(history, placed_at=T0)
    assert status is not None
    assert status.type is StatusType.SPAM
    assert not order_revenue(OrderAmounts(Decimal("120.00")), status.type).in_reports
    assert {conversion.goal for conversion in replay_goals(history)} == {
        Goal.ORDER_CREATED,
        Goal.ORDER_PAID,
        Goal.SPAM_ORDER,
    }
