"""A shop with customers, products and orders, and Ometria destinations, for the export tests and the benchmark."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from trackbridge.adapters.connectors.ometria.settings import parse_settings as ometria_settings
from trackbridge.domain.outbound import Connector, ConnectorKind
from trackbridge.domain.projects import Project
from trackbridge.domain.resources import CustomerRecord, OrderItem, OrderRecord, ProductRecord
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import connectors as connector_service
from trackbridge.services import projects as project_service
from trackbridge.services import resources

PLACED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def project(container: Container, name: str = "shop") -> Project:
    project_service.create_project(container.uow, container.box, name)
    return project_service.get_project(container.uow, name)


def email(n: int) -> str:
    return f"buyer{n}@example.com"


def add_customers(container: Container, shop: Project, count: int, *, start: int = 0, **fields: Any) -> None:
    records = [CustomerRecord(email=email(n), first_name=f"Buyer{n}", **fields) for n in range(start, start + count)]
    resources.store_customers(container.uow, shop, records)


def add_products(container: Container, shop: Project, count: int) -> None:
    records = [
        ProductRecord(id=f"p{n}", name=f"Product {n}", price=Decimal("9.50"), sku=f"SKU{n}") for n in range(count)
    ]
    resources.store_products(container.uow, shop, records)


def order(n: int, *, customers: int, products: int, status: str = "pending", **fields: Any) -> OrderRecord:
    return OrderRecord(
        id=f"o{n:06d}",
        placed_at=PLACED + timedelta(minutes=n),
        amount=Decimal("19.00"),
        status=status,
        currency="GBP",
        email=email(n % customers),
        items=(OrderItem(product_id=f"p{n % products}", quantity=2, price=Decimal("9.50")),),
        **fields,
    )


def add_orders(container: Container, shop: Project, records: Sequence[OrderRecord]) -> None:
    results = resources.store_orders(container.uow, shop, records)
    assert all(r.stored for r in results), [r.reason for r in results if not r.stored]


def add_ometria(
    container: Container, shop: Project, url: str, *, name: str = "ometria", key: str = "test-key", **settings: Any
) -> Connector:
    raw = {"endpoint": url, **settings}
    return connector_service.add_connector(
        container.uow, container.box, shop, ConnectorKind.OMETRIA, name, raw, key, ometria_settings
    )
