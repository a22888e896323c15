"""Read models of the read API: rows shaped as the JSON a client gets, in seed 004's camelCase names."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from trackbridge.adapters.db.chunks import in_chunks
from trackbridge.adapters.db.sql_order_reads import order_details
from trackbridge.adapters.db.tables import (
    customer_tags,
    customers,
    order_items,
    order_refunds,
    orders,
    products,
)
from trackbridge.domain.values import format_money

JsonObject = dict[str, Any]
_CUSTOMER_ORDERS_SHOWN = 100


def epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def money(value: Decimal | None) -> str | None:
    """Money leaves as a decimal string ("10.42"): exact, never a binary float."""
    return None if value is None else format_money(value)


def _customer(row: RowMapping, tags: list[str]) -> JsonObject:
    return {
        "id": row["id"],
        "email": row["email"],
        "externalId": row["external_id"],
        "firstName": row["first_name"],
        "lastName": row["last_name"],
        "phoneNumber": row["phone"],
        "subscribed": row["subscribed"],
        "registered": row["registered"],
        "website": row["website"],
        "storeView": row["store_view"],
        "tags": tags,
        "createdAt": epoch_ms(row["signed_up_at"] or row["created_at"]),
        "firstStoredAt": epoch_ms(row["created_at"]),
        "updatedAt": epoch_ms(row["updated_at"]),
    }


def _order_summary(row: RowMapping) -> JsonObject:
    return {
        "id": row["id"],
        "createdAt": epoch_ms(row["placed_at"]),
        "amount": money(row["amount"]),
        "currency": row["currency"],
        "status": row["status"],
    }


class SqlReadRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _tags(self, customer_ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {cid: [] for cid in customer_ids}
        if customer_ids:
            rows = self._c.execute(
                select(customer_tags.c.customer_id, customer_tags.c.tag)
                .where(customer_tags.c.customer_id.in_(customer_ids))
                .order_by(customer_tags.c.created_at, customer_tags.c.tag)
            )
            for row in rows:
                found[row.customer_id].append(row.tag)
        return found

    def customers(
        self, project_id: int, *, email: str | None, external_id: str | None, after_id: int, limit: int
    ) -> list[JsonObject]:
        query = select(customers).where(customers.c.project_id == project_id, customers.c.id > after_id)
        if email is not None:
            query = query.where(customers.c.email == email)
        if external_id is not None:
            query = query.where(customers.c.external_id == external_id)
        rows = list(self._c.execute(query.order_by(customers.c.id).limit(limit)).mappings())
        tags = self._tags([row["id"] for row in rows])
        return [_customer(row, tags[row["id"]]) for row in rows]

    def customer(self, project_id: int, customer_id: int) -> JsonObject | None:
        row = (
            self._c.execute(
                select(customers).where(customers.c.project_id == project_id, customers.c.id == customer_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        result = _customer(row, self._tags([customer_id])[customer_id])
        recent = self._c.execute(
            select(orders)
            .where(orders.c.project_id == project_id, orders.c.customer_id == customer_id)
            .order_by(orders.c.placed_at.desc())
            .limit(_CUSTOMER_ORDERS_SHOWN)
        ).mappings()
        result["orders"] = [_order_summary(order) for order in recent]
        return result

    def orders(self, project_id: int, *, customer_id: int | None, after_id: str, limit: int) -> list[JsonObject]:
        query = select(orders).where(orders.c.project_id == project_id, orders.c.id > after_id)
        if customer_id is not None:
            query = query.where(orders.c.customer_id == customer_id)
        rows = list(self._c.execute(query.order_by(orders.c.id).limit(limit)).mappings())
        return self._orders(project_id, rows)

    def order(self, project_id: int, order_id: str) -> JsonObject | None:
        row = (
            self._c.execute(select(orders).where(orders.c.project_id == project_id, orders.c.id == order_id))
            .mappings()
            .first()
        )
        return None if row is None else {**self._order(project_id, row), **order_details(self._c, project_id, order_id)}

    def _order(self, project_id: int, row: RowMapping) -> JsonObject:
        return self._orders(project_id, [row])[0]

    def _orders(self, project_id: int, rows: Sequence[RowMapping]) -> list[JsonObject]:
        """Orders as the list and detail answers show them: their items and refunds read with one query each."""
        ids = [row["id"] for row in rows]
        items: dict[str, list[RowMapping]] = {order_id: [] for order_id in ids}
        refunds: dict[str, list[RowMapping]] = {order_id: [] for order_id in ids}
        catalogue = (products.c.project_id == order_items.c.project_id) & (products.c.id == order_items.c.product_id)
        for chunk in in_chunks(ids):
            for item in self._c.execute(
                select(order_items, products.c.sku.label("product_sku"))
                .select_from(order_items.outerjoin(products, catalogue))
                .where(order_items.c.project_id == project_id, order_items.c.order_id.in_(chunk))
                .order_by(order_items.c.order_id, order_items.c.line)
            ).mappings():
                items[item["order_id"]].append(item)
            for refund in self._c.execute(
                select(order_refunds)
                .where(order_refunds.c.project_id == project_id, order_refunds.c.order_id.in_(chunk))
                .order_by(order_refunds.c.order_id, order_refunds.c.refunded_at)
            ).mappings():
                refunds[refund["order_id"]].append(refund)
        return [_order(row, items[row["id"]], refunds[row["id"]]) for row in rows]

    def customers_by_id(self, project_id: int, customer_ids: Sequence[int]) -> dict[int, JsonObject]:
        """Customers as the list answer shows them (without their recent orders), in bulk (exports)."""
        rows: list[RowMapping] = []
        for chunk in in_chunks(list(customer_ids)):
            query = select(customers).where(customers.c.project_id == project_id, customers.c.id.in_(chunk))
            rows.extend(self._c.execute(query).mappings())
        tags = self._tags([row["id"] for row in rows])
        return {row["id"]: _customer(row, tags[row["id"]]) for row in rows}

    def products_by_id(self, project_id: int, product_ids: Sequence[str]) -> dict[str, JsonObject]:
        found: dict[str, JsonObject] = {}
        for chunk in in_chunks(list(product_ids)):
            query = select(products).where(products.c.project_id == project_id, products.c.id.in_(chunk))
            found.update({row["id"]: _product(row) for row in self._c.execute(query).mappings()})
        return found

    def orders_by_id(self, project_id: int, order_ids: Sequence[str]) -> dict[str, JsonObject]:
        """Orders as the list answer shows them, with their ``statusType``, in bulk (exports)."""
        rows: list[RowMapping] = []
        for chunk in in_chunks(list(order_ids)):
            query = select(orders).where(orders.c.project_id == project_id, orders.c.id.in_(chunk))
            rows.extend(self._c.execute(query).mappings())
        shaped = self._orders(project_id, rows)
        return {row["id"]: {**order, "statusType": row["status_type"]} for row, order in zip(rows, shaped, strict=True)}

    def product(self, project_id: int, product_id: str) -> JsonObject | None:
        row = (
            self._c.execute(select(products).where(products.c.project_id == project_id, products.c.id == product_id))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return _product(row)


def _order(row: RowMapping, items: Sequence[RowMapping], refunds: Sequence[RowMapping]) -> JsonObject:
    return {
        **_order_summary(row),
        "customerId": row["customer_id"],
        "email": row["email"],
        "phone": row["phone"],
        "subtotal": money(row["subtotal"]),
        "tax": money(row["tax"]),
        "shipping": money(row["shipping"]),
        "discount": money(row["discount"]),
        "cost": money(row["cost"]),
        "coupons": row["coupons"],
        "billing": row["billing"],
        "ipAddress": row["ip_address"],
        "visitorId": row["visitor_id"],
        "userAgent": row["user_agent"],
        "website": row["website"],
        "storeView": row["store_view"],
        "exchangeRate": row["exchange_rate"],
        "baseCurrency": row["base_currency"],
        "baseAmount": money(row["base_amount"]),
        "products": [
            {
                "productId": item["product_id"],
                "quantity": item["quantity"],
                "price": money(item["price"]),
                "sku": item["sku"],
                "name": item["name"],
                "basePrice": money(item["base_price"]),
                "productSku": item["product_sku"],
            }
            for item in items
        ],
        "refunds": [
            {
                "id": refund["refund_id"],
                "amount": money(refund["amount"]),
                "createdAt": epoch_ms(refund["refunded_at"]),
                "items": refund["items"],
            }
            for refund in refunds
        ],
        "updatedAt": epoch_ms(row["updated_at"]),
    }


def _product(row: RowMapping) -> JsonObject:
    return {
        "id": row["id"],
        "name": row["name"],
        "sku": row["sku"],
        "price": money(row["price"]),
        "url": row["url"],
        "imageUrl": row["image_url"],
        "images": row["images"] or [],
        "urlPath": row["url_path"],
        "categories": row["categories"],
        "options": row["options"],
        "placeholder": bool(row["is_placeholder"]),
        "updatedAt": epoch_ms(row["updated_at"]),
    }
