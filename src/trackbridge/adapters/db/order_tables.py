"""Tables of orders meeting visits: status history, goal conversions, links, attributions, status mappings, currency
rates, and the order / project columns they need.

They share ``metadata`` with tables.py (which imports this module at its end), so one Alembic history builds them. The
reports read these tables: keep the names and columns stable (add, never rename).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from trackbridge.adapters.db.tables import metadata, orders, projects
from trackbridge.adapters.db.types import BigId, UtcDateTime

orders.append_column(Column("status_type", String(20), nullable=True))
"""The mapped type of the status the reports follow (IN_PROGRESS, PAID, CANCELLED, SPAM, OTHER)."""
orders.append_column(Column("exchange_rate", String(40), nullable=True))
"""The order's own rate to the project's base currency, a decimal as text (parse with Decimal)."""
orders.append_column(Column("needs_linking", Boolean, nullable=False, server_default="1"))
orders.append_column(Column("linked_at", UtcDateTime, nullable=True))
Index("ix_orders_needs_linking", orders.c.needs_linking, orders.c.placed_at)

projects.append_column(Column("link_window_days", Integer, nullable=False, server_default="21"))
projects.append_column(Column("status_window_days", Integer, nullable=False, server_default="90"))

order_status_events = Table(
    "order_status_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", String(200), nullable=False),
    Column("status", String(100), nullable=False),
    Column("status_type", String(20), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("affects_reports", Boolean, nullable=False),
    Index("ix_order_status_events_project_order", "project_id", "order_id"),
)
"""Every status an order had, in the order it arrived."""

goal_conversions = Table(
    "goal_conversions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", String(200), nullable=False),
    Column("goal", String(30), nullable=False),
    Column("converted_at", UtcDateTime, nullable=False),
    Column("session_id", BigId, nullable=True),
    Column("customer_id", BigId, nullable=True),
    UniqueConstraint("project_id", "order_id", "goal"),
    Index("ix_goal_conversions_project_converted", "project_id", "converted_at"),
)
"""Seed 003's order goals, at most once per order and goal, never rewritten (session and customer filled by linking)."""

order_links = Table(
    "order_links",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("session_id", BigId, nullable=True),
    Column("matched_by", String(20), nullable=True),
    Column("reason", Text, nullable=False),
    Column("gap_seconds", Integer, nullable=True),
    Column("linked_at", UtcDateTime, nullable=False),
    Index("ix_order_links_session", "session_id"),
)
"""The visit each order came from (session_id NULL: unlinked), and why."""

order_attributions = Table(
    "order_attributions",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("model", String(30), primary_key=True),
    Column("session_id", BigId, primary_key=True),
    Column("credit_millionths", Integer, nullable=False),
)
"""Per order and model, each credited visit's share times 1,000,000 (an order's shares per model sum to 1,000,000)."""

status_mappings = Table(
    "status_mappings",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(100), primary_key=True),
    Column("status_type", String(20), nullable=False),
)
"""A project's own status names (lower-cased) → status types; they win over the defaults."""

currency_rates = Table(
    "currency_rates",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("rate", String(40), nullable=False),
)
"""Rates the user sets: one unit of ``currency`` is ``rate`` units of the project's base currency (decimal text)."""
