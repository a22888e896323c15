"""The demo shop's data, generated: catalogue, customers, weeks of visits and the orders placed in them. Pure.

Everything comes from one ``random.Random(seed)`` and the end moment, so a seed always gives the same shop (shifted
to end at ``end``). The events are what tracker.js would send (page views, products, carts, checkouts, searches,
identify and form submissions), the records what a shop backend would send to the signed API; services/demo.py feeds
them through the real ingestion paths.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

from trackbridge.domain import demo_catalogue as cat
from trackbridge.domain.demo_visits import Source, VisitBuilder, Visitor
from trackbridge.domain.events import Campaign, TrackedEvent
from trackbridge.domain.resources import CategoryRecord, CustomerRecord, OrderItem, OrderRecord, ProductRecord, Refund

SESSIONS_PER_DAY = 55
CUSTOMERS = 300
ORDERS = 400
LEAD_SHARE = 0.015
"""Share of anonymous visits that end in a newsletter sign-up (a customer known only from the form)."""
STATUS_MAPPING = {"ready_for_pickup": "PAID", "awaiting_stock": "IN_PROGRESS"}
"""The demo's own status names, mapped in the project's settings (the others are trackbridge's defaults)."""
LEAD_SOURCES = [
    ("utm_source", "google", "Google Ads"),
    ("utm_source", "bing", "Bing Ads"),
    ("utm_source", "newsletter", "E-mail newsletter"),
    ("utm_source", "plantblog", "Affiliates"),
    ("utm_campaign", "summer-garden", "Summer garden campaign"),
]
CHANNELS = [("utm_medium", "paid_social", "Paid social"), ("utm_medium", "affiliate", "Affiliates")]


@dataclass
class DemoData:
    categories: list[CategoryRecord]
    products: list[ProductRecord]
    customers: list[CustomerRecord]
    events: list[TrackedEvent]
    orders: list[OrderRecord]
    status_mapping: dict[str, str] = field(default_factory=lambda: dict(STATUS_MAPPING))
    lead_sources: list[tuple[str, str, str]] = field(default_factory=lambda: list(LEAD_SOURCES))
    channels: list[tuple[str, str, str]] = field(default_factory=lambda: list(CHANNELS))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def catalogue() -> tuple[list[CategoryRecord], list[ProductRecord]]:
    categories = [CategoryRecord(id=key, name=name, url=f"{cat.SHOP}/c/{key}") for key, name in cat.CATEGORIES]
    products = [
        ProductRecord(
            id=str(100 + index),
            name=name,
            price=Decimal(price),
            sku=f"SKU-{100 + index}",
            url=f"{cat.SHOP}/p/{_slug(name)}",
            image_url=f"{cat.SHOP}/img/{_slug(name)}.jpg",
            categories=(category,),
        )
        for index, (category, name, price) in enumerate(cat.PRODUCTS)
    ]
    return categories, products


def _weighted(rng: random.Random, items: Sequence[tuple[Any, ...]]) -> int:
    """The index of an item drawn by the weight in its first place."""
    return rng.choices(range(len(items)), weights=[int(item[0]) for item in items])[0]


def _source(rng: random.Random) -> Source:
    kind = rng.choices(("campaign", "search", "social", "direct", "referral"), weights=(34, 26, 10, 20, 10))[0]
    if kind == "campaign":
        _w, utm_id, source, medium, name, terms, contents = cat.CAMPAIGNS[_weighted(rng, cat.CAMPAIGNS)]
        campaign = Campaign(
            id=utm_id,
            source=source,
            medium=medium,
            name=name,
            term=rng.choice(terms) or None,
            content=rng.choice(contents),
        )
        referrer = "https://www.google.com/" if medium == "cpc" and source == "google" else None
        return Source(campaign=campaign, referrer=referrer)
    if kind == "search":
        query = quote_plus(rng.choice(cat.SEARCH_TERMS))
        return Source(referrer=rng.choice(cat.SEARCH_ENGINES).format(q=query))
    if kind == "social":
        return Source(referrer=rng.choice(cat.SOCIAL_REFERRERS))
    if kind == "referral":
        return Source(referrer=rng.choice(cat.REFERRAL_SITES))
    return Source()


def _visitor(rng: random.Random) -> Visitor:
    _w, _country, prefixes = cat.PLACES[_weighted(rng, cat.PLACES)]
    prefix = rng.choice(prefixes)
    tail = ".".join(str(rng.randint(1, 254)) for _ in range(4 - prefix.count(".")))
    user_agent = cat.USER_AGENTS[_weighted(rng, cat.USER_AGENTS)][1]
    return Visitor(id=f"{rng.getrandbits(64):016x}", ip=prefix + tail, user_agent=user_agent)


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment between start and (a few minutes before) end, today included, more likely in the day and evening
    (shop time is UTC here)."""
    latest = end - timedelta(minutes=10)
    for _ in range(50):
        day = rng.randrange(max(1, (end - start).days + 1))
        hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
        moment = (start + timedelta(days=day)).replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
        if start <= moment <= latest:
            return moment
    return max(start, latest)


_HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 8, 8, 8, 8, 9, 10, 11, 10, 8, 5, 2]


@dataclass
class _Customer:
    record: CustomerRecord
    visitors: list[Visitor]
    first_seen: datetime


def _customers(rng: random.Random, count: int, start: datetime, end: datetime) -> list[_Customer]:
    result: list[_Customer] = []
    for index in range(count):
        first, last = rng.choice(cat.FIRST_NAMES), rng.choice(cat.LAST_NAMES)
        local = f"{_slug(first)}.{_slug(last)}{index}".replace("-", "")
        tags = tuple(rng.sample(cat.CUSTOMER_TAGS, k=rng.choices((0, 1, 2), weights=(5, 4, 1))[0]))
        first_seen = _moment(rng, start, end - timedelta(days=1))
        record = CustomerRecord(
            email=f"{local}@{rng.choice(cat.MAIL_DOMAINS)}",
            first_name=first,
            last_name=last,
            phone=f"+1 555 {rng.randrange(1000, 9999)}" if rng.random() < 0.5 else None,
            subscribed=rng.random() < 0.6,
            registered=rng.random() < 0.7,
            external_id=f"C{10000 + index}",
            signed_up_at=first_seen,
            tags=tags,
        )
        devices = [_visitor(rng) for _ in range(rng.choices((1, 2, 3), weights=(6, 3, 1))[0])]
        result.append(_Customer(record, devices, first_seen))
    return result


def _lead(rng: random.Random, visitor: Visitor) -> CustomerRecord:
    first = rng.choice(cat.FIRST_NAMES)
    return CustomerRecord(email=f"{_slug(first)}.{visitor.id[:6]}@{rng.choice(cat.MAIL_DOMAINS)}", first_name=first)


def _order(
    rng: random.Random,
    number: int,
    customer: _Customer,
    products: list[ProductRecord],
    placed: datetime,
    end: datetime,
) -> OrderRecord:
    chosen = rng.sample(products, k=rng.choices((1, 2, 3, 4), weights=(5, 4, 2, 1))[0])
    items = tuple(
        OrderItem(product_id=p.id, quantity=rng.choices((1, 2, 3), weights=(8, 3, 1))[0], price=p.price, sku=p.sku)
        for p in chosen
    )
    subtotal = sum(((item.price or Decimal(0)) * item.quantity for item in items), Decimal("0.00"))
    coupons = ("SPRING10",) if rng.random() < 0.12 else ()
    discount = (subtotal * Decimal("0.10")).quantize(Decimal("0.01")) if coupons else Decimal("0.00")
    shipping = Decimal("0.00") if subtotal >= cat.FREE_SHIPPING_FROM else cat.SHIPPING
    amount = subtotal - discount + shipping
    status = rng.choices(
        ("paid", "shipped", "delivered", "ready_for_pickup", "pending", "awaiting_stock", "cancelled", "refunded"),
        weights=(34, 14, 20, 4, 8, 3, 9, 8),
    )[0]
    refunds: tuple[Refund, ...] = ()
    refund_at = max(placed + timedelta(minutes=5), min(placed + timedelta(days=rng.randint(1, 6)), end))
    if status == "refunded":
        refunds = (Refund(id=f"R{number}", amount=amount, refunded_at=refund_at),)
    elif status == "delivered" and rng.random() < 0.15:  # a partial refund: one item came back damaged
        part = (items[0].price or Decimal(0)).quantize(Decimal("0.01"))
        refunds = (Refund(id=f"R{number}", amount=part, refunded_at=refund_at),)
    return OrderRecord(
        id=f"DEMO-{number:05d}",
        placed_at=placed,
        amount=amount,
        status=status,
        items=items,
        email=customer.record.email,
        subtotal=subtotal,
        shipping=shipping,
        discount=discount,
        tax=Decimal("0.00"),
        cost=(subtotal * cat.COST_SHARE).quantize(Decimal("0.01")),
        currency="USD",
        coupons=coupons,
        refunds=refunds,
    )


def generate(seed: int, days: int, end: datetime) -> DemoData:
    """The demo shop for ``days`` days up to ``end`` (timezone-aware)."""
    rng = random.Random(seed)
    start = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    scale = days / 60
    categories, products = catalogue()
    builder = VisitBuilder(rng, products, categories, seed)
    customers = _customers(rng, max(10, round(CUSTOMERS * min(1.0, scale))), start, end)
    orders: list[OrderRecord] = []
    # every customer is identified once on the site: a login (identify) or the newsletter form
    for customer in customers:
        how = "form" if rng.random() < 0.45 else "identify"
        builder.visit(customer.visitors[0], customer.first_seen, _source(rng), identify=(how, customer.record))
        for device in customer.visitors[1:]:
            later = _moment(rng, customer.first_seen, end)
            builder.visit(device, later, _source(rng), identify=("identify", customer.record))
    # orders: most are placed in a visit that ends in a checkout, some offline (phone, shop counter)
    buyers = rng.choices(
        customers, weights=[min(6.0, rng.paretovariate(1.6)) for _ in customers], k=round(ORDERS * scale)
    )
    for number, customer in enumerate(buyers, start=1):
        placed = _moment(rng, customer.first_seen + timedelta(hours=1), end)
        record = _order(rng, number, customer, products, placed, end)
        if rng.random() < 0.88:
            device = rng.choice(customer.visitors)
            begun = placed - timedelta(minutes=rng.randint(4, 25))
            builder.visit(device, begun, _source(rng), order=record)
            record = _with_visitor(record, device)
        orders.append(record)
    # browsing visits of customers, and of visitors never identified, until the traffic is there
    for customer in customers:
        for _ in range(rng.choices((0, 1, 2, 4), weights=(3, 4, 2, 1))[0]):
            builder.visit(rng.choice(customer.visitors), _moment(rng, customer.first_seen, end), _source(rng))
    anonymous: list[Visitor] = []
    while builder.visits < SESSIONS_PER_DAY * days:
        if not anonymous or rng.random() < 0.7:
            anonymous.append(_visitor(rng))
        visitor = rng.choice(anonymous)
        if rng.random() < LEAD_SHARE:  # a newsletter sign-up: a lead the shop's CRM does not know yet
            builder.visit(visitor, _moment(rng, start, end), _source(rng), identify=("form", _lead(rng, visitor)))
        else:
            builder.visit(visitor, _moment(rng, start, end), _source(rng))
    events = sorted(builder.events, key=lambda e: (e.occurred_at, e.event_id))
    return DemoData(categories, products, [c.record for c in customers], events, orders)


def _with_visitor(order: OrderRecord, visitor: Visitor) -> OrderRecord:
    return replace(order, visitor_id=visitor.id, ip_address=visitor.ip, user_agent=visitor.user_agent)
