"""Net revenue after cancellations and refunds, profit, and money in the project's base currency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trackbridge.domain.order_status import StatusType
from trackbridge.domain.resources import Refund
from trackbridge.domain.revenue import (
    OrderAmounts,
    RevenueTotals,
    distinct_refunds,
    in_base_currency,
    order_revenue,
    rate_to_base,
    reported_revenue,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
D = Decimal


def refund(refund_id: str, amount: str, days: int = 1) -> Refund:
    return Refund(refund_id, D(amount), T0 + timedelta(days=days))


def test_a_paid_order_without_refunds_counts_its_amount() -> None:
    revenue = order_revenue(OrderAmounts(D("120.00"), cost=D("70.00")), StatusType.PAID)
    assert (revenue.revenue, revenue.refunded, revenue.net, revenue.profit) == (D("120.00"), 0, D("120.00"), D("50.00"))
    assert revenue.counts_revenue
    assert revenue.in_reports


def test_a_partial_refund_lowers_net_revenue() -> None:
    revenue = order_revenue(OrderAmounts(D("120.00"), refunds=(refund("r1", "20.50"),)), StatusType.PAID)
    assert revenue.revenue == D("120.00")
    assert revenue.refunded == D("20.50")
    assert revenue.net == D("99.50")


def test_several_refunds_add_up() -> None:
    revenue = order_revenue(OrderAmounts(D(100), refunds=(refund("r1", "10"), refund("r2", "15"))), StatusType.PAID)
    assert revenue.net == D(75)


def test_a_refund_sent_twice_is_deducted_once() -> None:
    revenue = order_revenue(OrderAmounts(D(100), refunds=(refund("r1", "10"), refund("r1", "10"))), StatusType.PAID)
    assert revenue.net == D(90)


def test_a_refund_sent_again_with_a_new_amount_counts_the_last_version() -> None:
    assert [r.amount for r in distinct_refunds([refund("r1", "10"), refund("r2", "5"), refund("r1", "12")])] == [
        D(5),
        D(12),
    ]


def test_refunds_never_take_net_revenue_below_zero() -> None:
    revenue = order_revenue(OrderAmounts(D(50), refunds=(refund("r1", "40"), refund("r2", "40"))), StatusType.PAID)
    assert revenue.net == 0
    assert revenue.refunded == D(50)
    assert "capped" in revenue.explanation


def test_a_cancelled_order_counts_zero_once_not_its_refunds_again() -> None:
    order = OrderAmounts(D(80), cost=D(30), refunds=(refund("r1", "80"),))
    revenue = order_revenue(order, StatusType.CANCELLED)
    assert (revenue.revenue, revenue.refunded, revenue.net, revenue.profit) == (0, 0, 0, 0)
    assert revenue.amount == D(80)
    assert revenue.in_reports
    assert not revenue.counts_revenue


def test_a_spam_order_leaves_the_reports() -> None:
    revenue = order_revenue(OrderAmounts(D(80)), StatusType.SPAM)
    assert not revenue.in_reports
    assert revenue.net == 0


def test_in_progress_and_other_orders_count_revenue() -> None:
    assert order_revenue(OrderAmounts(D(10)), StatusType.IN_PROGRESS).net == D(10)
    assert order_revenue(OrderAmounts(D(10)), StatusType.OTHER).net == D(10)


def test_profit_is_net_revenue_minus_cost_and_unknown_without_cost() -> None:
    with_cost = order_revenue(OrderAmounts(D(100), cost=D(60), refunds=(refund("r1", "30"),)), StatusType.PAID)
    assert with_cost.profit == D(10)
    assert order_revenue(OrderAmounts(D(100)), StatusType.PAID).profit is None


def test_refunds_after_the_cut_off_are_left_out() -> None:
    order = OrderAmounts(D(100), refunds=(refund("r1", "10", days=5), refund("r2", "20", days=120)))
    assert order_revenue(order, StatusType.PAID, refunds_until=T0 + timedelta(days=90)).net == D(90)


def test_an_order_in_the_base_currency_needs_no_rate() -> None:
    assert rate_to_base("eur", "EUR").rate == 1
    assert rate_to_base(None, "EUR").how == "base currency"


def test_the_orders_own_exchange_rate_comes_before_the_rates_table() -> None:
    found = rate_to_base("USD", "EUR", D("0.9"), {"usd": D("0.8")})
    assert (found.rate, found.how) == (D("0.9"), "the order's exchange rate")
    assert rate_to_base("USD", "EUR", None, {"usd": D("0.8")}).rate == D("0.8")


def test_an_order_in_another_currency_is_converted_and_rounded_to_money_precision() -> None:
    order = OrderAmounts(D("10.00"), currency="USD", exchange_rate=D("0.923456"))
    reported = reported_revenue(order, StatusType.PAID, "EUR")
    assert reported.converted
    assert reported.currency == "EUR"
    assert reported.net == D("9.2346")


def test_an_order_without_a_rate_is_not_converted_and_says_so() -> None:
    reported = reported_revenue(OrderAmounts(D(500), currency="SEK"), StatusType.PAID, "EUR", {"USD": D("0.9")})
    assert not reported.converted
    assert reported.currency == "SEK"
    assert reported.net == D(500)
    assert "no rate from SEK to EUR" in reported.how


def test_totals_keep_unconverted_money_apart_never_summed_silently() -> None:
    totals = RevenueTotals("EUR")
    totals.add(reported_revenue(OrderAmounts(D(100), cost=D(40)), StatusType.PAID, "EUR"))
    totals.add(reported_revenue(OrderAmounts(D(10), currency="USD"), StatusType.PAID, "EUR", {"USD": D("0.5")}))
    totals.add(reported_revenue(OrderAmounts(D(500), currency="SEK"), StatusType.PAID, "EUR"))
    totals.add(reported_revenue(OrderAmounts(D(999)), StatusType.SPAM, "EUR"))
    assert totals.base.net == D(105)
    assert totals.base.orders == 2
    assert totals.base.profit == D(60)
    assert totals.base.orders_without_cost == 1
    assert set(totals.apart) == {"SEK"}
    assert totals.apart["SEK"].net == D(500)


def test_totals_add_an_attributed_share_of_an_order() -> None:
    totals = RevenueTotals("EUR")
    totals.add(in_base_currency(order_revenue(OrderAmounts(D(100)), StatusType.PAID), "EUR"), share=D("0.4"))
    assert (totals.base.orders, totals.base.net) == (D("0.4"), D(40))


def test_a_cancelled_order_adds_an_order_but_no_revenue_to_the_totals() -> None:
    totals = RevenueTotals("EUR")
    totals.add(reported_revenue(OrderAmounts(D(100)), StatusType.CANCELLED, "EUR"))
    assert (totals.base.orders, totals.base.revenue, totals.base.net) == (1, 0, 0)
