"""Attribution models over the visits that started before the order; credits are exact fractions summing to 1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from trackbridge.domain.attribution import (
    DEFAULT_MODEL,
    Model,
    SourceKey,
    Touchpoint,
    allocate,
    attribute,
    attribute_all,
    credits_by_source,
    normalise,
)

ORDER_AT = datetime(2026, 3, 22, 15, 0, tzinfo=UTC)
D = Decimal


def paid_search(session_id: int, days: float) -> Touchpoint:
    return Touchpoint(
        session_id, ORDER_AT - timedelta(days=days), "paid_search", "campaign", "google", "cpc", "spring-sale"
    )


def direct(session_id: int, days: float) -> Touchpoint:
    return Touchpoint(session_id, ORDER_AT - timedelta(days=days), "direct", "direct")


def referral(session_id: int, days: float) -> Touchpoint:
    return Touchpoint(session_id, ORDER_AT - timedelta(days=days), "referral", "website", "blog.example")


def shares(model: Model, visits: list[Touchpoint]) -> dict[int, Decimal]:
    return {credit.session_id: credit.share for credit in attribute(ORDER_AT, visits, model).credits}


def test_story_last_non_direct_credits_the_paid_search_campaign_not_the_direct_return() -> None:
    visits = [paid_search(1, days=3), direct(2, days=0.01)]
    attribution = attribute(ORDER_AT, visits)
    assert attribution.model is Model.LAST_NON_DIRECT is DEFAULT_MODEL
    assert shares(Model.LAST_NON_DIRECT, visits) == {1: D(1)}
    assert attribution.reason == "last non-direct visit: paid_search google / cpc / spring-sale"


def test_direct_gets_the_credit_only_when_the_whole_path_is_direct() -> None:
    attribution = attribute(ORDER_AT, [direct(1, 5), direct(2, 1)])
    assert attribution.credits[0].session_id == 2
    assert attribution.reason == "every visit was direct: the last one gets the credit"


def test_last_and_first_credit_one_visit() -> None:
    visits = [paid_search(1, 10), referral(2, 5), direct(3, 1)]
    assert shares(Model.LAST, visits) == {3: D(1)}
    assert shares(Model.FIRST, visits) == {1: D(1)}


def test_linear_splits_equally_and_the_rounding_remainder_goes_to_the_latest_visit() -> None:
    visits = [paid_search(1, 10), referral(2, 5), direct(3, 1)]
    assert shares(Model.LINEAR, visits) == {1: D("0.333333"), 2: D("0.333333"), 3: D("0.333334")}


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, [D(1)]),
        (2, [D("0.5"), D("0.5")]),
        (3, [D("0.4"), D("0.2"), D("0.4")]),
        (4, [D("0.4"), D("0.1"), D("0.1"), D("0.4")]),
        (5, [D("0.4"), D("0.066666"), D("0.066667"), D("0.066667"), D("0.4")]),
    ],
)
def test_position_based_gives_40_percent_to_first_and_last_and_20_to_the_middle(
    count: int, expected: list[Decimal]
) -> None:
    visits = [referral(index, days=count - index) for index in range(count)]
    assert list(shares(Model.POSITION_BASED, visits).values()) == expected


def test_time_decay_halves_the_weight_every_seven_days() -> None:
    visits = [referral(1, 14), referral(2, 7), referral(3, 0)]  # weights 1/4, 1/2, 1 → 1/7, 2/7, 4/7
    assert shares(Model.TIME_DECAY, visits) == {1: D("0.142857"), 2: D("0.285714"), 3: D("0.571429")}


def test_time_decay_half_life_is_a_parameter() -> None:
    visits = [referral(1, 1), referral(2, 0)]
    credits = attribute(ORDER_AT, visits, Model.TIME_DECAY, half_life=timedelta(days=1)).credits
    assert [credit.share for credit in credits] == [D("0.333333"), D("0.666667")]


@pytest.mark.parametrize("model", list(Model))
def test_every_models_credits_sum_to_exactly_one(model: Model) -> None:
    visits = [paid_search(1, 20), direct(2, 13.3), referral(3, 6.1), direct(4, 2.7), referral(5, 0.2), direct(6, 0.1)]
    assert sum(credit.share for credit in attribute(ORDER_AT, visits, model).credits) == 1


def test_a_visit_after_the_order_never_changes_its_attribution() -> None:
    before = [paid_search(1, 3), direct(2, 1)]
    later_campaign = Touchpoint(9, ORDER_AT + timedelta(hours=2), "email", "campaign", "newsletter", "email", "winback")
    for model in Model:
        with_later = attribute(ORDER_AT, [*before, later_campaign], model)
        assert with_later.credits == attribute(ORDER_AT, before, model).credits
        assert with_later.visits_after_order == 1


def test_a_late_arriving_visit_from_before_the_order_recomputes_it() -> None:
    known = [direct(2, 1)]
    assert shares(Model.LAST_NON_DIRECT, known) == {2: D(1)}
    arrived_late = paid_search(1, 4)
    assert shares(Model.LAST_NON_DIRECT, [*known, arrived_late]) == {1: D(1)}


def test_visits_older_than_the_window_get_no_credit() -> None:
    visits = [paid_search(1, 25), direct(2, 1)]
    attribution = attribute(ORDER_AT, visits, Model.FIRST)
    assert attribution.credits[0].session_id == 2
    assert attribution.visits_considered == 1
    assert attribute(ORDER_AT, visits, Model.FIRST, window=timedelta(days=30)).credits[0].session_id == 1


def test_no_visit_gives_no_credit_and_says_why() -> None:
    attribution = attribute(ORDER_AT, [])
    assert not attribution.attributed
    assert attribution.reason == "no visit started in the window before the order"


def test_visits_are_taken_in_time_order_whatever_order_they_are_given_in() -> None:
    visits = [direct(3, 1), paid_search(1, 10), referral(2, 5)]
    assert shares(Model.FIRST, visits) == {1: D(1)}
    assert shares(Model.LAST_NON_DIRECT, visits) == {2: D(1)}


def test_every_model_is_computed_at_once_for_side_by_side_reports() -> None:
    visits = [paid_search(1, 3), direct(2, 1)]
    results = attribute_all(ORDER_AT, visits)
    assert list(results) == list(Model)
    assert results[Model.LAST].share_of(2) == 1
    assert results[Model.LAST_NON_DIRECT].share_of(1) == 1
    assert results[Model.LINEAR].share_of(1) == D("0.5")


def test_a_visit_without_channel_is_direct_unless_it_carries_campaign_codes_or_a_referrer() -> None:
    assert Touchpoint(1, ORDER_AT).is_direct
    assert not Touchpoint(1, ORDER_AT, source="google").is_direct
    assert not Touchpoint(1, ORDER_AT, referrer_type="website").is_direct


def test_normalised_weights_sum_to_one_and_refuse_nothing_to_share() -> None:
    assert sum(normalise([D(1)] * 7)) == 1
    with pytest.raises(ValueError, match="positive sum"):
        normalise([D(0)])


def test_revenue_is_split_to_the_cent_and_adds_up_exactly() -> None:
    attribution = attribute(ORDER_AT, [paid_search(1, 10), referral(2, 5), direct(3, 1)], Model.LINEAR)
    parts = allocate(D("100.00"), attribution, places=2)
    assert parts == {1: D("33.33"), 2: D("33.33"), 3: D("33.34")}
    assert sum(parts.values()) == D("100.00")
    assert sum(allocate(D("-10"), attribution).values()) == D(-10)
    assert allocate(D(5), attribute(ORDER_AT, [])) == {}


def test_credits_add_up_per_source_for_the_order_sources_report() -> None:
    visits = [paid_search(1, 10), direct(2, 5), paid_search(3, 1)]
    by_source = credits_by_source(attribute(ORDER_AT, visits, Model.LINEAR), visits)
    campaign = SourceKey("paid_search", "google", "cpc", "spring-sale")
    assert by_source[campaign] == D("0.666667")
    assert by_source[SourceKey("direct", None, None, None)] == D("0.333333")
