"""trackbridge's customers, products and orders (the read API's JSON) as Ometria push records (formats.md §3).

Built when sent, from the latest state; the options (seed 002) are ``settings`` as ``parse_settings`` gives them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

JsonObject = dict[str, Any]
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_PHONE_NOISE = re.compile(r"[\s().-]")
INVALID_STATUS_TYPES = frozenset({"CANCELLED", "SPAM"})
OPTED_IN, OPTED_OUT = "EXPLICITLY_OPTEDIN", "EXPLICITLY_OPTEDOUT"


def record_key(entity: str, data: JsonObject, settings: JsonObject) -> str:
    """The id Ometria knows the record by: the shop's id (a product's SKU with productIdFrom=sku), namespaced."""
    if entity == "customer":
        return _namespaced(settings, "customerNamespace", str(data["id"]))
    if entity == "product":
        return product_key(str(data["id"]), data.get("sku"), settings)
    if entity == "order":
        return _namespaced(settings, "orderNamespace", str(data["id"]))
    raise ValueError(f"unknown entity {entity!r}")


def product_key(product_id: str, sku: Any, settings: JsonObject) -> str:
    own = str(sku) if settings.get("productIdFrom") == "sku" and sku not in (None, "") else product_id
    return _namespaced(settings, "productNamespace", own)


def build_record(entity: str, data: JsonObject, settings: JsonObject) -> JsonObject | None:
    """The push record for one entity, or None when this account does not take it."""
    if entity not in settings.get("entities", ("customer", "product", "order")):
        return None
    if entity == "customer":
        return contact(data, settings)
    if entity == "product":
        return product(data, settings)
    if entity == "order":
        return order(data, settings)
    raise ValueError(f"unknown entity {entity!r}")


def contact(data: JsonObject, settings: JsonObject) -> JsonObject | None:
    newsletter = bool(settings.get("newsletterStatus", True))
    if data.get("registered") is False and not newsletter:
        return None  # a subscriber who never registered is only sent with newsletter status tracking
    record: JsonObject = {
        "@type": "contact",
        "id": record_key("customer", data, settings),
        "email": data.get("email"),
        "customer_id": data.get("externalId"),
        "firstname": data.get("firstName"),
        "lastname": data.get("lastName"),
        "phone_number": _e164(data.get("phoneNumber")),
        "timestamp_acquired": _iso(data.get("createdAt")),
    }
    if newsletter:
        subscribed = data.get("subscribed")
        record["marketing_optin"] = None if subscribed is None else OPTED_IN if subscribed else OPTED_OUT
    record["properties"] = _properties(data, settings.get("customerAttributes") or {})
    return _finish(record, bool(settings.get("mergeCustomers", True)))


def product(data: JsonObject, settings: JsonObject) -> JsonObject:
    record: JsonObject = {
        "@type": "product",
        "id": record_key("product", data, settings),
        "title": data.get("name"),
        "sku": data.get("sku"),
        "price": _number(data.get("price")),
        "url": product_url(data, settings),
        "image_url": image_url(data, settings),
        "is_active": True,
        "properties": _properties(data, settings.get("productAttributes") or {}),
    }
    return _finish(record, bool(settings.get("mergeProducts", True)))


def product_url(data: JsonObject, settings: JsonObject) -> str | None:
    template = settings.get("productUrlTemplate")
    if not template:
        return data.get("url") or None
    path = str(data.get("urlPath") or "").lstrip("/")
    return str(template).replace("{product_id}", str(data["id"])).replace("{url_path}", path)


def image_url(data: JsonObject, settings: JsonObject) -> str | None:
    """Thumbnail: the image with the thumbnail role. Normal: the gallery's n-th image, the last when there are fewer.
    Without a gallery (or no thumbnail), the product's ``imageUrl``."""
    images = sorted(data.get("images") or [], key=lambda image: image.get("position") or 0)
    if settings.get("imageSize") == "thumbnail":
        thumbs = [image for image in images if image.get("role") == "thumbnail"]
        return thumbs[0]["url"] if thumbs else data.get("imageUrl") or None
    if not images:
        return data.get("imageUrl") or None
    number = int(settings.get("imageNumber") or 1)
    return str(images[min(number, len(images)) - 1]["url"])


def order(data: JsonObject, settings: JsonObject) -> JsonObject:
    billing = data.get("billing") or {}
    coupons = data.get("coupons") or []
    customer = {
        "id": None
        if data.get("customerId") is None
        else _namespaced(settings, "customerNamespace", str(data["customerId"])),
        "email": data.get("email"),
    }
    record: JsonObject = {
        "@type": "order",
        "id": record_key("order", data, settings),
        "timestamp": _iso(data.get("createdAt")),
        "status": data.get("status"),
        "is_valid": is_valid(data, settings),
        "currency": data.get("currency") or data.get("baseCurrency"),
        "grand_total": _number(data.get("amount")),  # always in the order's own (local) currency
        "subtotal": _number(data.get("subtotal")),
        "tax": _number(data.get("tax")),
        "shipping": _number(data.get("shipping")),
        "discount": _number(data.get("discount")),
        "coupon_code": ",".join(coupons) or None,
        "payment_method": billing.get("paymentMethod"),
        "ip_address": data.get("ipAddress"),
        "store": data.get("storeView") or data.get("website"),
        "billing_address": {
            "city": billing.get("city"),
            "postcode": billing.get("postcode"),
            "country_code": billing.get("countryCode"),
        },
        "customer": customer,
        "lineitems": [_line(item, data, settings) for item in data.get("products") or []],
        "properties": _properties(data, settings.get("orderAttributes") or {}),
    }
    return _finish(record, bool(settings.get("mergeOrders", True)))


def is_valid(data: JsonObject, settings: JsonObject) -> bool:
    """Listed valid statuses decide; with none listed, every status but the cancelled and spam types is valid."""
    valid = settings.get("validStatuses") or []
    if valid:
        return str(data.get("status") or "").lower() in valid
    return str(data.get("statusType") or "").upper() not in INVALID_STATUS_TYPES


def _line(item: JsonObject, data: JsonObject, settings: JsonObject) -> JsonObject:
    quantity = int(item.get("quantity") or 1)
    local = _decimal(item.get("price"))
    base = _decimal(item.get("basePrice"))
    rate = _decimal(data.get("exchangeRate"))
    if base is None and local is not None and rate is not None:
        base = (local * rate).quantize(Decimal("0.01"))
    mode = settings.get("currency", "local")
    unit = base if mode == "base" else local
    line: JsonObject = {
        "product_id": product_key(str(item["productId"]), item.get("productSku") or item.get("sku"), settings),
        "sku": item.get("sku"),
        "quantity": quantity,
        "unit_price": _float(unit),
        "subtotal": _float(None if unit is None else unit * quantity),
    }
    if mode == "both":
        line["unit_price_base"] = _float(base)
        line["subtotal_base"] = _float(None if base is None else base * quantity)
    return line


def _properties(data: JsonObject, mapping: dict[str, str]) -> JsonObject:
    return {target: _lookup(data, source) for source, target in mapping.items()}


def _lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _finish(record: JsonObject, merge: bool) -> JsonObject:
    """In merge mode blank values (None, "", [], {}) are left out, so they never overwrite what Ometria holds."""
    if not merge:
        return record
    return {name: _pruned(value) for name, value in record.items() if not _blank(_pruned(value))}


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _pruned(inner) for name, inner in value.items() if not _blank(_pruned(inner))}
    if isinstance(value, list):
        return [_pruned(inner) for inner in value]
    return value


def _blank(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _namespaced(settings: JsonObject, name: str, own_id: str) -> str:
    prefix = str(settings.get(name) or "") if settings.get("useNamespaces", True) else ""
    return prefix + own_id


def _iso(epoch_ms: Any) -> str | None:
    if epoch_ms is None:
        return None
    return datetime.fromtimestamp(int(epoch_ms) / 1000, UTC).isoformat(timespec="seconds")


def _e164(phone: Any) -> str | None:
    if not isinstance(phone, str):
        return None
    text = _PHONE_NOISE.sub("", phone)
    if text.startswith("00"):
        text = "+" + text[2:]
    return text if E164.match(text) else None


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _number(value: Any) -> float | None:
    return _float(_decimal(value))


def _float(value: Decimal | None) -> float | None:
    """Money leaves as a JSON number (Ometria's type), from the exact decimal at the last moment."""
    return None if value is None else float(value)
