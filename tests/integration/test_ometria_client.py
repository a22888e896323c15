"""Records built from the read API's JSON and pushed through the Ometria client to the fake Ometria (formats.md §3):
what the fake received and holds is what a user's Ometria account would get."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.fake_ometria import FakeOmetria, running_fake_ometria
from tests.support.signing import SEED_API_KEY, envelope, signed_headers
from tests.unit.test_ometria_mapping import CUSTOMER, ORDER, PRODUCT
from trackbridge.adapters.connectors.ometria.client import send_batch
from trackbridge.adapters.connectors.ometria.mapping import build_record
from trackbridge.adapters.connectors.ometria.settings import parse_settings
from trackbridge.domain.errors import CredentialsRefused, PermanentError, TransientError
from trackbridge.domain.export import BatchOutcome
from trackbridge.domain.export_scopes import destinations_for
from trackbridge.domain.projects import ProjectCredentials

AUTH = {"Authorization": f"Bearer {SEED_API_KEY}"}
KEYS = {"key-main": "main", "key-eu": "eu", "key-us": "us", "key-global": "global"}


@pytest.fixture
def fake() -> Iterator[FakeOmetria]:
    with running_fake_ometria(KEYS, rate_limit=10_000) as served:  # pacing is the engine's; see the 429 test
        yield served


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def push(
    http: httpx.Client,
    fake: FakeOmetria,
    entity: str,
    items: list[dict[str, Any]],
    key: str = "key-main",
    **options: Any,
) -> BatchOutcome:
    settings = parse_settings({"endpoint": fake.url, **options}, None)
    records = [record for item in items if (record := build_record(entity, item, settings)) is not None]
    return send_batch(http, records, settings, key)


def test_namespaced_products_then_orders_referring_to_them_are_accepted(http: httpx.Client, fake: FakeOmetria) -> None:
    spaces = {"customerNamespace": "eu_", "productNamespace": "EU-P-", "orderNamespace": "EU-"}
    spoon = {**PRODUCT, "id": "43", "sku": "SPOON", "name": "Spoon", "images": []}
    assert push(http, fake, "customer", [CUSTOMER], **spaces).accepted == ["eu_7"]
    assert push(http, fake, "product", [PRODUCT, spoon], **spaces).accepted == ["EU-P-42", "EU-P-43"]
    outcome = push(http, fake, "order", [ORDER], **spaces)
    assert outcome == BatchOutcome(accepted=["EU-100001"], rejected={})
    held = fake.records("main", "order")["EU-100001"]
    assert held["customer"]["id"] == "eu_7"
    assert [line["product_id"] for line in held["lineitems"]] == ["EU-P-42", "EU-P-43"]
    assert [r.headers["x-ometria-auth"] for r in fake.pushes("main")] == ["key-main"] * 3
    assert fake.errors("main") == []


def test_an_order_with_an_unknown_product_is_rejected_with_ometrias_reason_and_others_pass(
    http: httpx.Client, fake: FakeOmetria
) -> None:
    push(http, fake, "product", [PRODUCT, {**PRODUCT, "id": "43"}])
    stray = {**ORDER, "id": "100002", "products": [{"productId": "99", "quantity": 1, "price": "1.00"}]}
    outcome = push(http, fake, "order", [ORDER, stray])
    assert outcome.accepted == ["100001"]
    assert outcome.rejected == {"100002": "unknown product_id 99"}
    assert set(fake.records("main", "order")) == {"100001"}


def test_merge_mode_keeps_what_ometria_holds_when_a_field_turns_blank(http: httpx.Client, fake: FakeOmetria) -> None:
    push(http, fake, "customer", [CUSTOMER])
    push(http, fake, "customer", [{**CUSTOMER, "firstName": None, "lastName": "Smith"}])
    assert fake.records("main", "contact")["7"]["firstname"] == "Ann"
    assert fake.records("main", "contact")["7"]["lastname"] == "Smith"
    push(http, fake, "customer", [{**CUSTOMER, "firstName": None}], mergeCustomers=False)
    assert fake.records("main", "contact")["7"]["firstname"] is None


def test_mapped_attributes_url_template_and_image_choice_reach_ometria(http: httpx.Client, fake: FakeOmetria) -> None:
    push(
        http,
        fake,
        "product",
        [PRODUCT],
        productAttributes={"categories": "category_ids", "sku": ""},
        productUrlTemplate="https://m.example.com/p/{product_id}/{url_path}",
        imageSize="image",
        imageNumber=7,
    )
    held = fake.records("main", "product")["42"]
    assert held["properties"] == {"category_ids": ["mugs"], "sku": "MUG-BLUE"}
    assert held["url"] == "https://m.example.com/p/42/mugs/blue-mug.html"
    assert held["image_url"] == "https://cdn.example.com/3.jpg"
    push(http, fake, "product", [PRODUCT], imageSize="thumbnail")
    assert fake.records("main", "product")["42"]["image_url"] == "https://cdn.example.com/thumb.jpg"


@pytest.mark.parametrize(
    ("mode", "lines"),
    [
        ("local", [{"unit_price": 10.0, "subtotal": 20.0}, {"unit_price": 4.0, "subtotal": 4.0}]),
        ("base", [{"unit_price": 11.5, "subtotal": 23.0}, {"unit_price": 4.6, "subtotal": 4.6}]),
        ("both", [{"unit_price": 10.0, "unit_price_base": 11.5}, {"unit_price": 4.0, "unit_price_base": 4.6}]),
    ],
)
def test_currency_option_sets_item_prices_and_the_total_stays_local(
    http: httpx.Client, fake: FakeOmetria, mode: str, lines: list[dict[str, float]]
) -> None:
    push(http, fake, "product", [PRODUCT, {**PRODUCT, "id": "43"}])
    push(http, fake, "order", [ORDER], currency=mode)
    held = fake.records("main", "order")["100001"]
    assert (held["currency"], held["grand_total"]) == ("GBP", 24.0)
    assert [
        {name: line[name] for name in expected} for line, expected in zip(held["lineitems"], lines, strict=True)
    ] == lines


def test_valid_statuses_and_a_cancellation_update_is_valid(http: httpx.Client, fake: FakeOmetria) -> None:
    push(http, fake, "product", [PRODUCT, {**PRODUCT, "id": "43"}])
    push(http, fake, "order", [ORDER], validStatuses="complete,processing")
    assert fake.records("main", "order")["100001"]["is_valid"] is True
    push(http, fake, "order", [{**ORDER, "status": "canceled"}], validStatuses="complete,processing")
    held = fake.records("main", "order")["100001"]
    assert (held["status"], held["is_valid"]) == ("canceled", False)


def test_newsletter_status_including_subscribers_who_never_registered(http: httpx.Client, fake: FakeOmetria) -> None:
    subscriber = {**CUSTOMER, "id": 8, "email": "news@example.com", "externalId": None, "registered": False}
    leaver = {**CUSTOMER, "id": 9, "email": "gone@example.com", "subscribed": False}
    assert push(http, fake, "customer", [CUSTOMER, subscriber, leaver]).accepted == ["7", "8", "9"]
    optins = {cid: c["marketing_optin"] for cid, c in fake.records("main", "contact").items()}
    assert optins == {"7": "EXPLICITLY_OPTEDIN", "8": "EXPLICITLY_OPTEDIN", "9": "EXPLICITLY_OPTEDOUT"}
    with running_fake_ometria(KEYS) as other:
        assert push(http, other, "customer", [CUSTOMER, subscriber], newsletterStatus=False).accepted == ["7"]
        assert "marketing_optin" not in other.records("main", "contact")["7"]


def test_scope_routing_sends_each_record_to_its_accounts(http: httpx.Client, fake: FakeOmetria) -> None:
    accounts = {
        1: ("key-eu", {"scope": "website", "scopeCode": "europe", "customerNamespace": "eu_"}),
        2: ("key-us", {"scope": "website", "scopeCode": "us"}),
        3: ("key-global", {"receiveAllScopes": True, "customerNamespace": "g_"}),
    }
    settings = {dest: parse_settings({"endpoint": fake.url, **opts}, None) for dest, (_, opts) in accounts.items()}
    customers = [
        {**CUSTOMER, "id": 1, "website": "europe", "storeView": "fr"},
        {**CUSTOMER, "id": 2, "website": "us", "storeView": "ca"},
        {**CUSTOMER, "id": 3, "website": "asia", "storeView": "jp"},
    ]
    for customer in customers:
        for dest in destinations_for("customer", customer["website"], customer["storeView"], list(settings.items())):
            record = build_record("customer", customer, settings[dest])
            assert record is not None
            send_batch(http, [record], settings[dest], accounts[dest][0])
    assert set(fake.records("eu", "contact")) == {"eu_1"}
    assert set(fake.records("us", "contact")) == {"2"}
    assert set(fake.records("global", "contact")) == {"g_1", "g_2", "g_3"}


def test_records_stored_through_the_api_reach_ometria_with_their_export_fields(
    client: TestClient, seed_project: ProjectCredentials, http: httpx.Client, fake: FakeOmetria
) -> None:
    def call(path: str, params: dict[str, Any]) -> None:
        body = envelope(params)
        assert client.post(path, content=body, headers=signed_headers(body)).status_code == 200

    images = [{"url": "https://cdn.example.com/a.jpg"}, {"url": "https://cdn.example.com/t.jpg", "role": "thumbnail"}]
    call("/v2/product", {"id": "p1", "name": "Mug", "price": 9, "sku": "MUG", "urlPath": "mug.html", "images": images})
    call("/v2/customer", {"email": "ann@example.com", "subscribed": True, "registered": False, "website": "europe"})
    order = {
        "id": "o1",
        "createdAt": 1518004715732,
        "amount": "24.00",
        "currency": "GBP",
        "baseCurrency": "EUR",
        "baseAmount": "27.60",
        "status": "complete",
        "email": "ann@example.com",
        "products": [{"productId": "p1", "quantity": 2, "price": "12.00", "basePrice": "13.80"}],
    }
    call("/v2/order", order)
    product = client.get("/api/v1/products/p1", headers=AUTH).json()
    customer = client.get("/api/v1/customers", params={"email": "ann@example.com"}, headers=AUTH).json()["items"][0]
    stored_order = client.get("/api/v1/orders/o1", headers=AUTH).json()
    options = {"productIdFrom": "sku", "imageSize": "thumbnail", "currency": "base", "orderNamespace": "S-"}
    options["productUrlTemplate"] = "https://shop.example.com/{url_path}"
    assert push(http, fake, "product", [product], **options).accepted == ["MUG"]
    assert push(http, fake, "customer", [customer], **options).accepted == [str(customer["id"])]
    assert push(http, fake, "order", [stored_order], **options).accepted == ["S-o1"]
    held_product = fake.records("main", "product")["MUG"]
    assert (held_product["url"], held_product["image_url"]) == (
        "https://shop.example.com/mug.html",
        "https://cdn.example.com/t.jpg",
    )
    assert fake.records("main", "contact")[str(customer["id"])]["marketing_optin"] == "EXPLICITLY_OPTEDIN"
    held_order = fake.records("main", "order")["S-o1"]
    assert (held_order["grand_total"], held_order["currency"], held_order["is_valid"]) == (24.0, "GBP", True)
    assert held_order["lineitems"] == [{"product_id": "MUG", "quantity": 2, "unit_price": 13.8, "subtotal": 27.6}]


def test_a_refused_key_stops_the_connector(http: httpx.Client, fake: FakeOmetria) -> None:
    with pytest.raises(CredentialsRefused):
        push(http, fake, "product", [PRODUCT], key="wrong-key")
    with pytest.raises(CredentialsRefused):
        send_batch(http, [{"@type": "product", "id": "1"}], parse_settings({"endpoint": fake.url}, None), None)


def test_over_the_rate_limit_the_batch_is_retried_after_ometrias_delay(http: httpx.Client) -> None:
    moment = [500.0]
    with running_fake_ometria(KEYS, clock=lambda: moment[0]) as fake:
        for _ in range(4):
            push(http, fake, "product", [PRODUCT])
        with pytest.raises(TransientError) as caught:
            push(http, fake, "product", [PRODUCT])
        assert caught.value.retry_after == 1.0
        assert len(fake.violations) == 1  # the fake saw it: an engine test asserts none happen


def test_a_full_queue_is_transient_too(http: httpx.Client) -> None:
    with running_fake_ometria(KEYS, queue_capacity=1, drain_rate=0.5, clock=lambda: 0.0) as fake:
        push(http, fake, "product", [PRODUCT])
        with pytest.raises(TransientError) as caught:
            push(http, fake, "product", [PRODUCT])
        assert caught.value.retry_after == 2.0


def test_down_and_unreachable_ometria_are_transient(http: httpx.Client, fake: FakeOmetria) -> None:
    fake.go_down("503")
    with pytest.raises(TransientError):
        push(http, fake, "product", [PRODUCT])
    fake.go_down("refused")
    with pytest.raises(TransientError):
        push(http, fake, "product", [PRODUCT])
    fake.come_back()
    assert push(http, fake, "product", [PRODUCT]).accepted == ["42"]


def test_a_malformed_batch_is_permanent(http: httpx.Client, fake: FakeOmetria) -> None:
    settings = parse_settings({"endpoint": fake.url}, None)
    too_many = [{"@type": "product", "id": str(i)} for i in range(101)]
    with pytest.raises(PermanentError) as caught:
        send_batch(http, too_many, settings, "key-main")
    assert "101" in caught.value.message
