"""The identity rules of domain/identity.py, one test per rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trackbridge.domain.identity import (
    STRENGTH,
    Claim,
    CurrentLink,
    Evidence,
    LinkMethod,
    Outcome,
    decide,
    earliest_first,
    uid_claim,
    usable_email,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def evidence(
    method: LinkMethod, customer: int, *, minutes: int = 0, session: int | None = 1, event: str = "e"
) -> Evidence:
    return Evidence(method, customer, T0 + timedelta(minutes=minutes), session, event)


def current(method: LinkMethod, customer: int, *, minutes: int = 0, session: int | None = 1) -> CurrentLink:
    return CurrentLink(
        link_id=7,
        customer_id=customer,
        method=method,
        strength=STRENGTH[method],
        linked_at=T0 + timedelta(minutes=minutes),
        valid_from=None,
        session_id=session,
    )


def test_strengths_rank_login_and_uid_over_form_over_email_link() -> None:
    assert STRENGTH[LinkMethod.IDENTIFY] == STRENGTH[LinkMethod.MATOMO_UID]
    assert STRENGTH[LinkMethod.IDENTIFY] > STRENGTH[LinkMethod.FORM] > STRENGTH[LinkMethod.EMAIL_LINK]
    assert STRENGTH[LinkMethod.OPERATOR_MERGE] > STRENGTH[LinkMethod.IDENTIFY]


@pytest.mark.parametrize("method", [LinkMethod.IDENTIFY, LinkMethod.FORM, LinkMethod.EMAIL_LINK, LinkMethod.MATOMO_UID])
def test_anonymous_visitor_is_linked_at_once_with_its_whole_history(method: LinkMethod) -> None:
    decision = decide(None, evidence(method, 5, event="ev-1"))
    assert decision.outcome is Outcome.LINK
    assert decision.new_link is not None
    assert decision.new_link.customer_id == 5
    assert decision.new_link.valid_from is None
    assert decision.new_link.method is method
    assert decision.new_link.strength == STRENGTH[method]
    assert decision.new_link.event_id == "ev-1"
    assert decision.new_link.linked_at == T0
    assert not decision.end_current


def test_same_customer_again_changes_nothing() -> None:
    decision = decide(current(LinkMethod.FORM, 5), evidence(LinkMethod.FORM, 5, minutes=3))
    assert decision.outcome is Outcome.ALREADY
    assert decision.new_link is None


def test_same_customer_with_stronger_evidence_strengthens_the_link_keeping_its_start() -> None:
    decision = decide(current(LinkMethod.EMAIL_LINK, 5), evidence(LinkMethod.IDENTIFY, 5, minutes=3, session=2))
    assert decision.outcome is Outcome.STRENGTHEN
    assert decision.end_current
    assert decision.new_link is not None
    assert decision.new_link.valid_from is None
    assert decision.new_link.method is LinkMethod.IDENTIFY


@pytest.mark.parametrize("linked_by", [LinkMethod.EMAIL_LINK, LinkMethod.FORM, LinkMethod.IDENTIFY])
def test_email_link_never_moves_an_identified_visitor(linked_by: LinkMethod) -> None:
    decision = decide(current(linked_by, 5), evidence(LinkMethod.EMAIL_LINK, 6, minutes=60, session=2))
    assert decision.outcome is Outcome.IGNORE
    assert "e-mail link" in decision.reason


def test_weaker_evidence_never_moves_a_visitor() -> None:
    decision = decide(current(LinkMethod.IDENTIFY, 5), evidence(LinkMethod.FORM, 6, minutes=60, session=2))
    assert decision.outcome is Outcome.IGNORE
    assert "weaker" in decision.reason


def test_earliest_submission_in_one_session_keeps_the_session() -> None:
    decision = decide(current(LinkMethod.FORM, 5), evidence(LinkMethod.FORM, 6, minutes=5))
    assert decision.outcome is Outcome.IGNORE


def test_an_earlier_submission_arriving_late_in_the_same_session_takes_it_over() -> None:
    decision = decide(current(LinkMethod.FORM, 5, minutes=10), evidence(LinkMethod.FORM, 6, minutes=2))
    assert decision.outcome is Outcome.REPLACE
    assert decision.new_link is not None
    assert decision.new_link.customer_id == 6
    assert decision.new_link.valid_from is None


def test_stronger_evidence_in_the_same_session_replaces_a_weaker_link() -> None:
    decision = decide(current(LinkMethod.FORM, 5), evidence(LinkMethod.IDENTIFY, 6, minutes=5))
    assert decision.outcome is Outcome.REPLACE
    assert decision.end_current
    assert decision.new_link is not None
    assert decision.new_link.valid_from is None


def test_login_as_another_customer_in_a_later_session_switches_from_then_on() -> None:
    decision = decide(current(LinkMethod.IDENTIFY, 5), evidence(LinkMethod.IDENTIFY, 6, minutes=90, session=2))
    assert decision.outcome is Outcome.SWITCH
    assert decision.end_current
    assert decision.claims_session
    assert decision.new_link is not None
    assert decision.new_link.customer_id == 6
    assert decision.new_link.valid_from == T0 + timedelta(minutes=90)


def test_login_as_another_customer_in_the_same_session_switches_but_the_session_stays() -> None:
    decision = decide(current(LinkMethod.IDENTIFY, 5), evidence(LinkMethod.MATOMO_UID, 6, minutes=10))
    assert decision.outcome is Outcome.SWITCH
    assert not decision.claims_session
    assert decision.new_link is not None
    assert decision.new_link.valid_from == T0 + timedelta(minutes=10)


def test_a_form_in_a_later_session_as_another_customer_switches() -> None:
    decision = decide(current(LinkMethod.FORM, 5), evidence(LinkMethod.FORM, 6, minutes=120, session=3))
    assert decision.outcome is Outcome.SWITCH


def test_evidence_older_than_the_current_link_from_another_session_is_ignored() -> None:
    decision = decide(current(LinkMethod.FORM, 5, minutes=100), evidence(LinkMethod.FORM, 6, minutes=1, session=9))
    assert decision.outcome is Outcome.IGNORE


def test_an_older_login_in_the_same_session_does_not_switch() -> None:
    decision = decide(current(LinkMethod.IDENTIFY, 5, minutes=10), evidence(LinkMethod.IDENTIFY, 6, minutes=1))
    assert decision.outcome is Outcome.IGNORE


def test_no_rule_takes_another_customers_history() -> None:
    """A switch moves the visitor from a moment on; it never starts from the beginning (that would be a merge)."""
    for method in LinkMethod:
        if method is LinkMethod.OPERATOR_MERGE:
            continue
        decision = decide(current(LinkMethod.FORM, 5), evidence(method, 6, minutes=200, session=4))
        if decision.new_link is not None:
            assert decision.new_link.valid_from is not None


@pytest.mark.parametrize(
    "value", ["null", "undefined", "guest", "  NULL ", '"undefined"', "", "0", "none", "[object Object]"]
)
def test_placeholder_ids_never_make_a_claim(value: str) -> None:
    assert uid_claim(value) is None
    assert usable_email(value) is None


@pytest.mark.parametrize("value", ["not-an-email", "a@b", "two@@x.com", "a b@x.com", 42, None])
def test_invalid_emails_never_link(value: object) -> None:
    assert usable_email(value) is None


def test_emails_are_trimmed_and_lower_cased() -> None:
    assert usable_email("  John.Doe@Example.COM ") == "john.doe@example.com"


def test_matomo_uid_is_an_email_or_the_shops_customer_id() -> None:
    assert uid_claim("Jane@Example.com") == Claim(LinkMethod.MATOMO_UID, email="jane@example.com")
    assert uid_claim("cust-42") == Claim(LinkMethod.MATOMO_UID, external_id="cust-42")
    assert uid_claim("broken@") is None
    assert uid_claim(None) is None


def test_evidence_is_decided_in_the_order_it_happened_stronger_first_on_ties() -> None:
    late_form = evidence(LinkMethod.FORM, 1, minutes=5)
    early_form = evidence(LinkMethod.FORM, 2, minutes=1)
    login_same_time = evidence(LinkMethod.IDENTIFY, 3, minutes=1)
    assert earliest_first([late_form, early_form, login_same_time]) == [login_same_time, early_form, late_form]
