"""What an order is worth in the reports: net revenue after cancellation and refunds, profit, and the conversion into
the project's base currency. Pure, no I/O; money is Decimal throughout.

Rules (each deducts at most once):

1. An order whose status type is CANCELLED or SPAM counts zero revenue and zero profit. Its refunds are not deducted
   again: a cancelled order with refunds counts 0, never less. SPAM orders also leave the reports (``in_reports``).
2. Refunds lower the net revenue of orders still counted (IN_PROGRESS, PAID, OTHER). A refund is identified by its id:
   sent twice, it is deducted once (the last version sent wins). Refunds together never take more than the amount:
   net revenue never goes below zero.
3. Profit = net revenue - cost. Without a cost, profit is unknown (None) rather than guessed; a refund lowers profit by
   its amount (the cost stays: trackbridge cannot know the goods came back; a full return is a CANCELLED status).
4. Money in another currency than the project's base is converted with the order's own exchange rate, else the
   project's rates table (``amount * rate``, rate = base units per unit of the order's currency), rounded half-even to
   1/10,000. Without a rate it is not converted, and :class:`RevenueTotals` keeps it apart per currency: never summed
   into the base total silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from trackbridge.domain.order_status import StatusType
from trackbridge.domain.resources import Refund
from trackbridge.domain.values import MAX_MONEY_PLACES

ZERO = Decimal(0)
MONEY_QUANTUM = Decimal(1).scaleb(-MAX_MONEY_PLACES)
NOT_COUNTED = frozenset({StatusType.CANCELLED, StatusType.SPAM})


@dataclass(frozen=True, slots=True)
class OrderAmounts:
    """The money facts of an order as stored: amount (total incl. shipping and tax), cost, currency, refunds."""

    amount: Decimal
    cost: Decimal | None = None
    currency: str | None = None
    exchange_rate: Decimal | None = None
    refunds: tuple[Refund, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderRevenue:
    """An order's worth in its own currency. ``amount``: as placed; ``revenue``: what the reports count before
    refunds (the amount, or 0 once cancelled); ``refunded``: what refunds actually took off (capped);
    ``net`` = revenue - refunded."""

    currency: str | None
    amount: Decimal
    revenue: Decimal
    refunded: Decimal
    net: Decimal
    cost: Decimal | None
    profit: Decimal | None
    counts_revenue: bool
    in_reports: bool
    explanation: str


def distinct_refunds(refunds: Iterable[Refund], until: datetime | None = None) -> tuple[Refund, ...]:
    """Refunds once each by id (the last one sent wins), optionally only those made at or before ``until``."""
    by_id: dict[str, Refund] = {}
    for refund in refunds:
        by_id.pop(refund.id, None)
        by_id[refund.id] = refund
    return tuple(refund for refund in by_id.values() if until is None or refund.refunded_at <= until)


def order_revenue(
    order: OrderAmounts, status_type: StatusType | None, *, refunds_until: datetime | None = None
) -> OrderRevenue:
    """Net revenue and profit of one order under its current (reported) status type.

    ``refunds_until`` leaves out refunds made after it (pass the end of the report window to freeze late ones).
    """
    gross = order.amount
    in_reports = status_type is not StatusType.SPAM
    if status_type in NOT_COUNTED:
        reason = "spam: left out of the reports" if status_type is StatusType.SPAM else "cancelled: counts no revenue"
        return OrderRevenue(order.currency, gross, ZERO, ZERO, ZERO, order.cost, ZERO, False, in_reports, reason)
    refunds = distinct_refunds(order.refunds, refunds_until)
    requested = sum((refund.amount for refund in refunds if refund.amount > ZERO), ZERO)
    refunded = min(requested, max(gross, ZERO))
    net = max(gross - refunded, ZERO)
    profit = None if order.cost is None else net - order.cost
    if not refunds:
        explanation = "no refunds"
    elif refunded < requested:
        explanation = f"{len(refunds)} refund(s) of {requested} capped at the order amount {gross}"
    else:
        explanation = f"{len(refunds)} refund(s) lower revenue by {refunded}"
    return OrderRevenue(order.currency, gross, gross, refunded, net, order.cost, profit, True, in_reports, explanation)


@dataclass(frozen=True, slots=True)
class Rate:
    """How an amount reaches the base currency: ``rate`` None means it cannot (``how`` says why)."""

    rate: Decimal | None
    how: str

    @property
    def converts(self) -> bool:
        return self.rate is not None


def rate_to_base(
    currency: str | None,
    base_currency: str,
    exchange_rate: Decimal | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> Rate:
    """The rate for an order: none needed in the base currency (or with no currency), else the order's exchange rate,
    else the project's rates table, else none."""
    code = (currency or base_currency).strip().upper()
    if code == base_currency.strip().upper():
        return Rate(Decimal(1), "base currency")
    if exchange_rate is not None and exchange_rate > ZERO:
        return Rate(exchange_rate, "the order's exchange rate")
    table = {key.strip().upper(): value for key, value in (rates or {}).items()}
    if code in table and table[code] > ZERO:
        return Rate(table[code], "the project's rates table")
    return Rate(None, f"no rate from {code} to {base_currency.upper()}: shown apart")


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount times a rate, rounded half-even to the money precision (1/10,000)."""
    return (amount * rate).quantize(MONEY_QUANTUM, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class ReportedRevenue:
    """An order's revenue as the reports sum it: in the base currency when ``converted``, else in ``currency``."""

    currency: str
    converted: bool
    rate: Decimal | None
    how: str
    revenue: Decimal
    net: Decimal
    profit: Decimal | None
    in_reports: bool


def in_base_currency(
    revenue: OrderRevenue,
    base_currency: str,
    exchange_rate: Decimal | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> ReportedRevenue:
    """The order's revenue, net revenue and profit in the base currency, or kept in its own when no rate is known."""
    found = rate_to_base(revenue.currency, base_currency, exchange_rate, rates)
    if found.rate is None:
        return ReportedRevenue(
            currency=(revenue.currency or base_currency).upper(),
            converted=False,
            rate=None,
            how=found.how,
            revenue=revenue.revenue,
            net=revenue.net,
            profit=revenue.profit,
            in_reports=revenue.in_reports,
        )
    rate = found.rate
    return ReportedRevenue(
        currency=base_currency.upper(),
        converted=True,
        rate=rate,
        how=found.how,
        revenue=convert(revenue.revenue, rate),
        net=convert(revenue.net, rate),
        profit=None if revenue.profit is None else convert(revenue.profit, rate),
        in_reports=revenue.in_reports,
    )


def reported_revenue(
    order: OrderAmounts,
    status_type: StatusType | None,
    base_currency: str,
    rates: Mapping[str, Decimal] | None = None,
    *,
    refunds_until: datetime | None = None,
) -> ReportedRevenue:
    """:func:`order_revenue` then :func:`in_base_currency` with the order's own exchange rate: what a report sums."""
    revenue = order_revenue(order, status_type, refunds_until=refunds_until)
    return in_base_currency(revenue, base_currency, order.exchange_rate, rates)


@dataclass(slots=True)
class CurrencyTotals:
    """Sums in one currency. ``orders`` is a Decimal: an attributed report adds each order's credit share."""

    orders: Decimal = ZERO
    revenue: Decimal = ZERO
    net: Decimal = ZERO
    profit: Decimal = ZERO
    orders_without_cost: int = 0


@dataclass(slots=True)
class RevenueTotals:
    """Sums for a report row: the base currency in ``base``; amounts that could not be converted in ``apart`` by
    currency. Orders out of the reports (spam) are skipped."""

    base_currency: str
    base: CurrencyTotals = field(default_factory=CurrencyTotals)
    apart: dict[str, CurrencyTotals] = field(default_factory=dict)

    def add(self, revenue: ReportedRevenue, share: Decimal = Decimal(1)) -> None:
        """Add an order (or ``share`` of it, an attribution credit; amounts then rounded half-even)."""
        if not revenue.in_reports:
            return
        totals = self.base if revenue.converted else self.apart.setdefault(revenue.currency, CurrencyTotals())
        totals.orders += share
        totals.revenue += convert(revenue.revenue, share)
        totals.net += convert(revenue.net, share)
        if revenue.profit is None:
            totals.orders_without_cost += 1
        else:
            totals.profit += convert(revenue.profit, share)
