"""Ports of the Matomo push: the stored push state of orders and carts, and the tracker that talks to Matomo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from trackbridge.domain.errors import PermanentError

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What deciding whether to push an order needs."""

    order_id: str
    status: str
    placed_at: datetime
    customer_id: int | None
    needs_linking: bool


@dataclass(frozen=True, slots=True)
class OrderToPush:
    """An order as the read API shows it, with what Matomo's request adds: the customer (for ``uid``), the visit it
    is attributed to (``_rcn``, ``_rck``, ``_ref``, ``_refts``) and its products' category names."""

    order: JsonObject
    customer: JsonObject | None = None
    attribution: JsonObject | None = None
    categories: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tracked:
    """Matomo holds the order (or took the cart): the request as a URL with the token redacted, and a note (e.g. the
    order was there already)."""

    tracking_url: str
    note: str | None = None


class TrackingRefused(PermanentError):
    """Matomo refused the request for a reason other than a duplicate order: not tracked, not worth retrying."""

    def __init__(self, message: str, tracking_url: str | None = None) -> None:
        super().__init__(message)
        self.tracking_url = tracking_url


class MatomoTracker(Protocol):
    """Sends e-commerce requests to one Matomo site; raises TransientError, TrackingRefused or CredentialsRefused."""

    def track_order(self, order: OrderToPush) -> Tracked: ...

    def track_cart(self, cart: JsonObject) -> Tracked: ...


class MatomoPushRepository(Protocol):
    def order_facts(self, project_id: int, order_ids: Sequence[str]) -> list[OrderFacts]: ...

    def tracked(self, connector_id: int, project_id: int, order_ids: Sequence[str]) -> set[str]:
        """The ids among ``order_ids`` this connector has tracked."""
        ...

    def untracked_since(
        self, connector_id: int, project_id: int, since: datetime, after_id: str, limit: int
    ) -> list[OrderFacts]:
        """Orders placed at or after ``since`` the connector has not tracked, by id (a backfill's pages)."""
        ...

    def mark_tracked(
        self, connector_id: int, project_id: int, order_id: str, tracking_url: str, note: str | None, now: datetime
    ) -> None: ...

    def mark_failed(
        self, connector_id: int, project_id: int, order_id: str, reason: str, tracking_url: str | None, now: datetime
    ) -> None: ...

    def attribution_session(self, project_id: int, order_id: str) -> JsonObject | None:
        """The visit credited under last-non-direct (else the linked one): referrerType/Name/Keyword/Url, utmCampaign,
        utmTerm, startedAt."""
        ...

    def customer_keys(self, project_id: int, customer_id: int) -> JsonObject | None:
        """``{"id", "externalId", "email"}`` of a customer."""
        ...

    def product_categories(self, project_id: int, product_ids: Sequence[str]) -> dict[str, list[str]]:
        """Category names of products (a category id the catalogue does not know stays as it is)."""
        ...

    def save_cart(self, project_id: int, cart_key: str, cart: JsonObject, now: datetime) -> None: ...

    def cart(self, project_id: int, cart_key: str) -> JsonObject | None: ...
