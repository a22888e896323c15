"""A tracked event as trackbridge keeps it, whatever sent it (tracker.js, POST /t, a server, Matomo's Tracking API).

Ingestion turns every accepted request into these, appends them to the durable inbox, and answers; the worker turns them
into sessions, identities and actions later. Pure, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

JsonObject = dict[str, Any]


class EventType(StrEnum):
    PAGE_VIEW = "page_view"
    ARTICLE_VIEW = "article_view"
    CATEGORY_VIEW = "category_view"
    PRODUCT_VIEW = "product_view"
    SEARCH = "search"
    ADD_TO_CART = "add_to_cart"
    REMOVE_FROM_CART = "remove_from_cart"
    SET_CART = "set_cart"
    CHECKOUT = "checkout"
    IDENTIFY = "identify"
    CUSTOMER_DETAILS = "customer_details"
    APPLY_TAGS = "apply_tags"
    CUSTOM_EVENT = "custom_event"
    FORM_SUBMIT = "form_submit"
    EMAIL_LINK = "email_link"
    OUTLINK = "outlink"
    DOWNLOAD = "download"
    MATOMO_EVENT = "matomo_event"
    CONTENT = "content"
    GOAL = "goal"
    ECOMMERCE_ORDER = "ecommerce_order"
    PING = "ping"


@dataclass(frozen=True, slots=True)
class Campaign:
    """The six UTM codes (Matomo's pk_/mtm_ names are mapped onto them)."""

    id: str | None = None
    source: str | None = None
    medium: str | None = None
    name: str | None = None
    term: str | None = None
    content: str | None = None

    def is_empty(self) -> bool:
        return not any((self.id, self.source, self.medium, self.name, self.term, self.content))


@dataclass(frozen=True, slots=True)
class LocationOverride:
    """Location sent explicitly by an authenticated caller (Matomo's country / region / city / lat / long)."""

    country_code: str | None = None
    region_code: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class TrackedEvent:
    """One event. ``event_id`` is unique per project for good: a repeat is dropped by the worker, never counted twice.

    ``properties`` holds what the type needs, in camelCase as the tracker sends it, e.g. ``{"productId": "2",
    "quantity": 1}`` for add_to_cart, ``{"query": "a plant"}`` for search, ``{"email": ..., "firstName": ...}`` for
    identify / customer_details / form_submit, ``{"tags": [...]}`` for apply_tags, ``{"name": ...}`` for custom_event,
    ``{"cartId", "total", "size", "currency", "items": [{"productId", "quantity", "price", "sku", "name"}], "url"}`` for
    set_cart, Matomo's ``{"category", "action", "name", "value"}`` for matomo_event, ``{"orderId", "revenue", "items",
    "subtotal", "tax", "shipping", "discount"}`` for ecommerce_order.
    """

    event_id: str
    type: EventType
    visitor_id: str
    occurred_at: datetime
    url: str | None = None
    referrer: str | None = None
    title: str | None = None
    properties: JsonObject = field(default_factory=dict)
    campaign: Campaign = field(default_factory=Campaign)
    ip: str | None = None
    user_agent: str | None = None
    user_id: str | None = None
    new_visit: bool = False
    location: LocationOverride | None = None
    attribution: JsonObject | None = None
    """Matomo's first-party attribution cookie values: ``{"_rcn", "_rck", "_ref", "_refts"}`` when sent."""


@dataclass(frozen=True, slots=True)
class ProcessedEvent:
    """An event the worker has placed: its session, and its stored action (None for a ping: it only extends a visit)."""

    event: TrackedEvent
    session_id: int
    action_id: int | None
