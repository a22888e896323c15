"""The shared checks of connector setting values (the same spellings for every connector) and the shared reading of
an outside API's HTTP status (credential refused, retry later, or the caller's to read)."""

from __future__ import annotations

import httpx
import pytest

from trackbridge.adapters.connectors.matomo.settings import parse_settings as matomo
from trackbridge.adapters.connectors.ometria.settings import parse_settings as ometria
from trackbridge.adapters.outbound.http import raise_for_retry_or_refusal
from trackbridge.domain.errors import CredentialsRefused, InvalidInput, TransientError

MATOMO = {"url": "https://matomo.example.com", "siteId": "3"}


@pytest.mark.parametrize(("sent", "read"), [("yes", True), (" Off ", False), ("1", True), (False, False)])
def test_matomo_and_ometria_flags_read_the_same_spellings(sent: object, read: bool) -> None:
    assert matomo({**MATOMO, "pushCarts": sent}, None)["pushCarts"] is read
    assert ometria({"mergeOrders": sent}, None)["mergeOrders"] is read


@pytest.mark.parametrize("sent", ["maybe", 1, "", True])
def test_a_value_that_is_no_flag_or_number_is_refused_naming_the_field(sent: object) -> None:
    field = "lookbackDays" if sent is True else "importVisits"
    with pytest.raises(InvalidInput) as refused:
        matomo({**MATOMO, field: sent}, None)
    assert refused.value.field == field


def test_matomo_choices_take_surrounding_spaces_and_refuse_other_values() -> None:
    assert matomo({**MATOMO, "userIdFrom": " email "}, None)["userIdFrom"] == "email"
    with pytest.raises(InvalidInput, match="must be one of id, email"):
        matomo({**MATOMO, "userIdFrom": "EMAIL"}, None)


def _answer(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_credential_stops_the_connector_with_the_callers_message(status: int) -> None:
    with pytest.raises(CredentialsRefused, match=f"key refused \\({status}\\)"):
        raise_for_retry_or_refusal(_answer(status), refused="key refused ({status})", transient="busy")


def test_credential_statuses_are_left_to_the_caller_without_a_refused_message() -> None:
    raise_for_retry_or_refusal(_answer(401), transient="busy ({status})")


@pytest.mark.parametrize(("status", "retry_after", "waits"), [(429, "7", 7.0), (503, None, None), (500, "soon", 60.0)])
def test_busy_and_failing_servers_are_transient_and_keep_retry_after(
    status: int, retry_after: str | None, waits: float | None
) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    with pytest.raises(TransientError) as raised:
        raise_for_retry_or_refusal(_answer(status, **headers), transient="answered {status}")
    assert (raised.value.message, raised.value.retry_after) == (f"answered {status}", waits)


def test_other_statuses_are_the_callers_to_read_unless_listed_as_transient() -> None:
    for status in (200, 204, 400, 404, 408):
        raise_for_retry_or_refusal(_answer(status), refused="refused", transient="busy")
    with pytest.raises(TransientError):
        raise_for_retry_or_refusal(_answer(408), transient="busy", transient_statuses=(408, 429))
