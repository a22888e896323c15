"""Linking an order to the visit it came from: closest before it, visitor id first, e-commerce activity preferred."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trackbridge.domain.linking import (
    CandidateVisit,
    Link,
    MatchedBy,
    OrderToLink,
    describe_gap,
    link_order,
    relink_range,
)

PLACED = datetime(2026, 3, 22, 15, 0, tzinfo=UTC)
VISITOR = "0123456789abcdef"
OTHER_DEVICE = "fedcba9876543210"
ORDER = OrderToLink("1001", PLACED, visitor_id=VISITOR, customer_id=42)


def visit(
    session_id: int,
    *,
    started: timedelta,
    length: timedelta = timedelta(minutes=10),
    visitor_id: str = VISITOR,
    checkout: bool = False,
    order_ids: tuple[str, ...] = (),
    found_by: MatchedBy = MatchedBy.VISITOR_ID,
) -> CandidateVisit:
    """A visit that started ``started`` before the order (negative: after it)."""
    start = PLACED - started
    return CandidateVisit(
        session_id, visitor_id, start, start + length, checkout, order_ids, customer_id=42, found_by=found_by
    )


def test_story_order_links_to_the_latest_visit_the_direct_return_not_the_campaign_visit() -> None:
    campaign_visit = visit(1, started=timedelta(days=3))
    direct_return = visit(2, started=timedelta(minutes=20), checkout=True)
    link = link_order(ORDER, [campaign_visit, direct_return])
    assert link.session_id == 2
    assert link.matched_by is MatchedBy.VISITOR_ID
    assert link.candidates_considered == 2
    assert link.reason == f"visitor id {VISITOR}: latest visit, 10 min before the order, with checkout"


def test_order_links_to_latest_visit_when_two_in_window() -> None:
    link = link_order(ORDER, [visit(1, started=timedelta(days=2)), visit(2, started=timedelta(hours=2, minutes=15))])
    assert link.session_id == 2
    assert link.gap == timedelta(hours=2, minutes=5)
    assert "2 h 5 min before the order" in link.reason


def test_an_order_placed_during_a_visit_links_to_it() -> None:
    link = link_order(ORDER, [visit(1, started=timedelta(minutes=5), length=timedelta(minutes=30))])
    assert link.session_id == 1
    assert link.gap == timedelta(0)
    assert "the order was placed during the visit" in link.reason


def test_a_visit_that_started_after_the_order_never_counts() -> None:
    link = link_order(ORDER, [visit(1, started=timedelta(days=1)), visit(2, started=-timedelta(minutes=1))])
    assert link.session_id == 1


def test_a_visit_starting_exactly_at_the_order_counts() -> None:
    assert link_order(ORDER, [visit(1, started=timedelta(0))]).session_id == 1


def test_visits_older_than_the_window_do_not_count_and_the_window_is_a_parameter() -> None:
    old = visit(1, started=timedelta(days=22))
    unlinked = link_order(ORDER, [old])
    assert not unlinked.linked
    assert unlinked.reason == (
        f"no visit of visitor {VISITOR} or customer 42 in the 21 days before the order "
        "(1 visit(s) are older than the window)"
    )
    assert link_order(ORDER, [old], window=timedelta(days=30)).session_id == 1


def test_an_order_with_no_visit_is_unlinked_with_the_reason() -> None:
    link = link_order(ORDER, [visit(9, started=-timedelta(hours=1))])
    assert link == Link(
        None,
        f"no visit of visitor {VISITOR} or customer 42 in the 21 days before the order "
        "(1 visit(s) started after the order and do not count)",
        None,
        0,
    )


def test_an_order_naming_nobody_says_so() -> None:
    link = link_order(OrderToLink("7", PLACED), [])
    assert not link.linked
    assert link.reason == "the order names no visitor id and no customer, and no visit recorded its order id"


def test_the_orders_visitor_comes_before_the_customers_other_visitors() -> None:
    own = visit(1, started=timedelta(days=5))
    by_email = visit(2, started=timedelta(hours=1), visitor_id=OTHER_DEVICE, found_by=MatchedBy.EMAIL)
    link = link_order(ORDER, [own, by_email])
    assert (link.session_id, link.matched_by) == (1, MatchedBy.VISITOR_ID)


def test_without_visits_of_its_visitor_the_order_links_through_the_customers_email() -> None:
    by_email = visit(2, started=timedelta(hours=1), visitor_id=OTHER_DEVICE, found_by=MatchedBy.EMAIL)
    link = link_order(ORDER, [by_email])
    assert (link.session_id, link.matched_by) == (2, MatchedBy.EMAIL)
    assert link.reason.startswith(f"customer 42 by e-mail, visitor {OTHER_DEVICE}: latest visit, 50 min before")


def test_email_comes_before_phone() -> None:
    by_phone = visit(3, started=timedelta(minutes=30), visitor_id="1111111111111111", found_by=MatchedBy.PHONE)
    by_email = visit(2, started=timedelta(days=1), visitor_id=OTHER_DEVICE, found_by=MatchedBy.EMAIL)
    assert link_order(ORDER, [by_phone, by_email]).matched_by is MatchedBy.EMAIL
    assert link_order(ORDER, [by_phone]).matched_by is MatchedBy.PHONE


def test_a_visitor_id_the_crm_gives_for_the_customer_counts_as_the_orders_own() -> None:
    order = OrderToLink("1001", PLACED, visitor_id=None, customer_id=42, client_ids=(OTHER_DEVICE,))
    found = visit(5, started=timedelta(hours=3), visitor_id=OTHER_DEVICE)
    assert link_order(order, [found]).matched_by is MatchedBy.VISITOR_ID


def test_a_visit_of_someone_else_is_ignored() -> None:
    stranger = visit(5, started=timedelta(hours=3), visitor_id="2222222222222222")
    assert not link_order(ORDER, [stranger]).linked


def test_the_visit_that_recorded_the_order_id_wins_over_a_later_visit() -> None:
    recorded = visit(1, started=timedelta(hours=6), order_ids=("1001",))
    later = visit(2, started=timedelta(hours=1), checkout=True)
    link = link_order(ORDER, [recorded, later])
    assert (link.session_id, link.matched_by) == (1, MatchedBy.ORDER_ID)
    assert link.reason.startswith(f"order id 1001 recorded in this visit of visitor {VISITOR}")


def test_a_visit_found_by_the_order_id_links_even_from_another_visitor() -> None:
    server_side = visit(
        8, started=timedelta(minutes=2), visitor_id="3333333333333333", order_ids=("1001",), found_by=MatchedBy.ORDER_ID
    )
    assert link_order(ORDER, [server_side]).matched_by is MatchedBy.ORDER_ID


def test_a_visit_said_to_carry_the_order_id_but_without_it_is_ignored() -> None:
    wrong = visit(8, started=timedelta(minutes=2), visitor_id="3333333333333333", found_by=MatchedBy.ORDER_ID)
    assert not link_order(ORDER, [wrong]).linked


def test_a_checkout_visit_is_preferred_to_a_later_visit_without_one() -> None:
    checkout = visit(1, started=timedelta(days=1), checkout=True)
    browsing = visit(2, started=timedelta(hours=1))
    link = link_order(ORDER, [checkout, browsing])
    assert link.session_id == 1
    assert link.reason == (
        f"visitor id {VISITOR}: latest visit with checkout, 23 h 50 min before the order "
        "(preferred to 1 later visit(s) without checkout)"
    )


def test_ties_go_to_the_visit_that_started_later_then_the_higher_session_id() -> None:
    long_visit = visit(1, started=timedelta(hours=2), length=timedelta(hours=3))
    short_visit = visit(2, started=timedelta(minutes=30), length=timedelta(hours=1))
    assert link_order(ORDER, [long_visit, short_visit]).session_id == 2
    twin_a, twin_b = visit(3, started=timedelta(hours=1)), visit(4, started=timedelta(hours=1))
    assert link_order(ORDER, [twin_b, twin_a]).session_id == 4


def test_linking_is_retroactive_a_late_visit_gives_the_new_answer() -> None:
    before = link_order(ORDER, [])
    assert not before.linked
    late = visit(1, started=timedelta(hours=4))
    assert link_order(ORDER, [late]).session_id == 1
    later_still = visit(2, started=timedelta(hours=1))
    assert link_order(ORDER, [late, later_still]).session_id == 2


def test_a_late_visit_concerns_the_orders_placed_up_to_the_window_after_it() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert relink_range(start) == (start, start + timedelta(days=21))


def test_gaps_read_as_words() -> None:
    assert describe_gap(timedelta(seconds=45)) == "45 s"
    assert describe_gap(timedelta(minutes=12)) == "12 min"
    assert describe_gap(timedelta(hours=2)) == "2 h"
    assert describe_gap(timedelta(days=3, hours=4, minutes=9)) == "3 d 4 h"
    assert describe_gap(timedelta(days=3)) == "3 d"
