"""Which visits get the credit for an order, under six attribution models. Pure, no I/O.

Attribution is fixed at the conversion (docs/adr/0003-attribution-fixed-at-conversion.md): only the customer's visits
that started within the window (21 days by default) before the order, at or before the moment it was placed, count.
A visit that started later never changes an earlier order's credit, whatever UTM codes it carries; a late-arriving
visit from before the order does, when the caller re-runs the attribution.

Models (formats.md §6), over the counted visits in time order:

- ``last_non_direct`` (the default): the last visit that was not direct; Direct gets the credit only when every visit
  was direct;
- ``last``: the last visit; ``first``: the first visit;
- ``linear``: an equal share for every visit;
- ``position_based``: 40% first, 40% last, 20% shared equally by the visits between (1 visit: 100%; 2 visits: 50/50);
- ``time_decay``: weight 2^(-age / half-life), the age counted from the visit's start back from the order (half-life
  7 days), normalised.

Credits are Decimal fractions with 6 places summing to exactly 1: each share is rounded down, and the millionths left
over go one by one to the largest remainders (on a tie, to the later visit). :func:`allocate` splits money the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum

DEFAULT_WINDOW = timedelta(days=21)
DEFAULT_HALF_LIFE = timedelta(days=7)
CREDIT_PLACES = 6
_UNITS = 10**CREDIT_PLACES
_MICROSECOND = timedelta(microseconds=1)


class Model(StrEnum):
    LAST_NON_DIRECT = "last_non_direct"
    LAST = "last"
    FIRST = "first"
    LINEAR = "linear"
    POSITION_BASED = "position_based"
    TIME_DECAY = "time_decay"


DEFAULT_MODEL = Model.LAST_NON_DIRECT


@dataclass(frozen=True, slots=True)
class Touchpoint:
    """A visit with where it came from (the session's stored source)."""

    session_id: int
    started_at: datetime
    channel: str | None = None
    referrer_type: str | None = None
    source: str | None = None
    medium: str | None = None
    campaign: str | None = None

    @property
    def is_direct(self) -> bool:
        """Direct when the channel says so; without a channel, when no campaign code and no referrer type say else."""
        if self.channel is not None:
            return self.channel == "direct"
        if self.source or self.medium or self.campaign:
            return False
        return self.referrer_type in (None, "direct")

    def label(self) -> str:
        codes = " / ".join(code for code in (self.source, self.medium, self.campaign) if code)
        kind = self.channel or self.referrer_type or "unknown"
        return f"{kind} {codes}" if codes else kind


@dataclass(frozen=True, slots=True)
class Credit:
    session_id: int
    share: Decimal


@dataclass(frozen=True, slots=True)
class Attribution:
    """The credits of one order under one model (visits with a zero share left out), and why."""

    model: Model
    credits: tuple[Credit, ...]
    visits_considered: int
    visits_after_order: int
    reason: str

    @property
    def attributed(self) -> bool:
        return bool(self.credits)

    def share_of(self, session_id: int) -> Decimal:
        return next((credit.share for credit in self.credits if credit.session_id == session_id), Decimal(0))


def counted_visits(
    order_at: datetime, visits: Iterable[Touchpoint], window: timedelta = DEFAULT_WINDOW
) -> list[Touchpoint]:
    """The visits that may get credit, oldest first (same start: lower session id first)."""
    counted = [visit for visit in visits if order_at - window <= visit.started_at <= order_at]
    return sorted(counted, key=lambda visit: (visit.started_at, visit.session_id))


def _largest_remainder(units: int, fractions: Sequence[Decimal]) -> list[int]:
    """``units`` split by ``fractions`` (summing to 1) in whole units: each part rounded down, then the units left over
    one by one to the largest remainders (a tie to the later position). The parts add up to ``units`` exactly."""
    with localcontext() as context:
        context.prec = 40
        scaled = [units * fraction for fraction in fractions]
        parts = [int(value.to_integral_value(rounding=ROUND_FLOOR)) for value in scaled]
        ranked = sorted(range(len(parts)), key=lambda index: (scaled[index] - parts[index], index), reverse=True)
        for index in ranked[: units - sum(parts)]:
            parts[index] += 1
    return parts


def normalise(weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """Weights → fractions with 6 places summing to exactly 1."""
    with localcontext() as context:
        context.prec = 40
        total = sum(weights, Decimal(0))
        if total <= 0:
            raise ValueError("weights must have a positive sum")
        fractions = [weight / total for weight in weights]
    return tuple(Decimal(part).scaleb(-CREDIT_PLACES) for part in _largest_remainder(_UNITS, fractions))


def _position_weights(count: int) -> list[Decimal]:
    if count <= 2:
        return [Decimal(1)] * count
    middle = count - 2  # first and last 2 parts of 5 each; the middle visits share the fifth
    return [Decimal(2 * middle)] + [Decimal(1)] * middle + [Decimal(2 * middle)]


def _decay_weights(order_at: datetime, visits: Sequence[Touchpoint], half_life: timedelta) -> list[Decimal]:
    with localcontext() as context:
        context.prec = 28
        life = Decimal(half_life // _MICROSECOND)
        return [Decimal(2) ** -(Decimal((order_at - visit.started_at) // _MICROSECOND) / life) for visit in visits]


def _single(visits: Sequence[Touchpoint], chosen: Touchpoint) -> list[Decimal]:
    return [Decimal(1 if visit is chosen else 0) for visit in visits]


def _weights_and_reason(
    model: Model, order_at: datetime, visits: Sequence[Touchpoint], half_life: timedelta
) -> tuple[list[Decimal], str]:
    count = len(visits)
    if model is Model.LAST_NON_DIRECT:
        non_direct = [visit for visit in visits if not visit.is_direct]
        if non_direct:
            return _single(visits, non_direct[-1]), f"last non-direct visit: {non_direct[-1].label()}"
        return _single(visits, visits[-1]), "every visit was direct: the last one gets the credit"
    if model is Model.LAST:
        return _single(visits, visits[-1]), f"last visit: {visits[-1].label()}"
    if model is Model.FIRST:
        return _single(visits, visits[0]), f"first visit: {visits[0].label()}"
    if model is Model.LINEAR:
        return [Decimal(1)] * count, f"shared equally by {count} visit(s)"
    if model is Model.POSITION_BASED:
        if count <= 2:
            return _position_weights(count), f"shared equally by {count} visit(s)"
        return _position_weights(count), f"40% first, 40% last, 20% shared by {count - 2} visit(s) between"
    days = half_life / timedelta(days=1)
    return _decay_weights(order_at, visits, half_life), f"time decay, {days:g}-day half-life, over {count} visit(s)"


def attribute(
    order_at: datetime,
    visits: Iterable[Touchpoint],
    model: Model = DEFAULT_MODEL,
    *,
    window: timedelta = DEFAULT_WINDOW,
    half_life: timedelta = DEFAULT_HALF_LIFE,
) -> Attribution:
    """The credits of an order placed at ``order_at`` over the customer's visits, under ``model``."""
    given = list(visits)
    after = sum(1 for visit in given if visit.started_at > order_at)
    counted = counted_visits(order_at, given, window)
    if not counted:
        return Attribution(model, (), 0, after, "no visit started in the window before the order")
    weights, reason = _weights_and_reason(model, order_at, counted, half_life)
    shares = normalise(weights)
    credits = tuple(Credit(visit.session_id, share) for visit, share in zip(counted, shares, strict=True) if share)
    return Attribution(model, credits, len(counted), after, reason)


def attribute_all(
    order_at: datetime,
    visits: Iterable[Touchpoint],
    models: Iterable[Model] = tuple(Model),
    *,
    window: timedelta = DEFAULT_WINDOW,
    half_life: timedelta = DEFAULT_HALF_LIFE,
) -> dict[Model, Attribution]:
    """Every model at once (for reports that compare models side by side)."""
    given = list(visits)
    return {model: attribute(order_at, given, model, window=window, half_life=half_life) for model in models}


def allocate(amount: Decimal, attribution: Attribution, places: int = 4) -> dict[int, Decimal]:
    """Split ``amount`` over the credited visits so the parts add up to exactly ``amount`` (rounded half-even to
    ``places`` decimals first), by the same largest-remainder rule as the credits."""
    if not attribution.credits:
        return {}
    units = int(abs(amount).scaleb(places).to_integral_value(rounding=ROUND_HALF_EVEN))
    sign = -1 if amount < 0 else 1
    parts = _largest_remainder(units, [credit.share for credit in attribution.credits])
    return {
        credit.session_id: Decimal(sign * part).scaleb(-places)
        for credit, part in zip(attribution.credits, parts, strict=True)
    }


@dataclass(frozen=True, slots=True)
class SourceKey:
    channel: str | None
    source: str | None
    medium: str | None
    campaign: str | None


def credits_by_source(attribution: Attribution, visits: Iterable[Touchpoint]) -> dict[SourceKey, Decimal]:
    """The order's credit summed per source / medium / campaign / channel, for the order-sources report."""
    by_session: Mapping[int, Touchpoint] = {visit.session_id: visit for visit in visits}
    totals: dict[SourceKey, Decimal] = {}
    for credit in attribution.credits:
        visit = by_session[credit.session_id]
        key = SourceKey(visit.channel, visit.source, visit.medium, visit.campaign)
        totals[key] = totals.get(key, Decimal(0)) + credit.share
    return totals
