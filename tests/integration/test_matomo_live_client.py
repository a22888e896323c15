"""The Live API client against the fake Matomo: paging, the token kept out of URLs, and failures classified."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.support.fake_matomo import AUTH_MESSAGE, TOKEN, FakeMatomo
from tests.support.matomo import php_sdk_order
from trackbridge.adapters.connectors.matomo.live_client import MatomoLiveClient, segment_of
from trackbridge.domain.errors import CredentialsRefused, PermanentError, TransientError

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture
def fake() -> FakeMatomo:
    return FakeMatomo(now=NOW)


def client_for(fake: FakeMatomo, token: str = TOKEN) -> MatomoLiveClient:
    http = httpx.Client(transport=fake.transport())
    return MatomoLiveClient(http, "https://matomo.example.com/", 1, token)


def test_pages_follow_filter_offset_until_a_short_page(fake: FakeMatomo) -> None:
    pages = list(client_for(fake).iter_pages("", None, page_size=4))
    assert [[v["idVisit"] for v in page] for page in pages] == [[6, 4, 3, 1], [5, 2]]
    offsets = [(r.query["filter_limit"], r.query["filter_offset"]) for r in fake.api_requests()]
    assert offsets == [("4", "0"), ("4", "4")]


def test_token_and_segment_travel_in_the_post_body_only(fake: FakeMatomo) -> None:
    client_for(fake).get_last_visits(segment_of([("userId", "a@b.example"), ("visitorId", "fedcba9876543210")]), 1)
    [request] = fake.api_requests()
    assert request.method == "POST" and request.path == "/index.php"
    assert "token_auth" not in request.query and "segment" not in request.query
    assert request.params["token_auth"] == TOKEN
    assert request.params["segment"] == "userId==a%40b.example,visitorId==fedcba9876543210"
    assert request.params["minTimestamp"] == "1" and request.query["period"] == "range"


def test_has_order_asks_for_the_order_id_segment(fake: FakeMatomo) -> None:
    client = client_for(fake)
    assert client.has_order("ORDER-1001") is True  # day 1's visit 1 holds it
    assert client.has_order("ORDER-404") is False
    httpx.Client(transport=fake.transport()).post(
        "https://m.example/matomo.php", data=php_sdk_order("NEW-1", token=TOKEN)
    )
    assert client.has_order("NEW-1") is True


def test_a_refused_token_is_credentials_refused_with_matomos_message(fake: FakeMatomo) -> None:
    with pytest.raises(CredentialsRefused) as refused:
        client_for(fake, token="wrong").get_last_visits("")
    assert refused.value.message == AUTH_MESSAGE


@pytest.mark.parametrize("kind", ["503", "500"])
def test_server_errors_are_transient(fake: FakeMatomo, kind: str) -> None:
    fake.fault(kind, times=1)
    with pytest.raises(TransientError):
        client_for(fake).get_last_visits("")


def test_429_is_transient_with_retry_after(fake: FakeMatomo) -> None:
    fake.fault("429", times=1, retry_after=42)
    with pytest.raises(TransientError) as limited:
        client_for(fake).get_last_visits("")
    assert limited.value.retry_after == 42


@pytest.mark.parametrize("kind", ["slow", "refused"])
def test_time_outs_and_refused_connections_are_transient(fake: FakeMatomo, kind: str) -> None:
    fake.fault(kind, times=1)
    with pytest.raises(TransientError):
        client_for(fake).get_last_visits("")


def test_an_answer_that_is_not_a_list_of_visits_is_permanent() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if b"idSite=2" in request.url.query:
            return httpx.Response(200, json={"result": "error", "message": "An unexpected website was found"})
        return httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with pytest.raises(PermanentError, match="not JSON"):
        MatomoLiveClient(http, "https://m.example", 1, TOKEN).get_last_visits("")
    with pytest.raises(PermanentError, match="unexpected website"):
        MatomoLiveClient(http, "https://m.example", 2, TOKEN).get_last_visits("")
