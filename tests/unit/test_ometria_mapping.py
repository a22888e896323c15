"""Every Ometria option of seed 002 applied to the read API's JSON: what each record carries."""

from __future__ import annotations

from typing import Any

import pytest

from trackbridge.adapters.connectors.ometria.mapping import build_record, record_key
from trackbridge.adapters.connectors.ometria.settings import parse_settings
from trackbridge.adapters.connectors.webhook import mapping as webhook

CUSTOMER: dict[str, Any] = {
    "id": 7,
    "email": "ann@example.com",
    "externalId": "c-1001",
    "firstName": "Ann",
    "lastName": None,
    "phoneNumber": "+44 (20) 7946-0018",
    "subscribed": True,
    "registered": True,
    "website": "europe",
    "storeView": "fr",
    "tags": ["vip"],
    "createdAt": 1_700_000_000_000,
}
PRODUCT: dict[str, Any] = {
    "id": "42",
    "name": "Blue mug",
    "sku": "MUG-BLUE",
    "price": "9.50",
    "url": "https://shop.example.com/blue-mug.html",
    "urlPath": "mugs/blue-mug.html",
    "imageUrl": "https://cdn.example.com/main.jpg",
    "images": [
        {"url": "https://cdn.example.com/1.jpg", "role": "image", "position": 0},
        {"url": "https://cdn.example.com/thumb.jpg", "role": "thumbnail", "position": 1},
        {"url": "https://cdn.example.com/3.jpg", "role": "small_image", "position": 2},
    ],
    "categories": ["mugs"],
}
ORDER: dict[str, Any] = {
    "id": "100001",
    "createdAt": 1_700_000_000_000,
    "amount": "24.00",
    "currency": "GBP",
    "baseCurrency": "EUR",
    "baseAmount": "27.60",
    "exchangeRate": "1.15",
    "status": "complete",
    "statusType": "PAID",
    "customerId": 7,
    "email": "ann@example.com",
    "subtotal": "20.00",
    "tax": "4.00",
    "shipping": None,
    "discount": None,
    "coupons": ["WELCOME"],
    "billing": {"city": "London", "countryCode": "GB", "paymentMethod": "card"},
    "website": "uk",
    "storeView": "uk_en",
    "products": [
        {"productId": "42", "quantity": 2, "price": "10.00", "sku": "MUG-BLUE", "name": "Mug", "basePrice": "11.50"},
        {"productId": "43", "quantity": 1, "price": "4.00", "sku": None, "name": "Spoon", "basePrice": None},
    ],
}


def opts(**given: Any) -> dict[str, Any]:
    return parse_settings(given, None)


def test_a_contact_carries_the_customer_with_its_newsletter_status() -> None:
    record = build_record("customer", CUSTOMER, opts())
    assert record == {
        "@type": "contact",
        "id": "7",
        "email": "ann@example.com",
        "customer_id": "c-1001",
        "firstname": "Ann",
        "phone_number": "+442079460018",
        "timestamp_acquired": "2023-11-14T22:13:20+00:00",
        "marketing_optin": "EXPLICITLY_OPTEDIN",
    }


def test_an_unsubscribed_customer_is_opted_out() -> None:
    record = build_record("customer", {**CUSTOMER, "subscribed": False}, opts())
    assert record is not None and record["marketing_optin"] == "EXPLICITLY_OPTEDOUT"


def test_without_newsletter_tracking_no_optin_is_sent_and_mere_subscribers_are_left_out() -> None:
    record = build_record("customer", CUSTOMER, opts(newsletterStatus=False))
    assert record is not None and "marketing_optin" not in record
    subscriber = {**CUSTOMER, "registered": False, "externalId": None}
    assert build_record("customer", subscriber, opts(newsletterStatus=False)) is None
    sent = build_record("customer", subscriber, opts())
    assert sent is not None and sent["marketing_optin"] == "EXPLICITLY_OPTEDIN"


def test_a_phone_that_is_not_e164_is_left_out() -> None:
    record = build_record("customer", {**CUSTOMER, "phoneNumber": "020 7946 0018"}, opts())
    assert record is not None and "phone_number" not in record


def test_namespaces_prefix_every_id_and_reference_unless_switched_off() -> None:
    spaced = opts(customerNamespace="eu_", productNamespace="EU-P-", orderNamespace="EU-")
    assert record_key("customer", CUSTOMER, spaced) == "eu_7"
    assert record_key("product", PRODUCT, spaced) == "EU-P-42"
    order = build_record("order", ORDER, spaced)
    assert order is not None
    assert (order["id"], order["customer"]["id"]) == ("EU-100001", "eu_7")
    assert [line["product_id"] for line in order["lineitems"]] == ["EU-P-42", "EU-P-43"]
    plain = opts(customerNamespace="eu_", orderNamespace="EU-", useNamespaces=False)
    assert record_key("order", ORDER, plain) == "100001"


def test_product_ids_can_come_from_the_sku_in_products_and_order_lines() -> None:
    by_sku = opts(productIdFrom="sku")
    assert record_key("product", PRODUCT, by_sku) == "MUG-BLUE"
    order = build_record("order", ORDER, by_sku)
    assert order is not None
    assert [line["product_id"] for line in order["lineitems"]] == ["MUG-BLUE", "43"], "no SKU: the id"


def test_merge_mode_leaves_blank_fields_out_and_without_it_they_are_sent_empty() -> None:
    merged = build_record("order", ORDER, opts())
    assert merged is not None and "shipping" not in merged and "discount" not in merged
    assert "postcode" not in merged["billing_address"]
    whole = build_record("order", ORDER, opts(mergeOrders=False))
    assert whole is not None and whole["shipping"] is None and whole["billing_address"]["postcode"] is None
    contact = build_record("customer", CUSTOMER, opts(mergeCustomers=False))
    assert contact is not None and contact["lastname"] is None


def test_mapped_attributes_are_sent_as_properties_under_their_code() -> None:
    settings = opts(
        customerAttributes={"tags": "", "storeView": "store_code"},
        orderAttributes="billing.city:city,coupons",
        productAttributes={"categories": "category_ids"},
    )
    contact = build_record("customer", CUSTOMER, settings)
    order = build_record("order", ORDER, settings)
    product = build_record("product", PRODUCT, settings)
    assert contact is not None and contact["properties"] == {"tags": ["vip"], "store_code": "fr"}
    assert order is not None and order["properties"] == {"city": "London", "coupons": ["WELCOME"]}
    assert product is not None and product["properties"] == {"category_ids": ["mugs"]}


def test_a_product_carries_title_price_url_and_image() -> None:
    assert build_record("product", PRODUCT, opts()) == {
        "@type": "product",
        "id": "42",
        "title": "Blue mug",
        "sku": "MUG-BLUE",
        "price": 9.5,
        "url": "https://shop.example.com/blue-mug.html",
        "image_url": "https://cdn.example.com/1.jpg",
        "is_active": True,
    }


def test_the_url_template_fills_in_product_id_and_url_path() -> None:
    settings = opts(productUrlTemplate="https://m.example.com/{product_id}/{url_path}", productNamespace="X-")
    record = build_record("product", PRODUCT, settings)
    assert record is not None and record["url"] == "https://m.example.com/42/mugs/blue-mug.html"


@pytest.mark.parametrize(
    ("size", "number", "expected"),
    [
        ("image", 1, "https://cdn.example.com/1.jpg"),
        ("image", 3, "https://cdn.example.com/3.jpg"),
        ("image", 9, "https://cdn.example.com/3.jpg"),  # no 9th image: the last one
        ("thumbnail", 1, "https://cdn.example.com/thumb.jpg"),
    ],
)
def test_image_choice_takes_the_numbered_image_or_the_thumbnail(size: str, number: int, expected: str) -> None:
    record = build_record("product", PRODUCT, opts(imageSize=size, imageNumber=number))
    assert record is not None and record["image_url"] == expected


def test_without_a_gallery_the_image_url_is_sent() -> None:
    bare = {**PRODUCT, "images": []}
    for size in ("image", "thumbnail"):
        record = build_record("product", bare, opts(imageSize=size))
        assert record is not None and record["image_url"] == "https://cdn.example.com/main.jpg"


def test_the_order_total_is_always_local_and_items_follow_the_currency_option() -> None:
    local = build_record("order", ORDER, opts(currency="local"))
    base = build_record("order", ORDER, opts(currency="base"))
    both = build_record("order", ORDER, opts(currency="both"))
    assert local is not None and base is not None and both is not None
    for record in (local, base, both):
        assert (record["currency"], record["grand_total"]) == ("GBP", 24.0)
    assert [(line["unit_price"], line["subtotal"]) for line in local["lineitems"]] == [(10.0, 20.0), (4.0, 4.0)]
    # the second line has no basePrice: the order's exchange rate gives it
    assert [(line["unit_price"], line["subtotal"]) for line in base["lineitems"]] == [(11.5, 23.0), (4.6, 4.6)]
    assert [(line["unit_price"], line["unit_price_base"]) for line in both["lineitems"]] == [(10.0, 11.5), (4.0, 4.6)]


def test_valid_statuses_decide_is_valid() -> None:
    listed = opts(validStatuses=["complete", "processing"])
    assert build_record("order", ORDER, listed)["is_valid"] is True  # type: ignore[index]
    assert build_record("order", {**ORDER, "status": "Canceled"}, listed)["is_valid"] is False  # type: ignore[index]
    unlisted = opts()
    cancelled = {**ORDER, "status": "canceled", "statusType": "CANCELLED"}
    assert build_record("order", cancelled, unlisted)["is_valid"] is False  # type: ignore[index]
    assert build_record("order", {**ORDER, "statusType": None}, unlisted)["is_valid"] is True  # type: ignore[index]


def test_an_order_carries_its_customer_store_coupon_and_payment() -> None:
    record = build_record("order", ORDER, opts())
    assert record is not None
    assert record["timestamp"] == "2023-11-14T22:13:20+00:00"
    assert record["customer"] == {"id": "7", "email": "ann@example.com"}
    assert (record["store"], record["coupon_code"], record["payment_method"]) == ("uk_en", "WELCOME", "card")
    assert record["billing_address"] == {"city": "London", "country_code": "GB"}


def test_entities_not_chosen_are_not_built() -> None:
    only_orders = opts(entities=["order"])
    assert build_record("customer", CUSTOMER, only_orders) is None
    assert build_record("product", PRODUCT, only_orders) is None
    assert build_record("order", ORDER, only_orders) is not None


def test_webhook_records_carry_the_read_api_json_as_it_is() -> None:
    settings = {"entities": ["order", "customer"]}
    assert webhook.build_record("order", ORDER, settings) == {"type": "order", "id": "100001", "data": ORDER}
    assert webhook.build_record("customer", CUSTOMER, settings) == {"type": "customer", "id": "7", "data": CUSTOMER}
    assert webhook.build_record("product", PRODUCT, settings) is None


def test_order_lines_refer_to_the_catalogue_sku_before_the_lines_own() -> None:
    line = {"productId": "42", "quantity": 1, "price": "1.00", "sku": "MUG-BLUE-XL", "productSku": "MUG-BLUE"}
    record = build_record("order", {**ORDER, "products": [line]}, opts(productIdFrom="sku"))
    assert record is not None and record["lineitems"][0]["product_id"] == "MUG-BLUE"
