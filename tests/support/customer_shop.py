"""Three customers of a small shop, stored through the real paths (the inbox and the worker, the resource use cases),
for the customer and report pages' tests.

- Ann: two visits on a desktop (the first from the spring newsletter: utm newsletter / email / spring), views product
  p1, identifies herself by a form (tag vip), orders O-100 (2 x p1, 120.00 EUR) that goes from pending to paid.
- Bob: one visit on an iPhone from a Google ad (google / cpc / brand), identified by login, tag b2b; no order.
- Carl: from the CRM only (no visit), tag wholesale, order O-200 (1 x p2, 35.50 EUR, completed).
Every moment is two days ago (UTC), inside the reports' default range.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from trackbridge.adapters.db.tables import customers
from trackbridge.domain.events import Campaign, EventType, TrackedEvent
from trackbridge.domain.projects import Project
from trackbridge.domain.resources import CustomerRecord, OrderItem, OrderRecord, ProductRecord
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain
from trackbridge.services import ingest, resources

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)
ANN_VISITOR = "a1a1a1a1a1a1a1a1"
BOB_VISITOR = "b2b2b2b2b2b2b2b2"
SHOP = "https://shop.example"
NEWSLETTER = Campaign(source="newsletter", medium="email", name="spring")
GOOGLE = Campaign(source="google", medium="cpc", name="brand")


@dataclass(frozen=True)
class CustomerShop:
    ann: int
    bob: int
    carl: int
    day: datetime
    """Midnight UTC of the day everything happened."""


def _event(
    event_id: str, kind: EventType, visitor: str, moment: datetime, agent: str, path: str = "/", **extra: Any
) -> TrackedEvent:
    return TrackedEvent(
        event_id=event_id,
        type=kind,
        visitor_id=visitor,
        occurred_at=moment,
        url=SHOP + path,
        user_agent=agent,
        ip="127.0.0.1",
        **extra,
    )


def customer_id(container: Container, project: Project, email: str) -> int:
    with container.engine.connect() as connection:
        found = connection.execute(
            sa.select(customers.c.id).where(customers.c.project_id == project.id, customers.c.email == email)
        ).scalar_one()
    return int(found)


def build_customer_shop(container: Container, project: Project) -> CustomerShop:
    day = datetime.combine(datetime.now(UTC).date() - timedelta(days=2), time(), UTC)

    def at(hours: float) -> datetime:
        return day + timedelta(hours=hours)

    uow = container.uow
    resources.store_products(
        uow,
        project,
        [ProductRecord(id="p1", name="Green widget", price=Decimal(60)), ProductRecord(id="p2", name="Blue gadget")],
    )
    ann = ANN_VISITOR
    ingest.accept_events(
        uow,
        project,
        [
            _event(
                "ann-1",
                EventType.PAGE_VIEW,
                ann,
                at(9),
                CHROME,
                "/spring",
                title="Spring sale",
                campaign=NEWSLETTER,
                referrer="https://mail.example.org/",
            ),
            _event("ann-2", EventType.PRODUCT_VIEW, ann, at(9.02), CHROME, "/p/1", properties={"productId": "p1"}),
            _event(
                "ann-3",
                EventType.FORM_SUBMIT,
                ann,
                at(9.05),
                CHROME,
                "/p/1",
                properties={"email": "ann@example.com", "firstName": "Ann", "lastName": "Archer", "tags": ["vip"]},
            ),
            _event("ann-4", EventType.PAGE_VIEW, ann, at(14), CHROME, "/checkout", title="Checkout"),
        ],
        source="test",
    )
    ingest.accept_events(
        uow,
        project,
        [
            _event("bob-1", EventType.PAGE_VIEW, BOB_VISITOR, at(10), IPHONE, "/", campaign=GOOGLE),
            _event(
                "bob-2",
                EventType.IDENTIFY,
                BOB_VISITOR,
                at(10.1),
                IPHONE,
                "/account",
                properties={"email": "bob@example.com", "firstName": "Bob", "lastName": "Builder"},
            ),
            _event(
                "bob-3", EventType.APPLY_TAGS, BOB_VISITOR, at(10.2), IPHONE, "/account", properties={"tags": ["b2b"]}
            ),
        ],
        source="test",
    )
    drain(container)
    resources.store_customers(
        uow, project, [CustomerRecord(email="carl@example.com", first_name="Carl", tags=("wholesale",))]
    )
    ann_order = OrderRecord(
        id="O-100",
        placed_at=at(14.1),
        amount=Decimal("120.00"),
        status="pending",
        items=(OrderItem(product_id="p1", quantity=2, price=Decimal(60), name="Green widget"),),
        email="ann@example.com",
        currency="EUR",
        visitor_id=ann,
    )
    resources.store_orders(uow, project, [ann_order])
    resources.store_orders(uow, project, [replace(ann_order, status="paid")])
    carl_order = OrderRecord(
        id="O-200",
        placed_at=at(16),
        amount=Decimal("35.50"),
        status="completed",
        items=(OrderItem(product_id="p2", quantity=1, price=Decimal("35.50")),),
        email="carl@example.com",
        currency="EUR",
    )
    resources.store_orders(uow, project, [carl_order])
    drain(container)
    return CustomerShop(
        ann=customer_id(container, project, "ann@example.com"),
        bob=customer_id(container, project, "bob@example.com"),
        carl=customer_id(container, project, "carl@example.com"),
        day=day,
    )
