"""Cart updates reach Matomo as cart updates (idgoal=0, no ec_id) with their items: from a shop's signed POST /v2/cart,
from tracker.js's setCart and from Matomo cart hits trackbridge receives; trackbridge's own pushes never come back."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.integration.matomo_push_support import VISITOR, add_matomo, job_counts, run_jobs, signed
from tests.support.fake_matomo import FakeMatomo
from tests.support.matomo import BROWSER_UA, matomo_js, query
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain

MATOMO = "https://matomo.example.com"
ITEMS = [["SKU-1", "Widget", "Gadgets", 19.99, 2], ["SKU-2", "Gizmo", ["Gadgets", "Tools"], 5.5, 1]]


@pytest.fixture
def fake(container: Container) -> FakeMatomo:
    fake = FakeMatomo(visits=[])
    container.http_transport = fake.transport()
    return fake


def _cart_call() -> dict[str, object]:
    return {
        "visitorId": VISITOR,
        "items": [
            {"sku": "SKU-1", "name": "Widget", "categories": ["Gadgets"], "price": "19.99", "quantity": 2},
            {"productId": "SKU-2", "name": "Gizmo", "categories": ["Gadgets", "Tools"], "price": "5.5", "quantity": 1},
        ],
        "total": "45.48",
        "currency": "EUR",
        "ipAddress": "198.51.100.23",
        "userAgent": BROWSER_UA,
    }


def test_signed_cart_call_is_pushed_to_matomo_with_its_items(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo
) -> None:
    add_matomo(container, seed_project, MATOMO)
    answer = signed(client, "/v2/cart", _cart_call())
    assert answer["status"] == "ok"
    run_jobs(container)

    (cart,) = fake.carts
    assert "ec_id" not in cart
    assert (cart["idgoal"], cart["revenue"], cart["cid"], cart["cip"]) == ("0", "45.48", VISITOR, "198.51.100.23")
    assert json.loads(cart["ec_items"]) == ITEMS


def test_many_updates_of_one_cart_send_its_latest_state(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo
) -> None:
    connector = add_matomo(container, seed_project, MATOMO)
    signed(client, "/v2/cart", _cart_call())
    signed(client, "/v2/cart", {**_cart_call(), "items": [], "total": "0"})
    assert job_counts(container, connector.id)["pending"] == 1
    run_jobs(container)
    (cart,) = fake.carts
    assert (cart["revenue"], json.loads(cart["ec_items"])) == ("0", [])


def test_cart_call_without_anyone_to_attach_it_to_is_refused(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    from tests.support.signing import envelope, signed_headers

    body = envelope({**_cart_call(), "visitorId": None})
    answer = client.post("/v2/cart", content=body, headers=signed_headers(body))
    assert answer.status_code == 400
    assert "visitorId" in answer.text


def test_set_cart_from_the_tracker_is_pushed(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo
) -> None:
    from tests.integration.test_tracking_pipeline import send

    add_matomo(container, seed_project, MATOMO)
    items = [{"productId": "2", "quantity": 3, "price": 10.42, "sku": "TS-2-M", "name": "Awesome T-Shirt"}]
    cart = {"cartId": "c-981", "total": 31.26, "size": 3, "currency": "EUR", "items": items}
    send(client, [{"id": "c1", "type": "set_cart", "url": "https://shop.example/cart", "properties": cart}])
    drain(container)
    run_jobs(container)

    (pushed,) = fake.carts
    assert pushed["revenue"] == "31.26"
    assert json.loads(pushed["ec_items"]) == [["TS-2-M", "Awesome T-Shirt", "", 10.42, 3]]


def test_matomo_cart_hit_is_pushed_but_trackbridges_own_push_is_never_echoed(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo
) -> None:
    connector = add_matomo(container, seed_project, MATOMO)
    hit = matomo_js(idgoal="0", revenue="45.48", ec_items=json.dumps(ITEMS))
    assert client.get("/matomo.php" + query(hit), headers={"User-Agent": BROWSER_UA}).status_code == 200
    drain(container)
    run_jobs(container)
    (pushed,) = fake.carts
    assert json.loads(pushed["ec_items"]) == ITEMS

    echo = {**hit, "_id": "0123456789abcdef", "_tbpush": "1"}  # a connector pointed at trackbridge itself
    assert client.get("/matomo.php" + query(echo), headers={"User-Agent": BROWSER_UA}).status_code == 200
    drain(container)
    assert job_counts(container, connector.id)["pending"] == 0
    run_jobs(container)
    assert len(fake.carts) == 1


def test_connector_that_does_not_push_carts_queues_nothing(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo
) -> None:
    connector = add_matomo(container, seed_project, MATOMO, pushCarts=False)
    signed(client, "/v2/cart", _cart_call())
    run_jobs(container)
    assert job_counts(container, connector.id)["pending"] == 0
    assert fake.carts == []
