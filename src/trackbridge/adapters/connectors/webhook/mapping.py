"""trackbridge's customers, products and orders as generic webhook records: the read API's JSON, as it is.

A record is ``{"type": "customer"|"product"|"order", "id": "...", "data": {...}}`` where ``data`` is exactly what
GET /api/v1/customers/{id}, /orders/{id} or /products/{id} answers (camelCase, money as decimal strings, times in
epoch milliseconds). docs/connectors/webhook.md shows a full batch.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]


def record_key(entity: str, data: JsonObject, settings: JsonObject) -> str:
    """The record's id: the shop's product / order id, trackbridge's customer id."""
    return str(data["id"])


def build_record(entity: str, data: JsonObject, settings: JsonObject) -> JsonObject | None:
    """The webhook record, or None when the webhook does not take this entity (setting ``entities``)."""
    if entity not in settings.get("entities", ("customer", "product", "order")):
        return None
    return {"type": entity, "id": record_key(entity, data, settings), "data": data}
