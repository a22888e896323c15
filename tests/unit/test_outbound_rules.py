"""Pure rules of the outbound machinery: redaction, backoff, cron schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.outbound import REDACTED, credential_hint, next_attempt_at, redact_url, redact_values
from trackbridge.domain.schedules import check_cron, next_run

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_redact_url_hides_secret_parameters_and_the_credential_anywhere() -> None:
    url = "https://m.example.com/index.php?module=API&token_auth=abc123secret&idSite=1&segment=userId%3D%3Dabc123secret"
    clean = redact_url(url, ("abc123secret",))
    assert "abc123secret" not in clean
    assert f"token_auth={REDACTED}" in clean
    assert "idSite=1" in clean


def test_redact_values_ignores_empty_and_tiny_secrets() -> None:
    assert redact_values("a b c", ("", "b")) == "a b c"
    assert redact_values("key=supersecret!", ("supersecret!",)) == f"key={REDACTED}"


def test_backoff_doubles_caps_at_an_hour_and_honours_retry_after() -> None:
    assert next_attempt_at(T0, 1, None, 5) == T0 + timedelta(seconds=5)
    assert next_attempt_at(T0, 3, None, 5) == T0 + timedelta(seconds=20)
    assert next_attempt_at(T0, 30, None, 5) == T0 + timedelta(hours=1)
    assert next_attempt_at(T0, 1, 120, 5) == T0 + timedelta(seconds=120)


def test_credential_hint_shows_only_the_last_four_characters() -> None:
    assert credential_hint("abcdefgh1234") == "…1234"
    assert credential_hint("short") == "set"
    assert credential_hint(None) == ""


def test_cron_schedules_are_checked_and_read_in_the_project_time_zone() -> None:
    assert check_cron(" 0  2 * * * ") == "0 2 * * *"
    with pytest.raises(InvalidInput, match="schedule"):
        check_cron("daily")
    with pytest.raises(InvalidInput):
        check_cron("0 2 * *")
    assert next_run("0 2 * * *", T0) == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert next_run("0 2 * * *", T0, "Europe/Berlin") == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert next_run("* * * * *", T0) == T0 + timedelta(minutes=1)
