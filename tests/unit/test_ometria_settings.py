"""Seed 002's Ometria options and the webhook's: defaults filled, every value checked, errors naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from trackbridge.adapters.connectors.ometria.settings import parse_settings as ometria
from trackbridge.adapters.connectors.webhook.settings import parse_settings as webhook
from trackbridge.domain.errors import InvalidInput


def test_ometria_defaults_follow_seed_002() -> None:
    settings = ometria({}, None)
    assert settings["endpoint"] == "https://api.ometria.com"
    assert (settings["schedule"], settings["maxRecordsPerRun"], settings["requestsPerSecond"]) == (
        "* * * * *",
        1000,
        4.0,
    )
    assert (settings["scope"], settings["scopeCode"], settings["receiveAllScopes"]) == ("global", None, False)
    assert settings["useNamespaces"] is True
    assert (settings["customerNamespace"], settings["productNamespace"], settings["orderNamespace"]) == ("", "", "")
    assert settings["mergeCustomers"] and settings["mergeProducts"] and settings["mergeOrders"]
    assert (settings["productIdFrom"], settings["imageSize"], settings["imageNumber"]) == ("id", "image", 1)
    assert (settings["currency"], settings["validStatuses"], settings["newsletterStatus"]) == ("local", [], True)
    assert settings["entities"] == ["customer", "product", "order"]
    assert (settings["kind"], settings["batchSize"], settings["productUrlTemplate"]) == ("ometria", 100, None)
    assert (settings["liveUpdates"], settings["timeoutSeconds"]) == (True, 30)


def test_cli_strings_become_typed_values() -> None:
    settings = ometria(
        {
            "orderNamespace": "EU-",
            "mergeOrders": "no",
            "imageNumber": "3",
            "validStatuses": "Complete, processing",
            "customerAttributes": "tags,externalId:crm_id",
            "requestsPerSecond": "2.5",
            "entities": "order,customer",
        },
        None,
    )
    assert (settings["orderNamespace"], settings["mergeOrders"], settings["imageNumber"]) == ("EU-", False, 3)
    assert settings["validStatuses"] == ["complete", "processing"]
    assert settings["customerAttributes"] == {"tags": "tags", "externalId": "crm_id"}
    assert (settings["requestsPerSecond"], settings["entities"]) == (2.5, ["customer", "order"])


def test_attribute_mappings_take_seed_002s_rows_and_json() -> None:
    rows = [
        {"attribute": "tags", "sameCode": True},
        {"attribute": "billing.city", "sameCode": False, "ometriaAttribute": "city"},
    ]
    assert ometria({"orderAttributes": rows}, None)["orderAttributes"] == {"tags": "tags", "billing.city": "city"}
    as_json = ometria({"productAttributes": '{"categories": "", "sku": "code"}'}, None)
    assert as_json["productAttributes"] == {"categories": "categories", "sku": "code"}


def test_changing_keeps_current_values_and_the_kind_passes_through() -> None:
    current = ometria({"orderNamespace": "EU-", "currency": "both"}, None)
    changed = ometria({**current, "currency": "base"}, current)
    assert (changed["orderNamespace"], changed["currency"]) == ("EU-", "base")


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"customerNamespace": "eu shop"}, "customerNamespace"),
        ({"productNamespace": "ü"}, "productNamespace"),
        ({"orderNamespace": "eu/"}, "orderNamespace"),
        ({"endpoint": "ftp://ometria"}, "endpoint"),
        ({"requestsPerSecond": 5}, "requestsPerSecond"),
        ({"maxRecordsPerRun": 0}, "maxRecordsPerRun"),
        ({"batchSize": 101}, "batchSize"),
        ({"liveUpdates": "later"}, "liveUpdates"),
        ({"timeoutSeconds": 0}, "timeoutSeconds"),
        ({"schedule": "every minute"}, "schedule"),
        ({"productIdFrom": "name"}, "productIdFrom"),
        ({"imageSize": "large"}, "imageSize"),
        ({"imageNumber": 0}, "imageNumber"),
        ({"currency": "usd"}, "currency"),
        ({"productUrlTemplate": "https://shop/{sku}"}, "productUrlTemplate"),
        ({"productUrlTemplate": "shop/{product_id}"}, "productUrlTemplate"),
        ({"customerAttributes": {"tags": "bad name!"}}, "customerAttributes"),
        ({"orderAttributes": [{"attribute": "coupons", "sameCode": False}]}, "orderAttributes"),
        ({"newsletterStatus": "sometimes"}, "newsletterStatus"),
        ({"entities": "carts"}, "entities"),
        ({"apiKey": "secret"}, "settings"),
        ({"scope": "website"}, "scopeCode"),
    ],
)
def test_wrong_ometria_settings_name_the_field(given: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ometria(given, None)
    assert caught.value.field == field


def test_a_url_template_may_use_both_placeholders() -> None:
    template = "https://shop.example.com/{product_id}/{url_path}"
    assert ometria({"productUrlTemplate": template}, None)["productUrlTemplate"] == template


def test_webhook_needs_a_url_and_has_its_own_limits() -> None:
    with pytest.raises(InvalidInput) as caught:
        webhook({}, None)
    assert caught.value.field == "url"
    settings = webhook({"url": "https://hooks.example.com/tb", "batchSize": "50", "entities": ["order"]}, None)
    assert (settings["kind"], settings["batchSize"], settings["entities"]) == ("webhook", 50, ["order"])
    assert settings["liveUpdates"] is True
    assert (settings["requestsPerSecond"], settings["schedule"], settings["timeoutSeconds"]) == (10.0, "* * * * *", 30)
    with pytest.raises(InvalidInput) as wrong:
        webhook({"url": "https://hooks.example.com/tb", "customerNamespace": "x"}, None)
    assert wrong.value.field == "settings"
