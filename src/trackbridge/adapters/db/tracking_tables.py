"""Tables of the tracking pipeline: the durable inbox, event ids, visitors, sessions, actions, bot counts, lookups.

They share ``metadata`` with tables.py (which imports this module at its end), so one Alembic history builds them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from trackbridge.adapters.db.tables import metadata
from trackbridge.adapters.db.types import BigId, UtcDateTime

inbox = Table(
    "inbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("source", String(20), nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("processed_at", UtcDateTime, nullable=True),
    Column("error", Text, nullable=True),
    Index(
        "ix_inbox_pending",
        "id",
        postgresql_where=text("processed_at IS NULL"),
        sqlite_where=text("processed_at IS NULL"),
    ),
)
"""Accepted raw batches, serialized TrackedEvents. A row is claimed, processed and marked in one transaction."""

event_ids = Table(
    "event_ids",
    metadata,
    Column("project_id", Integer, primary_key=True),
    Column("event_id", String(100), primary_key=True),
)
"""Every event id ever processed: a repeat is dropped for good."""

visitors = Table(
    "visitors",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("visitor_id", String(16), primary_key=True),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("link_strength", Integer, nullable=True),
    Column("linked_at", UtcDateTime, nullable=True),
    Column("linked_how", String(50), nullable=True),
    Index("ix_visitors_project_customer", "project_id", "customer_id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("visitor_id", String(16), nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("last_action_at", UtcDateTime, nullable=False),
    Column("duration_seconds", Integer, nullable=False),
    Column("action_count", Integer, nullable=False),
    Column("entry_url", Text, nullable=True),
    Column("referrer_url", Text, nullable=True),
    Column("referrer_type", String(20), nullable=True),
    Column("referrer_name", String(200), nullable=True),
    Column("referrer_keyword", String(500), nullable=True),
    Column("utm_id", String(200), nullable=True),
    Column("utm_source", String(200), nullable=True),
    Column("utm_medium", String(200), nullable=True),
    Column("utm_campaign", String(500), nullable=True),
    Column("utm_term", String(500), nullable=True),
    Column("utm_content", String(500), nullable=True),
    Column("channel", String(50), nullable=True),
    Column("lead_source", String(200), nullable=True),
    Column("country_code", String(2), nullable=True),
    Column("country_name", String(100), nullable=True),
    Column("region_code", String(10), nullable=True),
    Column("region_name", String(200), nullable=True),
    Column("city", String(200), nullable=True),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("os_name", String(100), nullable=True),
    Column("os_version", String(50), nullable=True),
    Column("device_type", String(20), nullable=True),
    Column("device_brand", String(100), nullable=True),
    Column("device_model", String(200), nullable=True),
    Column("browser_name", String(100), nullable=True),
    Column("browser_version", String(50), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("user_agent", Text, nullable=True),
    Column("origin", String(20), nullable=False),
    Column("has_checkout", Boolean, nullable=False, server_default="0"),
    Column("order_ids", JSON, nullable=False),
    Index("ix_sessions_project_visitor_started", "project_id", "visitor_id", "started_at"),
    Index("ix_sessions_project_customer", "project_id", "customer_id"),
    Index("ix_sessions_project_started", "project_id", "started_at"),
)

actions = Table(
    "actions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, nullable=False),
    Column("session_id", BigId, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("visitor_id", String(16), nullable=False),
    Column("event_id", String(100), nullable=False),
    Column("type", String(30), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("url", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("properties", JSON, nullable=False),
    Index("ix_actions_session_occurred", "session_id", "occurred_at"),
    Index("ix_actions_project_occurred", "project_id", "occurred_at"),
)

bot_hits = Table(
    "bot_hits",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("count", Integer, nullable=False),
)
"""Events from known bots: not sessionized, counted per project and day (UTC)."""

matomo_order_claims = Table(
    "matomo_order_claims",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("order_id", String(200), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    UniqueConstraint("project_id", "order_id"),
)
"""An e-commerce order id accepted on /matomo.php; a repeat gets Matomo's 400 when the hit arrives."""

lookup_mappings = Table(
    "lookup_mappings",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("field", String(20), primary_key=True),
    Column("value", String(500), primary_key=True),
    Column("target", String(200), nullable=False),
)
"""User mappings: kind ``lead_source`` (field utm_source / utm_campaign) and ``channel`` (field utm_medium)."""
