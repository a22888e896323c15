"""The order goals of seed 003, counted per status event. Pure, no I/O.

Each status event fires the goals of its type (formats.md §2):

==============  ===================================
IN_PROGRESS     "Order created"
PAID            "Order created" and "Order paid"
CANCELLED       "Order cancelled"
SPAM            "Spam order"
OTHER           none
==============  ===================================

Each goal fires at most once per order, at the moment of the first status event that fires it: IN_PROGRESS then PAID
counts one "Order created" (at the IN_PROGRESS) and one "Order paid" (at the PAID); PAID then PAID again adds nothing.
Goals are never rewritten: a later change (PAID → SPAM, or a status event that arrives late with an older time) only
ever adds the goals not fired yet. Unlike goals, the reports follow the order's current status (order_status.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from trackbridge.domain.order_status import StatusEvent, StatusType, chronological


class Goal(StrEnum):
    ORDER_CREATED = "Order created"
    ORDER_PAID = "Order paid"
    ORDER_CANCELLED = "Order cancelled"
    SPAM_ORDER = "Spam order"


GOALS_BY_STATUS_TYPE = MappingProxyType(
    {
        StatusType.IN_PROGRESS: (Goal.ORDER_CREATED,),
        StatusType.PAID: (Goal.ORDER_CREATED, Goal.ORDER_PAID),
        StatusType.CANCELLED: (Goal.ORDER_CANCELLED,),
        StatusType.SPAM: (Goal.SPAM_ORDER,),
        StatusType.OTHER: (),
    }
)


@dataclass(frozen=True, slots=True)
class GoalConversion:
    """One goal reached by an order, at the time of the status event that fired it."""

    goal: Goal
    at: datetime


def goals_of(status_type: StatusType) -> tuple[Goal, ...]:
    """The goals a status event of this type fires (before the at-most-once rule)."""
    return GOALS_BY_STATUS_TYPE[status_type]


def goals_to_record(
    event: StatusEvent,
    history: Sequence[StatusEvent] = (),
    fired: Iterable[Goal] | None = None,
) -> tuple[GoalConversion, ...]:
    """The goal conversions to store for a new status ``event``.

    ``fired`` is the goals the order has already reached (as stored). When the caller does not keep them, pass
    ``fired=None`` and they are replayed from ``history`` (the order's earlier status events, without ``event``).
    """
    already = set(fired) if fired is not None else {conversion.goal for conversion in replay_goals(history)}
    return tuple(GoalConversion(goal, event.at) for goal in goals_of(event.type) if goal not in already)


def replay_goals(history: Sequence[StatusEvent]) -> tuple[GoalConversion, ...]:
    """Every goal conversion an order's history yields, events taken in time order (same-time events in arrival
    order). Useful to rebuild goals; an order whose events arrived out of order may have stored different times,
    and those stored times win (goals are never rewritten)."""
    conversions: list[GoalConversion] = []
    reached: set[Goal] = set()
    for event in chronological(history):
        for conversion in goals_to_record(event, fired=reached):
            conversions.append(conversion)
            reached.add(conversion.goal)
    return tuple(conversions)
