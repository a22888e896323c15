"""Tables of the Matomo push (seed 001): which orders each connector has tracked, and the latest cart of each visitor.

They share ``metadata`` with tables.py (which imports this module at its end), so one Alembic history builds them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text

from trackbridge.adapters.db.tables import metadata
from trackbridge.adapters.db.types import UtcDateTime

matomo_order_pushes = Table(
    "matomo_order_pushes",
    metadata,
    Column("connector_id", Integer, ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("tracked_at", UtcDateTime, nullable=True),
    Column("tracking_url", Text, nullable=True),
    Column("note", Text, nullable=True),
    Column("last_failure", Text, nullable=True),
    Column("failed_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_matomo_order_pushes_project_order", "project_id", "order_id"),
)
"""Seed 001's metadata on an order, per connector: the tracked flag (``tracked_at``), the tracking URL with the token
shown as XYZANONYMIZED, and the reason of the last failure (cleared when tracked)."""

matomo_carts = Table(
    "matomo_carts",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("cart_key", String(200), primary_key=True),
    Column("cart", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
"""The latest cart of each visitor (or cart id): a push job sends the newest state, however many updates it covers."""
