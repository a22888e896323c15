"""One demo visit as tracker.js would report it: landing with its source, pages, products, searches, carts, checkouts,
logins and form submissions. Pure; used by domain/demo_data.py."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus, urlencode

from trackbridge.domain import demo_catalogue as cat
from trackbridge.domain.events import Campaign, EventType, TrackedEvent
from trackbridge.domain.resources import CategoryRecord, CustomerRecord, OrderRecord, ProductRecord

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class Visitor:
    id: str
    ip: str
    user_agent: str


@dataclass(frozen=True)
class Source:
    campaign: Campaign = field(default_factory=Campaign)
    referrer: str | None = None


@dataclass(frozen=True)
class Step:
    """One thing the visitor does: a page, and the tracker calls made on it."""

    url: str
    title: str
    calls: tuple[tuple[EventType, JsonObject], ...] = ()


def landing_url(url: str, campaign: Campaign) -> str:
    if campaign.is_empty():
        return url
    params = {
        "utm_id": campaign.id,
        "utm_source": campaign.source,
        "utm_medium": campaign.medium,
        "utm_campaign": campaign.name,
        "utm_term": campaign.term,
        "utm_content": campaign.content,
    }
    return f"{url}?{urlencode({k: v for k, v in params.items() if v})}"


class VisitBuilder:
    """Collects the events of many visits; ``visits`` counts them."""

    def __init__(
        self, rng: random.Random, products: list[ProductRecord], categories: list[CategoryRecord], seed: int
    ) -> None:
        self._rng = rng
        self._products = products
        self._categories = categories
        self._prefix = f"demo{seed}-"
        self.events: list[TrackedEvent] = []
        self.visits = 0

    def visit(
        self,
        visitor: Visitor,
        start: datetime,
        source: Source,
        *,
        identify: tuple[str, CustomerRecord] | None = None,
        order: OrderRecord | None = None,
    ) -> None:
        rng = self._rng
        steps = [self._landing(order)]
        for _ in range(0 if rng.random() < 0.3 and order is None else rng.randint(1, 6)):
            steps.append(self._browse())
        if identify is not None:
            steps.append(self._identify(*identify))
        if order is not None:
            steps.extend(self._checkout(order))
        gaps = [rng.randint(12, 150) for _ in steps]
        if order is not None:  # the checkout lands half a minute before the order is placed
            room = (order.placed_at - start).total_seconds() - 30
            factor = room / max(1, sum(gaps))
            gaps = [max(1, int(gap * factor)) for gap in gaps]
        moment = start
        for index, step in enumerate(steps):
            first = index == 0
            url = landing_url(step.url, source.campaign) if first else step.url
            self._add(visitor, moment, EventType.PAGE_VIEW, {"name": step.title}, url, step.title, source, first)
            for offset, (kind, properties) in enumerate(step.calls, start=1):
                self._add(visitor, moment + timedelta(seconds=offset), kind, properties, url, step.title, None, False)
            moment += timedelta(seconds=gaps[index])
        self.visits += 1

    def _add(
        self,
        visitor: Visitor,
        moment: datetime,
        kind: EventType,
        properties: JsonObject,
        url: str,
        title: str,
        source: Source | None,
        landing: bool,
    ) -> None:
        self.events.append(
            TrackedEvent(
                event_id=f"{self._prefix}{len(self.events):07d}",
                type=kind,
                visitor_id=visitor.id,
                occurred_at=moment,
                url=url,
                referrer=source.referrer if source is not None and landing else None,
                title=title,
                properties=properties,
                campaign=source.campaign if source is not None and landing else Campaign(),
                ip=visitor.ip,
                user_agent=visitor.user_agent,
            )
        )

    def _product_step(self, product: ProductRecord) -> Step:
        return Step(product.url or cat.SHOP, product.name, ((EventType.PRODUCT_VIEW, {"productId": product.id}),))

    def _landing(self, order: OrderRecord | None) -> Step:
        rng = self._rng
        roll = rng.random()
        if order is None and roll < 0.35:
            return Step(f"{cat.SHOP}/", "Plant shop: home")
        if roll < 0.65:
            category = rng.choice(self._categories)
            return Step(
                category.url or cat.SHOP, category.name, ((EventType.CATEGORY_VIEW, {"categoryId": category.id}),)
            )
        return self._product_step(rng.choice(self._products))

    def _browse(self) -> Step:
        rng = self._rng
        kind = rng.choices(("product", "category", "search", "article", "cart", "page"), weights=(40, 20, 8, 8, 9, 15))
        if kind[0] == "product":
            return self._product_step(rng.choice(self._products))
        if kind[0] == "category":
            category = rng.choice(self._categories)
            return Step(
                category.url or cat.SHOP, category.name, ((EventType.CATEGORY_VIEW, {"categoryId": category.id}),)
            )
        if kind[0] == "search":
            query = rng.choice(cat.SEARCH_TERMS)
            return Step(f"{cat.SHOP}/search?q={quote_plus(query)}", "Search", ((EventType.SEARCH, {"query": query}),))
        if kind[0] == "article":
            slug = rng.choice(("monstera-care", "repotting-guide", "balcony-garden", "watering-101"))
            article = {"articleId": slug, "name": slug.replace("-", " ").capitalize()}
            return Step(f"{cat.SHOP}/blog/{slug}", article["name"], ((EventType.ARTICLE_VIEW, article),))
        if kind[0] == "cart":
            product = rng.choice(self._products)
            calls: tuple[tuple[EventType, JsonObject], ...] = (
                (EventType.PRODUCT_VIEW, {"productId": product.id}),
                (EventType.ADD_TO_CART, {"productId": product.id, "quantity": 1}),
            )
            return Step(product.url or cat.SHOP, product.name, calls)
        page = rng.choice((("about", "About us"), ("shipping", "Shipping & returns"), ("contact", "Contact")))
        return Step(f"{cat.SHOP}/{page[0]}", page[1])

    def _identify(self, how: str, customer: CustomerRecord) -> Step:
        names = {"firstName": customer.first_name, "lastName": customer.last_name}
        if how == "form":
            form = {"form": "newsletter", "email": customer.email, **names, "tags": ["newsletter"]}
            return Step(f"{cat.SHOP}/newsletter", "Newsletter", ((EventType.FORM_SUBMIT, form),))
        calls: tuple[tuple[EventType, JsonObject], ...] = (
            (EventType.IDENTIFY, {"email": customer.email}),
            (EventType.CUSTOMER_DETAILS, {"email": customer.email, **names}),
        )
        return Step(f"{cat.SHOP}/account", "My account", calls)

    def _checkout(self, order: OrderRecord) -> list[Step]:
        by_id = {p.id: p for p in self._products}
        steps: list[Step] = []
        cart_items: list[JsonObject] = []
        for item in order.items:
            product = by_id[item.product_id]
            cart_items.append(
                {"productId": product.id, "quantity": item.quantity, "price": str(item.price), "sku": product.sku}
            )
            calls: tuple[tuple[EventType, JsonObject], ...] = (
                (EventType.PRODUCT_VIEW, {"productId": product.id}),
                (EventType.ADD_TO_CART, {"productId": product.id, "quantity": item.quantity}),
            )
            steps.append(Step(product.url or cat.SHOP, product.name, calls))
        cart = {
            "cartId": f"cart-{order.id}",
            "total": str(order.subtotal or Decimal(0)),
            "size": sum(item.quantity for item in order.items),
            "currency": order.currency or "USD",
            "items": cart_items,
            "url": f"{cat.SHOP}/cart",
        }
        steps.append(Step(f"{cat.SHOP}/cart", "Your cart", ((EventType.SET_CART, cart),)))
        done = {"orderId": order.id, "cartId": cart["cartId"], "total": str(order.amount), "currency": cart["currency"]}
        steps.append(Step(f"{cat.SHOP}/checkout", "Checkout", ((EventType.CHECKOUT, done),)))
        return steps
