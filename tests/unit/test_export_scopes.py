"""Seed 002's "Connection to Ometria accounts": the most specific account wins; a global account can take every scope."""

from __future__ import annotations

from typing import Any

import pytest

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.export_scopes import choose_destinations, destinations_for, parse_scope


def account(scope: str = "global", code: str | None = None, *, every: bool = False, kind: str = "ometria") -> Any:
    return {"kind": kind, "scope": scope, "scopeCode": code, "receiveAllScopes": every}


# Seed 002's example: Europe website (FR, DE), UK store view on the Europe account, IE its own, US website (CA, US).
SEED_ACCOUNTS = [
    (1, account("website", "europe")),
    (2, account("storeView", "uk")),  # the Europe account's key again, connected at UK store-view level
    (3, account("storeView", "ie")),
    (4, account("website", "us")),
]


@pytest.mark.parametrize(
    ("website", "store_view", "expected"),
    [
        ("europe", "fr", [1]),
        ("europe", "de", [1]),
        ("uk", "uk", [2]),
        ("uk", "ie", [3]),
        ("us", "ca", [4]),
        ("us", "us", [4]),
        ("asia", "jp", []),
    ],
)
def test_the_most_specific_account_gets_the_record(website: str, store_view: str, expected: list[int]) -> None:
    assert choose_destinations(website, store_view, SEED_ACCOUNTS) == expected


def test_a_global_account_gets_what_no_more_specific_account_takes() -> None:
    accounts = [(9, account()), *SEED_ACCOUNTS]
    assert choose_destinations("asia", "jp", accounts) == [9]
    assert choose_destinations("europe", "fr", accounts) == [1]


def test_a_global_account_receiving_all_scopes_gets_every_record_too() -> None:
    accounts = [(9, account(every=True)), *SEED_ACCOUNTS]
    assert choose_destinations("europe", "fr", accounts) == [9, 1]
    assert choose_destinations("uk", "ie", accounts) == [9, 3]


def test_codes_compare_without_case() -> None:
    assert choose_destinations("Europe", "FR", SEED_ACCOUNTS) == [1]


def test_unscoped_records_go_to_global_accounts_or_everywhere_without_one() -> None:
    assert choose_destinations(None, None, [(9, account()), *SEED_ACCOUNTS]) == [9]
    assert choose_destinations(None, None, SEED_ACCOUNTS) == [1, 2, 3, 4]


def test_each_kind_resolves_its_own_scopes() -> None:
    accounts = [*SEED_ACCOUNTS, (7, account(kind="webhook"))]
    assert choose_destinations("europe", "fr", accounts) == [1, 7]


def test_products_go_to_every_destination() -> None:
    assert destinations_for("product", None, None, [(9, account()), *SEED_ACCOUNTS]) == [9, 1, 2, 3, 4]
    assert destinations_for("order", "us", "ca", [(9, account()), *SEED_ACCOUNTS]) == [4]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"scope": "country"}, "scope"),
        ({"scope": "website"}, "scopeCode"),
        ({"scope": "storeView", "scopeCode": "fr de"}, "scopeCode"),
        ({"scope": "global", "scopeCode": "europe"}, "scopeCode"),
        ({"scope": "website", "scopeCode": "europe", "receiveAllScopes": True}, "receiveAllScopes"),
        ({"receiveAllScopes": "maybe"}, "receiveAllScopes"),
    ],
)
def test_scope_settings_are_checked(given: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_scope(given)
    assert caught.value.field == field


def test_scope_settings_default_to_global() -> None:
    assert parse_scope({}) == {"scope": "global", "scopeCode": None, "receiveAllScopes": False}
    assert parse_scope({"scope": "storeView", "scopeCode": " fr ", "receiveAllScopes": "no"})["scopeCode"] == "fr"
