"""Settings of an Ometria connector (seed 002's options). The API key is the connector's credential, stored encrypted
apart from these settings and never returned. docs/connectors/ometria.md explains each option to users."""

from __future__ import annotations

from typing import Any

from trackbridge.adapters.connectors import export_settings as s
from trackbridge.adapters.connectors import setting_values as v
from trackbridge.domain.errors import InvalidInput

DEFAULT_ENDPOINT = "https://api.ometria.com"
MAX_REQUESTS_PER_SECOND = 4.0  # Ometria's limit per account
MAX_BATCH = 100  # records per push
CURRENCY_MODES = ("base", "local", "both")
IMAGE_SIZES = ("image", "thumbnail")
PRODUCT_ID_SOURCES = ("id", "sku")
URL_PLACEHOLDERS = ("{product_id}", "{url_path}")

DEFAULTS: dict[str, Any] = {
    **s.EXPORT_DEFAULTS,
    "endpoint": DEFAULT_ENDPOINT,
    "requestsPerSecond": MAX_REQUESTS_PER_SECOND,
    "useNamespaces": True,
    "customerNamespace": "",
    "productNamespace": "",
    "orderNamespace": "",
    "mergeCustomers": True,
    "mergeProducts": True,
    "mergeOrders": True,
    "customerAttributes": {},
    "productAttributes": {},
    "orderAttributes": {},
    "productIdFrom": "id",
    "productUrlTemplate": None,
    "imageSize": "image",
    "imageNumber": 1,
    "currency": "local",
    "validStatuses": [],
    "newsletterStatus": True,
}


def parse_settings(raw: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """Complete, checked settings from what a user sent (over ``current`` when changing a connector)."""
    merged = s.merged_settings(raw, current, DEFAULTS, "ometria")
    return {
        "kind": "ometria",
        "endpoint": v.http_url(merged["endpoint"], "endpoint").rstrip("/"),
        **s.export_common(merged, max_rate=MAX_REQUESTS_PER_SECOND, max_batch=MAX_BATCH),
        "useNamespaces": v.flag(merged["useNamespaces"], "useNamespaces"),
        "customerNamespace": s.namespace(merged["customerNamespace"], "customerNamespace"),
        "productNamespace": s.namespace(merged["productNamespace"], "productNamespace"),
        "orderNamespace": s.namespace(merged["orderNamespace"], "orderNamespace"),
        "mergeCustomers": v.flag(merged["mergeCustomers"], "mergeCustomers"),
        "mergeProducts": v.flag(merged["mergeProducts"], "mergeProducts"),
        "mergeOrders": v.flag(merged["mergeOrders"], "mergeOrders"),
        "customerAttributes": s.attribute_mapping(merged["customerAttributes"], "customerAttributes"),
        "productAttributes": s.attribute_mapping(merged["productAttributes"], "productAttributes"),
        "orderAttributes": s.attribute_mapping(merged["orderAttributes"], "orderAttributes"),
        "productIdFrom": v.choice(merged["productIdFrom"], "productIdFrom", PRODUCT_ID_SOURCES),
        "productUrlTemplate": _url_template(merged["productUrlTemplate"]),
        "imageSize": v.choice(merged["imageSize"], "imageSize", IMAGE_SIZES),
        "imageNumber": v.bounded_int(merged["imageNumber"], "imageNumber", 1, 1000),
        "currency": v.choice(merged["currency"], "currency", CURRENCY_MODES),
        "validStatuses": [name.lower() for name in v.text_list(merged["validStatuses"], "validStatuses")],
        "newsletterStatus": v.flag(merged["newsletterStatus"], "newsletterStatus"),
    }


def _url_template(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidInput("a URL with {product_id} and/or {url_path}", "productUrlTemplate")
    text = value.strip()
    rest = text
    for placeholder in URL_PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        raise InvalidInput("only {product_id} and {url_path} can be filled in", "productUrlTemplate")
    v.http_url(rest, "productUrlTemplate")
    return text
