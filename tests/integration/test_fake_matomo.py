"""The fake Matomo behaves as reference/matomo.md says, so that connector tests against it mean something."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx
import pytest

from tests.support.fake_matomo import AUTH_MESSAGE, GIF, TOKEN, FakeMatomo
from tests.support.matomo import php_sdk_order

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> FakeMatomo:
    return FakeMatomo(now=NOW)


@pytest.fixture
def http(fake: FakeMatomo) -> Iterator[httpx.Client]:
    with fake.serve() as url, httpx.Client(base_url=url, timeout=2) as client:
        yield client


def live(http: httpx.Client, **params: str) -> httpx.Response:
    base = {"module": "API", "method": "Live.getLastVisitsDetails", "idSite": "1", "format": "json"}
    return http.post("/index.php", data={**base, "token_auth": TOKEN, **params})


def test_live_api_refuses_a_bad_token_with_401_and_matomos_message(http: httpx.Client) -> None:
    answer = live(http, token_auth="wrong")
    assert answer.status_code == 401
    assert answer.json() == {"result": "error", "message": AUTH_MESSAGE}


def test_live_api_orders_newest_first_and_pages(fake: FakeMatomo, http: httpx.Client) -> None:
    everything = [v["idVisit"] for v in live(http, filter_limit="-1").json()]
    assert everything == [6, 4, 3, 1, 5, 2]
    for number in range(10, 16):
        fake.add_visit({**fake.visit(2), "idVisit": number})
    assert len(live(http, period="range", date="2026-01-01,today").json()) == 10  # filter_limit defaults to 10
    for number in range(10, 16):
        fake.visits.remove(fake.visit(number))
    pages = [[v["idVisit"] for v in live(http, filter_limit="2", filter_offset=str(o)).json()] for o in (0, 2, 4, 6)]
    assert pages == [[6, 4], [3, 1], [5, 2], []]


def test_live_api_segments_or_binds_tighter_than_and(http: httpx.Client) -> None:
    either = live(http, filter_limit="-1", segment="userId==crm-77,visitorId==fedcba9876543210").json()
    assert sorted(v["idVisit"] for v in either) == [2, 3, 5]
    both = live(http, filter_limit="-1", segment="visitorId==fedcba9876543210;userId==crm-77,idVisit==2").json()
    assert [v["idVisit"] for v in both] == [2]


def test_live_api_min_timestamp_keeps_visits_whose_last_action_is_later(http: httpx.Client) -> None:
    visits = live(http, filter_limit="-1", minTimestamp="1795339183").json()
    assert [v["idVisit"] for v in visits] == [6, 4]


def test_live_api_without_json_format_answers_xml(http: httpx.Client) -> None:
    answer = live(http, format="xml")
    assert answer.headers["content-type"].startswith("text/xml")


def test_single_tracking_refuses_bad_cid_cip_without_token_and_repeated_order(
    fake: FakeMatomo, http: httpx.Client
) -> None:
    assert http.get("/matomo.php", params={"idsite": "1", "rec": "1", "cid": "abc"}).status_code == 400
    assert http.get("/matomo.php", params={"idsite": "1", "rec": "1", "cip": "1.2.3.4"}).status_code == 400
    old = {"idsite": "1", "rec": "1", "cdt": str(int(NOW.timestamp()) - 2 * 86400)}
    assert http.get("/matomo.php", params=old).status_code == 400
    assert http.get("/matomo.php", params={**old, "token_auth": TOKEN}).content == GIF
    order = php_sdk_order("ORDER-1", token=TOKEN)
    assert http.post("/matomo.php", data=order).status_code == 204
    assert http.post("/matomo.php", data=order).status_code == 400
    assert list(fake.orders) == [(1, "ORDER-1")]


def test_tracked_order_is_found_by_order_id_segment(http: httpx.Client) -> None:
    assert live(http, filter_limit="-1", segment="orderId==ORDER-7").json() == []
    http.post("/matomo.php", data=php_sdk_order("ORDER-7", token=TOKEN))
    found = live(http, filter_limit="-1", segment="orderId==ORDER-7").json()
    assert [a["type"] for a in found[0]["actionDetails"]] == ["ecommerceOrder"]
    assert found[0]["actionDetails"][0]["items"] == 3


def test_bulk_lists_invalid_indices_only_with_a_valid_token(fake: FakeMatomo, http: httpx.Client) -> None:
    first = "?" + urlencode(php_sdk_order("ORDER-1"))
    body = {"requests": [first, "?" + urlencode(php_sdk_order("ORDER-2")), first]}
    answer = http.post("/matomo.php", content=json.dumps({**body, "token_auth": TOKEN}))
    assert answer.json() == {"status": "success", "tracked": 2, "invalid": 1, "invalid_indices": [2]}
    anonymous = http.post("/matomo.php", content=json.dumps(body))
    assert anonymous.json() == {"status": "success", "tracked": 0, "invalid": 3}


def test_cart_update_is_recorded_without_an_order(fake: FakeMatomo, http: httpx.Client) -> None:
    cart = {"idsite": "1", "rec": "1", "idgoal": "0", "revenue": "9.5", "ec_items": '[["S","N","C",9.5,1]]'}
    assert http.post("/matomo.php", data={**cart, "send_image": "0"}).status_code == 204
    assert fake.carts[0]["revenue"] == "9.5"
    assert fake.orders == {}


def test_faults_answer_429_with_retry_after_then_recover(fake: FakeMatomo, http: httpx.Client) -> None:
    fake.fault("429", times=1, retry_after=30)
    refused = live(http)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "30")
    assert live(http).status_code == 200


def test_down_server_refuses_connections_until_it_listens_again(fake: FakeMatomo, http: httpx.Client) -> None:
    fake.stop_listening()
    with pytest.raises(httpx.ConnectError):
        live(http)
    fake.start_listening()
    assert live(http).status_code == 200


def test_in_process_transport_turns_slow_into_a_time_out(fake: FakeMatomo) -> None:
    client = httpx.Client(transport=fake.transport(), base_url="http://matomo.test")
    fake.fault("slow", times=1)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/index.php?module=API")
    fake.fault("503", times=1, endpoint="tracking")
    assert client.get("/matomo.php", params={"idsite": "1", "rec": "1"}).status_code == 503
    assert [r.kind for r in fake.requests] == ["api", "tracking"]
