"""Columns the marketing exports need (issue 7, seed 002) on the resource tables: product images and url path,
orders' base currency amounts. (Customers' and orders' website / store view and customers' subscribed / registered
were already there.)

They share ``metadata`` with tables.py, which imports this module at its end.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, String, Text

from trackbridge.adapters.db.tables import order_items, orders, products
from trackbridge.adapters.db.types import Money

products.append_column(Column("images", JSON(none_as_null=True), nullable=True))
"""Ordered ``[{"url", "role": image|small_image|thumbnail, "position"}]``; NULL when never sent."""
products.append_column(Column("url_path", Text, nullable=True))
"""The shop's own URL path of the product (Magento's url_path), for URL templates."""
orders.append_column(Column("base_currency", String(3), nullable=True))
orders.append_column(Column("base_amount", Money, nullable=True))
"""The order total in the shop's base currency (``amount`` is in the order's own, local, currency)."""
order_items.append_column(Column("base_price", Money, nullable=True))
