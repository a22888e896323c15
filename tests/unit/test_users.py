"""The rules of users, roles and sessions, and argon2 password hashing (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from trackbridge.adapters.password_hashing import Argon2PasswordHasher
from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.users import (
    Role,
    User,
    UserAccess,
    WebSession,
    check_password,
    generate_password,
    normalize_email,
    parse_role,
    token_digest,
    tokens_match,
)
from trackbridge.entrypoints.web.templating import project_path

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _user(is_admin: bool = False) -> User:
    return User(id=1, email="a@example.com", is_admin=is_admin, is_active=True, created_at=NOW)


def test_argon2_hash_verifies_the_password_only() -> None:
    hasher = Argon2PasswordHasher()
    stored = hasher.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert hasher.verify(stored, "correct horse battery")
    assert not hasher.verify(stored, "correct horse batterY")
    assert not hasher.verify("not a hash", "correct horse battery")
    assert hasher.hash("correct horse battery") != stored  # salted
    hasher.verify_unknown("anything")  # spends the time, answers nothing


def test_a_hash_made_with_weaker_parameters_needs_rehashing() -> None:
    weak = Argon2PasswordHasher(PasswordHasher(time_cost=1, memory_cost=8 * 1024)).hash("correct horse battery")
    assert Argon2PasswordHasher().needs_rehash(weak)
    assert not Argon2PasswordHasher().needs_rehash(Argon2PasswordHasher().hash("correct horse battery"))


def test_emails_are_compared_lower_case_and_must_look_like_addresses() -> None:
    assert normalize_email("  Jane@Example.COM ") == "jane@example.com"
    for wrong in ("", "jane", "jane@", "@example.com", "ja ne@example.com"):
        with pytest.raises(InvalidInput):
            normalize_email(wrong)


def test_passwords_have_a_minimum_length_and_generated_ones_are_long_and_different() -> None:
    with pytest.raises(InvalidInput, match="at least 10"):
        check_password("short")
    assert check_password("0123456789") == "0123456789"
    first, second = generate_password(), generate_password()
    assert len(first) >= 20 and first != second


def test_roles_parse_from_text() -> None:
    assert parse_role(" Admin ") is Role.ADMIN
    assert parse_role("viewer") is Role.VIEWER
    with pytest.raises(InvalidInput, match="admin or viewer"):
        parse_role("owner")


def test_a_global_admin_administers_every_project_others_only_where_they_have_a_role() -> None:
    assert UserAccess(_user(is_admin=True)).may_administer(42)
    access = UserAccess(_user(), {1: Role.ADMIN, 2: Role.VIEWER})
    assert access.may_administer(1) and access.may_view(1)
    assert access.may_view(2) and not access.may_administer(2)
    assert not access.may_view(3) and access.role_in(3) is None


def test_a_session_is_valid_until_it_expires_and_tokens_compare_exactly() -> None:
    session = WebSession(token_digest("t"), 1, "csrf", NOW, NOW + timedelta(days=14))
    assert session.is_valid_at(NOW + timedelta(days=13))
    assert not session.is_valid_at(NOW + timedelta(days=14))
    assert token_digest("t") != "t" and len(token_digest("t")) == 64
    assert tokens_match("csrf", "csrf")
    assert not tokens_match("csrf", "csrF") and not tokens_match("csrf", None) and not tokens_match("csrf", "")


def test_project_urls_quote_names_and_keep_only_given_query_values() -> None:
    assert project_path("seed shop") == "/p/seed%20shop/"
    assert project_path("a/b", "customers", 7) == "/p/a%2Fb/customers/7"
    assert (
        project_path("shop", "reports", **{"from": "2026-01-01", "source": None}) == "/p/shop/reports?from=2026-01-01"
    )
