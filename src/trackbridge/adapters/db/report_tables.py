"""Daily rollups the reports read: visits, page views and product interest per day (in the project's time zone) and
per visit profile (source, medium, campaign, channel, lead source, referrer, place, device).

The worker keeps them current (services/rollups.py): after a batch it recomputes the rows of every day the touched
visits started on. A missing value is stored as ``''`` so that the dimension columns never hold NULL.
See docs/adr/0007-report-rollups.md.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text

from trackbridge.adapters.db.tables import metadata, orders
from trackbridge.adapters.db.types import BigId, UtcDateTime

SESSION_DIMENSIONS = (
    "source",
    "medium",
    "campaign",
    "channel",
    "lead_source",
    "referrer",
    "country",
    "region",
    "city",
    "device_type",
    "os_name",
    "browser_name",
)
"""The visit profile every session rollup row is keyed by."""

SOURCE_DIMENSIONS = ("source", "medium", "campaign", "channel", "lead_source", "referrer")
"""The narrower profile of ``daily_source_rollup``: what order sources group and filter by, without place and device."""

FILTER_DIMENSIONS = ("source", "medium", "campaign", "channel", "country", "region", "device_type", "os_name")
"""The profile kept on page and product rollups: what every report filters by."""


def _dimension_columns(names: tuple[str, ...]) -> list[Column[str]]:
    return [Column(name, String(500), nullable=False, server_default="") for name in names]


daily_session_rollup = Table(
    "daily_session_rollup",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    *_dimension_columns(SESSION_DIMENSIONS),
    Column("sessions", Integer, nullable=False),
    Column("actions", Integer, nullable=False),
    Column("duration_seconds", BigId, nullable=False),
    Index("ix_daily_session_rollup_project_day", "project_id", "day"),
)

daily_source_rollup = Table(
    "daily_source_rollup",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    *_dimension_columns(SOURCE_DIMENSIONS),
    Column("sessions", Integer, nullable=False),
    Index("ix_daily_source_rollup_project_day", "project_id", "day"),
)
"""``daily_session_rollup`` summed over place and device: far fewer rows, read when a report needs no more."""

daily_page_rollup = Table(
    "daily_page_rollup",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("url", Text, nullable=False),
    *_dimension_columns(FILTER_DIMENSIONS),
    Column("views", Integer, nullable=False),
    Column("visits", Integer, nullable=False),
    Column("timed_views", Integer, nullable=False),
    Column("time_seconds", BigId, nullable=False),
    Index("ix_daily_page_rollup_project_day", "project_id", "day"),
)

daily_product_rollup = Table(
    "daily_product_rollup",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("product_id", String(200), nullable=False),
    *_dimension_columns(FILTER_DIMENSIONS),
    Column("views", Integer, nullable=False),
    Column("carts", Integer, nullable=False),
    Column("visits", Integer, nullable=False),
    Index("ix_daily_product_rollup_project_day", "project_id", "day"),
)

daily_order_rollup = Table(
    "daily_order_rollup",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("model", String(30), nullable=False),
    *_dimension_columns(SOURCE_DIMENSIONS),
    Column("currency", String(3), nullable=False),
    Column("exchange_rate", String(40), nullable=False),
    Column("orders", BigId, nullable=False),
    Column("paid_orders", BigId, nullable=False),
    Column("revenue", BigId, nullable=False),
    Column("refunded", BigId, nullable=False),
    Column("profit", BigId, nullable=False),
    Column("orders_without_cost", BigId, nullable=False),
    Index("ix_daily_order_rollup_project_model_day", "project_id", "model", "day"),
)
"""Orders (spam left out) summed per local day of placement, attribution model, source profile, currency and exchange
rate; integers as sql_order_sums.py computes them. Rebuilt per day when orders of the day are linked again."""

report_watermarks = Table(
    "report_watermarks",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("orders_linked_until", UtcDateTime, nullable=True),
)
"""How far (``orders.linked_at``) the daily order rollup has taken in the project's order changes."""

Index("ix_orders_project_linked", orders.c.project_id, orders.c.linked_at)

rollup_dirty_days = Table(
    "rollup_dirty_days",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("marked_at", UtcDateTime, nullable=False),
)
"""Days (project time zone) whose visit rollups are behind: marked in the worker's transaction, rebuilt apart, so a
busy day is rebuilt once every few seconds instead of once per batch, and a crash between the two loses nothing."""

Index(
    "ix_orders_report",
    orders.c.project_id,
    orders.c.placed_at,
    orders.c.id,
    orders.c.status_type,
    orders.c.amount,
    orders.c.cost,
    orders.c.currency,
    orders.c.exchange_rate,
)
"""Covers what the reports read of an order in a date range, so that they never visit the orders table itself."""
