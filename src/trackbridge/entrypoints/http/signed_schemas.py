"""Request bodies of the signed resource API (seed 004, formats.md §1): validated here, then turned into domain records.

Numeric fields take numbers or numeric strings, as the seed sends them; money stays a Decimal throughout.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from trackbridge.domain import values
from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.resources import (
    CategoryRecord,
    CustomerRecord,
    OrderItem,
    OrderRecord,
    ProductImage,
    ProductOption,
    ProductRecord,
    Refund,
)


def _to_value_error(parse: Any) -> Any:
    def run(value: Any) -> Any:
        try:
            return parse(value, "")
        except InvalidInput as error:
            raise ValueError(error.detail) from None

    return run


# Fast paths for the values a batch holds thousands of. Each takes only input the general parser in domain/values.py
# would accept unchanged and gives the same result; anything else goes to that parser (and its error messages).
_PLAIN_MONEY = re.compile(r"-?[0-9]{1,14}(?:\.[0-9]{1,4})?")
_slow_money = _to_value_error(values.parse_money)
_slow_quantity = _to_value_error(lambda v, f: values.parse_int(v, f, minimum=1))
_slow_currency = _to_value_error(values.check_currency)


def _money(value: Any) -> Any:
    if type(value) is str and _PLAIN_MONEY.fullmatch(value) is not None:  # at most 14 digits: below MAX_MONEY
        return Decimal(value)
    return _slow_money(value)


def _quantity(value: Any) -> Any:
    if type(value) is int and value >= 1:
        return value
    return _slow_quantity(value)


def _currency(value: Any) -> Any:
    if type(value) is str and len(value) == 3 and value.isascii() and value.isalpha():
        return value.upper()
    return _slow_currency(value)


def _id(value: Any) -> Any:
    return str(value) if type(value) is int else value


Money = Annotated[Decimal, BeforeValidator(_money), Field(examples=["10.42"])]
Email = Annotated[str, BeforeValidator(_to_value_error(values.normalize_email)), Field(examples=["jo@example.com"])]
Quantity = Annotated[int, BeforeValidator(_quantity)]
Currency = Annotated[str, BeforeValidator(_currency)]
VisitorId = Annotated[str, BeforeValidator(_to_value_error(values.check_visitor_id))]
# The length check comes first so that pydantic-core runs it natively on the string _id gives.
Id = Annotated[str, Field(min_length=1, max_length=200), BeforeValidator(_id)]
Text = Annotated[str, Field(max_length=2000)]
Timestamp = Annotated[
    Any,
    Field(
        description="Epoch milliseconds (number or numeric string) or ISO 8601; naive date-times are read in the "
        "project's time zone.",
        examples=[1518004715732],
    ),
]


def parse_when(value: Any, info: ValidationInfo) -> datetime | None:
    if value is None:
        return None
    zone: tzinfo = (info.context or {}).get("tz", UTC)
    try:
        return values.parse_timestamp(value, "", zone)
    except InvalidInput as error:
        raise ValueError(error.detail) from None


class StrictParams(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)


class CustomerParams(StrictParams):
    email: Email
    createdAt: Timestamp = None
    firstName: Text | None = None
    lastName: Text | None = None
    phoneNumber: Annotated[str, Field(max_length=64)] | None = None
    subscribed: bool | None = None
    registered: bool | None = None
    externalId: Id | None = Field(default=None, description="The customer's id in the CRM (Metrica's uniq_id).")
    website: Annotated[str, Field(max_length=100)] | None = None
    storeView: Annotated[str, Field(max_length=100)] | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list)

    @field_validator("createdAt")
    @classmethod
    def _created(cls, value: Any, info: ValidationInfo) -> datetime | None:
        return parse_when(value, info)

    def record(self) -> CustomerRecord:
        return CustomerRecord(
            email=self.email,
            signed_up_at=self.createdAt,
            first_name=self.firstName,
            last_name=self.lastName,
            phone=self.phoneNumber,
            subscribed=self.subscribed,
            registered=self.registered,
            external_id=self.externalId,
            website=self.website,
            store_view=self.storeView,
            tags=tuple(dict.fromkeys(self.tags)),
        )


class TagParams(StrictParams):
    email: Email
    tags: list[Annotated[str, Field(min_length=1, max_length=200)]]


class CategoryParams(StrictParams):
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=500)]
    url: Text | None = None

    def record(self) -> CategoryRecord:
        return CategoryRecord(id=self.id, name=self.name, url=self.url)


class ProductOptionParams(StrictParams):
    id: Id
    sku: Annotated[str, Field(max_length=200)] | None = None
    name: Annotated[str, Field(max_length=500)] | None = None
    price: Money | None = None
    imageUrl: Text | None = None


class ProductImageParams(StrictParams):
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    role: Literal["image", "small_image", "thumbnail"] = "image"
    position: Annotated[int, Field(ge=0, le=100_000)] | None = Field(
        default=None, description="The image's place in the gallery; absent: its place in the list."
    )


class ProductParams(StrictParams):
    id: Id
    name: Annotated[str, Field(min_length=1, max_length=500)]
    categories: list[Id] | None = None
    sku: Annotated[str, Field(max_length=200)] | None = None
    imageUrl: Text | None = None
    price: Money | None = Field(default=None, description="Required when the product has no options.")
    url: Text | None = None
    urlPath: Text | None = Field(default=None, description="The shop's URL path of the product (Magento url_path).")
    images: list[ProductImageParams] | None = Field(
        default=None, max_length=100, description="The ordered gallery; absent: the stored gallery stays."
    )
    options: list[ProductOptionParams] = Field(default_factory=list)

    def record(self) -> ProductRecord:
        if self.price is None and not self.options:
            raise InvalidInput("is required when the product has no options", "price")
        return ProductRecord(
            id=self.id,
            name=self.name,
            price=self.price,
            sku=self.sku,
            url=self.url,
            image_url=self.imageUrl,
            categories=tuple(self.categories) if self.categories is not None else None,
            options=tuple(
                ProductOption(id=o.id, name=o.name, sku=o.sku, price=o.price, image_url=o.imageUrl)
                for o in self.options
            ),
            images=None
            if self.images is None
            else tuple(
                ProductImage(url=i.url, role=i.role, position=index if i.position is None else i.position)
                for index, i in enumerate(self.images)
            ),
            url_path=self.urlPath,
        )


class OrderProductParams(StrictParams):
    productId: Id
    quantity: Quantity
    price: Money | None = None
    sku: Annotated[str, Field(max_length=200)] | None = None
    name: Annotated[str, Field(max_length=500)] | None = None
    basePrice: Money | None = Field(default=None, description="The unit price in the shop's base currency.")


class BillingParams(StrictParams):
    model_config = ConfigDict(extra="allow")
    address: Text | None = None
    city: Text | None = None
    countryCode: Annotated[str, Field(max_length=8)] | None = None
    phone: Annotated[str, Field(max_length=64)] | None = None
    postcode: Annotated[str, Field(max_length=32)] | None = None
    paymentMethod: Annotated[str, Field(max_length=200)] | None = None


class RefundParams(StrictParams):
    id: Id
    amount: Money
    createdAt: Timestamp
    items: list[dict[str, Any]] | None = None

    @field_validator("createdAt")
    @classmethod
    def _created(cls, value: Any, info: ValidationInfo) -> datetime | None:
        if value is None:
            raise ValueError("is required")
        return parse_when(value, info)


class OrderParams(StrictParams):
    id: Id
    createdAt: Timestamp
    amount: Money
    status: Annotated[str, Field(min_length=1, max_length=100)]
    products: list[OrderProductParams]
    email: Email | None = None
    phone: Annotated[str, Field(max_length=64)] | None = None
    subtotal: Money | None = None
    tax: Money | None = None
    shipping: Money | None = None
    discount: Money | None = None
    cost: Money | None = Field(default=None, description="What the order cost the shop; profit = amount - cost.")
    currency: Currency | None = None
    exchangeRate: Money | None = Field(
        default=None, gt=0, description="Units of the project's base currency one unit of `currency` was worth."
    )
    coupons: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list)
    billing: BillingParams | None = None
    ipAddress: Annotated[str, Field(max_length=64)] | None = None
    visitorId: VisitorId | None = Field(default=None, description="The visitor's 16 hex character id (Matomo's form).")
    userAgent: Text | None = None
    website: Annotated[str, Field(max_length=100)] | None = None
    storeView: Annotated[str, Field(max_length=100)] | None = None
    baseCurrency: Currency | None = Field(default=None, description="The shop's base currency (ISO 4217).")
    baseAmount: Money | None = Field(default=None, description="The order total in `baseCurrency`.")
    refunds: list[RefundParams] = Field(default_factory=list)

    @field_validator("createdAt")
    @classmethod
    def _created(cls, value: Any, info: ValidationInfo) -> datetime | None:
        if value is None:
            raise ValueError("is required")
        return parse_when(value, info)

    def record(self) -> OrderRecord:
        assert self.createdAt is not None
        return OrderRecord(
            id=self.id,
            placed_at=self.createdAt,
            amount=self.amount,
            status=self.status,
            items=tuple(
                [
                    OrderItem(
                        product_id=p.productId,
                        quantity=p.quantity,
                        price=p.price,
                        sku=p.sku,
                        name=p.name,
                        base_price=p.basePrice,
                    )
                    for p in self.products
                ]
            ),
            email=self.email,
            phone=self.phone,
            subtotal=self.subtotal,
            tax=self.tax,
            shipping=self.shipping,
            discount=self.discount,
            cost=self.cost,
            currency=self.currency,
            coupons=tuple(self.coupons),
            billing=self.billing.model_dump(exclude_none=True) if self.billing else None,
            ip_address=self.ipAddress,
            visitor_id=self.visitorId,
            user_agent=self.userAgent,
            website=self.website,
            store_view=self.storeView,
            refunds=tuple(
                Refund(
                    id=r.id,
                    amount=r.amount,
                    refunded_at=r.createdAt,
                    items=tuple(r.items) if r.items else None,
                )
                for r in self.refunds
                if r.createdAt is not None
            ),
            exchange_rate=self.exchangeRate,
            base_currency=self.baseCurrency,
            base_amount=self.baseAmount,
        )


class Envelope(StrictParams):
    """Every signed call: ``{time, token, params}`` for one record, ``{time, token, batch: [...]}`` for many."""

    time: Annotated[int, Field(description="Epoch milliseconds when the call was made.", examples=[1518004715732])]
    token: Annotated[str, Field(min_length=1, max_length=200, examples=["sh0p-t0k3n"])]
    params: dict[str, Any] | None = None
    batch: list[Any] | None = None
    platform: str | None = None
    pluginVersion: str | None = None
