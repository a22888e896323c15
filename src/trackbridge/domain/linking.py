"""Which visit an order came from. Pure, no I/O.

An order is linked to one visit, chosen among candidate visits the caller gathers (the order's visitor's visits, and
the visits of the customer it belongs to, each marked with how it was found). A visit is a candidate when it *started*
within the window (21 days by default) before the order, at or before the moment the order was placed; visits that
started after the order never count.

The choice, first rule that finds a visit wins:

1. a visit whose e-commerce hits carry this very order id (Matomo's order hit): that visit recorded the order itself;
2. the visits of the order's visitor id (or of a visitor id the CRM gives for the customer, seed 003's ``client_ids``);
3. the visits of the customer found by e-mail;
4. the visits of the customer found by phone.

Within a rule, visits with a checkout are preferred over visits without; among those, the visit closest in time before
the order wins (an order placed during a visit has distance 0; ties go to the visit that started later, then to the
higher session id, so the answer is deterministic). The :class:`Link` says why, in words a user can read.

Linking is retroactive: the caller re-runs :func:`link_order` with the new candidates when a visit or an identification
arrives late; :func:`relink_range` tells which orders a late visit may concern.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_LINK_WINDOW = timedelta(days=21)


class MatchedBy(StrEnum):
    ORDER_ID = "order_id"
    VISITOR_ID = "visitor_id"
    EMAIL = "email"
    PHONE = "phone"


_TIERS = (MatchedBy.VISITOR_ID, MatchedBy.EMAIL, MatchedBy.PHONE)


@dataclass(frozen=True, slots=True)
class OrderToLink:
    """The order as linking needs it. ``client_ids``: visitor ids the CRM names for the customer."""

    order_id: str
    placed_at: datetime
    visitor_id: str | None = None
    customer_id: int | None = None
    client_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CandidateVisit:
    """A visit that may have brought the order. ``found_by`` says how the caller found it: by the order's visitor id
    (the default), or as a visit of the order's customer matched by e-mail or phone, or by the order id."""

    session_id: int
    visitor_id: str
    started_at: datetime
    last_action_at: datetime
    has_checkout: bool = False
    order_ids: tuple[str, ...] = ()
    customer_id: int | None = None
    found_by: MatchedBy = MatchedBy.VISITOR_ID


@dataclass(frozen=True, slots=True)
class Link:
    """The answer: a session (or None: unlinked), why, how the visit was matched, and how many candidates counted."""

    session_id: int | None
    reason: str
    matched_by: MatchedBy | None
    candidates_considered: int
    gap: timedelta | None = None

    @property
    def linked(self) -> bool:
        return self.session_id is not None


def describe_gap(gap: timedelta) -> str:
    """A duration in words: ``45 s``, ``12 min``, ``2 h 5 min``, ``3 d 4 h``."""
    seconds = max(int(gap.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def gap_before(order: OrderToLink, visit: CandidateVisit) -> timedelta:
    """How long before the order the visit's last action was; 0 when the order was placed during the visit."""
    return max(order.placed_at - visit.last_action_at, timedelta(0))


def tier_of(order: OrderToLink, visit: CandidateVisit) -> MatchedBy | None:
    """Which rule the visit belongs to, or None when it is neither the order's visitor's nor its customer's."""
    own_ids = {order.visitor_id, *order.client_ids} - {None}
    if visit.visitor_id in own_ids:
        return MatchedBy.VISITOR_ID
    if visit.found_by in (MatchedBy.EMAIL, MatchedBy.PHONE):
        return visit.found_by
    if visit.found_by is MatchedBy.ORDER_ID and order.order_id in visit.order_ids:
        return MatchedBy.ORDER_ID
    return None


def in_window(order: OrderToLink, visit: CandidateVisit, window: timedelta) -> bool:
    return order.placed_at - window <= visit.started_at <= order.placed_at


def relink_range(visit_started_at: datetime, window: timedelta = DEFAULT_LINK_WINDOW) -> tuple[datetime, datetime]:
    """The orders a late visit may concern: those placed from its start to ``window`` after it (both included)."""
    return visit_started_at, visit_started_at + window


def _closest(order: OrderToLink, visits: Sequence[CandidateVisit]) -> CandidateVisit:
    return min(visits, key=lambda visit: (gap_before(order, visit), -visit.started_at.timestamp(), -visit.session_id))


def _when(gap: timedelta) -> str:
    return "the order was placed during the visit" if gap == timedelta(0) else f"{describe_gap(gap)} before the order"


def _who(order: OrderToLink, tier: MatchedBy, visit: CandidateVisit) -> str:
    if tier is MatchedBy.VISITOR_ID:
        return f"visitor id {visit.visitor_id}"
    how = "e-mail" if tier is MatchedBy.EMAIL else "phone"
    customer = visit.customer_id if visit.customer_id is not None else order.customer_id
    return f"customer {customer} by {how}, visitor {visit.visitor_id}"


def link_order(
    order: OrderToLink, candidates: Sequence[CandidateVisit], window: timedelta = DEFAULT_LINK_WINDOW
) -> Link:
    """The visit the order came from, or an unlinked answer with the reason."""
    tiers = {visit.session_id: tier_of(order, visit) for visit in candidates}
    ours = [visit for visit in candidates if tiers[visit.session_id] is not None]
    eligible = [visit for visit in ours if in_window(order, visit, window)]
    if not eligible:
        return Link(None, _unlinked_reason(order, ours, window), None, 0)
    carrying = [visit for visit in eligible if order.order_id in visit.order_ids]
    if carrying:
        chosen = _closest(order, carrying)
        gap = gap_before(order, chosen)
        reason = (
            f"order id {order.order_id} recorded in this visit of visitor {chosen.visitor_id} "
            f"(its e-commerce hit); {_when(gap)}"
        )
        return Link(chosen.session_id, reason, MatchedBy.ORDER_ID, len(eligible), gap)
    for tier in _TIERS:
        pool = [visit for visit in eligible if tiers[visit.session_id] is tier]
        if pool:
            return _link_within(order, tier, pool, len(eligible))
    raise AssertionError("an eligible visit always belongs to a tier")  # pragma: no cover


def _link_within(order: OrderToLink, tier: MatchedBy, pool: Sequence[CandidateVisit], considered: int) -> Link:
    checkouts = [visit for visit in pool if visit.has_checkout]
    chosen = _closest(order, checkouts or pool)
    gap = gap_before(order, chosen)
    closer = [visit for visit in pool if gap_before(order, visit) < gap]
    which = "latest visit" if not closer else "latest visit with checkout"
    reason = f"{_who(order, tier, chosen)}: {which}, {_when(gap)}"
    if closer:
        reason += f" (preferred to {len(closer)} later visit(s) without checkout)"
    elif chosen.has_checkout:
        reason += ", with checkout"
    return Link(chosen.session_id, reason, tier, considered, gap)


def _unlinked_reason(order: OrderToLink, ours: Sequence[CandidateVisit], window: timedelta) -> str:
    if order.visitor_id is None and order.customer_id is None and not order.client_ids and not ours:
        return "the order names no visitor id and no customer, and no visit recorded its order id"
    names = []
    if order.visitor_id is not None:
        names.append(f"visitor {order.visitor_id}")
    if order.customer_id is not None:
        names.append(f"customer {order.customer_id}")
    subject = " or ".join(names) if names else "the order's customer"
    span = f"{window.days} days" if window % timedelta(days=1) == timedelta(0) else describe_gap(window)
    reason = f"no visit of {subject} in the {span} before the order"
    later = sum(1 for visit in ours if visit.started_at > order.placed_at)
    older = sum(1 for visit in ours if visit.started_at < order.placed_at - window)
    notes = []
    if later:
        notes.append(f"{later} visit(s) started after the order and do not count")
    if older:
        notes.append(f"{older} visit(s) are older than the window")
    return f"{reason} ({'; '.join(notes)})" if notes else reason
