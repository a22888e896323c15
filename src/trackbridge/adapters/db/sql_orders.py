"""Writing orders with their items and refunds: the hot path of the order import, so every table is written with one
:class:`~trackbridge.adapters.db.bulk.BulkWrite` per call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.sql.dml import Insert

from trackbridge.adapters.db.bulk import BulkWrite
from trackbridge.adapters.db.chunks import in_chunks as _chunks
from trackbridge.adapters.db.tables import order_items, order_refunds, orders
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.resources import OrderRecord

ORDER_OVERRIDE = ["customer_id", "placed_at", "amount", "status", "updated_at", "coupons"]
ORDER_OPTIONAL = [
    "email",
    "phone",
    "subtotal",
    "tax",
    "shipping",
    "discount",
    "cost",
    "currency",
    "billing",
    "ip_address",
    "visitor_id",
    "user_agent",
    "website",
    "store_view",
    "exchange_rate",
    "base_currency",
    "base_amount",
]
_ORDER_COLUMNS = [
    "id",
    "customer_id",
    "email",
    "phone",
    "placed_at",
    "amount",
    "subtotal",
    "tax",
    "shipping",
    "discount",
    "cost",
    "currency",
    "status",
    "coupons",
    "billing",
    "ip_address",
    "visitor_id",
    "user_agent",
    "website",
    "store_view",
    "exchange_rate",
    "base_currency",
    "base_amount",
]


def _order_upsert(dialect: str) -> Insert:
    return upsert(dialect, orders, ["project_id", "id"], override=ORDER_OVERRIDE, keep_when_null=ORDER_OPTIONAL)


def _refund_upsert(dialect: str) -> Insert:
    return upsert(
        dialect, order_refunds, ["project_id", "order_id", "refund_id"], override=["amount", "refunded_at", "items"]
    )


# An optional field that was not sent is bound as SQL NULL, so ``keep_when_null`` keeps the stored value.
_ORDERS = BulkWrite(orders, _order_upsert, ["project_id", "created_at", "updated_at"], _ORDER_COLUMNS)
_ITEMS = BulkWrite(
    order_items,
    lambda _dialect: insert(order_items),
    ["project_id"],
    ["order_id", "line", "product_id", "quantity", "price", "sku", "name", "base_price"],
)
_REFUNDS = BulkWrite(
    order_refunds, _refund_upsert, ["project_id"], ["order_id", "refund_id", "amount", "refunded_at", "items"]
)


def write_orders(
    connection: Connection, project_id: int, records: Sequence[tuple[OrderRecord, int | None]], now: datetime
) -> list[bool]:
    """Upserts orders by id; their items are replaced, their refunds upserted by refund id. True where the order
    is new. An order, or a refund of an order, sent twice in ``records``: the later one is stored, as two calls do."""
    sent = [record.id for record, _ in records]
    latest = list({record.id: (record, customer_id) for record, customer_id in records}.values())
    ids = [record.id for record, _ in latest]
    existing: set[str] = set()
    for chunk in _chunks(ids):
        existing.update(
            connection.execute(select(orders.c.id).where(orders.c.project_id == project_id, orders.c.id.in_(chunk)))
            .scalars()
            .all()
        )
    _ORDERS.execute(
        connection,
        {"project_id": project_id, "created_at": now, "updated_at": now},
        [
            (
                r.id,
                customer_id,
                r.email,
                r.phone,
                r.placed_at,
                r.amount,
                r.subtotal,
                r.tax,
                r.shipping,
                r.discount,
                r.cost,
                r.currency,
                r.status,
                list(r.coupons),
                r.billing,
                r.ip_address,
                r.visitor_id,
                r.user_agent,
                r.website,
                r.store_view,
                None if r.exchange_rate is None else format(r.exchange_rate, "f"),
                r.base_currency,
                r.base_amount,
            )
            for r, customer_id in latest
        ],
    )
    replaced = [order_id for order_id in ids if order_id in existing]
    for chunk in _chunks(replaced):  # a new order has no items to remove
        connection.execute(
            delete(order_items).where(order_items.c.project_id == project_id, order_items.c.order_id.in_(chunk))
        )
    _ITEMS.execute(
        connection,
        {"project_id": project_id},
        [
            (r.id, line, item.product_id, item.quantity, item.price, item.sku, item.name, item.base_price)
            for r, _ in latest
            for line, item in enumerate(r.items, start=1)
        ],
    )
    refunds = {(r.id, refund.id): refund for r, _ in latest for refund in r.refunds}
    _REFUNDS.execute(
        connection,
        {"project_id": project_id},
        [
            (
                order_id,
                refund.id,
                refund.amount,
                refund.refunded_at,
                None if refund.items is None else list(refund.items),
            )
            for (order_id, _), refund in refunds.items()
        ],
    )
    return [order_id not in existing for order_id in sent]
