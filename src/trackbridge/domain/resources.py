"""The shop's resources as trackbridge keeps them, and seed 004's rules for updating them. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from trackbridge.domain.values import format_money

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A customer as a backend sends it. ``None`` means "not sent": the stored value is kept."""

    email: str
    signed_up_at: datetime | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    subscribed: bool | None = None
    registered: bool | None = None
    external_id: str | None = None
    website: str | None = None
    store_view: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    id: str
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ProductOption:
    id: str
    name: str | None = None
    sku: str | None = None
    price: Decimal | None = None
    image_url: str | None = None

    def as_json(self) -> JsonObject:
        return {
            "id": self.id,
            "name": self.name,
            "sku": self.sku,
            "price": None if self.price is None else format_money(self.price),
            "imageUrl": self.image_url,
        }


IMAGE_ROLES = ("image", "small_image", "thumbnail")


@dataclass(frozen=True, slots=True)
class ProductImage:
    """One image of a product's gallery; ``role`` is image, small_image or thumbnail (Magento's roles)."""

    url: str
    role: str = "image"
    position: int = 0

    def as_json(self) -> JsonObject:
        return {"url": self.url, "role": self.role, "position": self.position}


def ordered_images(images: Iterable[ProductImage]) -> list[JsonObject]:
    """The gallery in its order: by position, then as sent."""
    return [image.as_json() for image in sorted(images, key=lambda image: image.position)]


@dataclass(frozen=True, slots=True)
class ProductRecord:
    id: str
    name: str
    price: Decimal | None = None
    sku: str | None = None
    url: str | None = None
    image_url: str | None = None
    categories: tuple[str, ...] | None = None
    options: tuple[ProductOption, ...] = ()
    images: tuple[ProductImage, ...] | None = None  # None: not sent, the stored gallery stays
    url_path: str | None = None


@dataclass(frozen=True, slots=True)
class OrderItem:
    product_id: str
    quantity: int
    price: Decimal | None = None
    sku: str | None = None
    name: str | None = None
    base_price: Decimal | None = None  # the unit price in the shop's base currency


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    amount: Decimal
    refunded_at: datetime
    items: tuple[JsonObject, ...] | None = None


@dataclass(frozen=True, slots=True)
class OrderRecord:
    id: str
    placed_at: datetime
    amount: Decimal
    status: str
    items: tuple[OrderItem, ...]
    email: str | None = None
    phone: str | None = None
    subtotal: Decimal | None = None
    tax: Decimal | None = None
    shipping: Decimal | None = None
    discount: Decimal | None = None
    cost: Decimal | None = None
    currency: str | None = None
    coupons: tuple[str, ...] = ()
    billing: JsonObject | None = None
    ip_address: str | None = None
    visitor_id: str | None = None
    user_agent: str | None = None
    website: str | None = None
    store_view: str | None = None
    refunds: tuple[Refund, ...] = ()
    exchange_rate: Decimal | None = None
    """Units of the project's base currency one unit of ``currency`` was worth for this order."""
    base_currency: str | None = None
    base_amount: Decimal | None = None
    """The total in the shop's base currency (``amount`` is in ``currency``, the customer's local currency)."""


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What happened to one record of a call: stored, or rejected with the reason."""

    index: int
    id: str | None
    stored: bool
    reason: str | None = None
    created: bool | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def merge_options(stored: Sequence[Mapping[str, Any]], sent: Iterable[ProductOption]) -> list[JsonObject]:
    """Product options merge (seed 004): a sent option replaces the stored one with its id; others stay."""
    merged: dict[str, JsonObject] = {str(option["id"]): dict(option) for option in stored}
    for option in sent:
        merged[option.id] = option.as_json()
    return list(merged.values())


def customer_changes(record: CustomerRecord) -> JsonObject:
    """The stored columns a customer call sets: only those sent (seed 004's fields override, absent ones are kept)."""
    values: JsonObject = {
        "first_name": record.first_name,
        "last_name": record.last_name,
        "phone": record.phone,
        "subscribed": record.subscribed,
        "registered": record.registered,
        "external_id": record.external_id,
        "website": record.website,
        "store_view": record.store_view,
        "signed_up_at": record.signed_up_at,
    }
    return {name: value for name, value in values.items() if value is not None}


def merge_tags(stored: Iterable[str], added: Iterable[str] = (), removed: Iterable[str] = ()) -> list[str]:
    """Tags merge on tag, and untag ignores tags the customer does not have."""
    drop = set(removed)
    result = [tag for tag in dict.fromkeys(stored) if tag not in drop]
    for tag in added:
        if tag not in result and tag not in drop:
            result.append(tag)
    return result
