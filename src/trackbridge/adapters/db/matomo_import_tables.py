"""Tables of the Matomo import: the visits imported (by their Matomo key), each customer's import state, and the
lookups the import expands (referral sources, web pages, action types).

They share ``metadata`` with tables.py (which imports this module at its end), so one Alembic history builds them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from trackbridge.adapters.db.tables import metadata
from trackbridge.adapters.db.types import BigId, UtcDateTime

matomo_visits = Table(
    "matomo_visits",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("matomo_url", String(500), nullable=False),
    Column("site_id", Integer, nullable=False),
    Column("id_visit", BigId, nullable=False),
    Column("session_id", BigId, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("merged", Boolean, nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("visitor_id", String(16), nullable=False),
    Column("user_id", String(200), nullable=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("last_action_at", UtcDateTime, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("raw", JSON, nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("project_id", "matomo_url", "site_id", "id_visit"),
    Index("ix_matomo_visits_session", "session_id"),
)
"""Every Matomo visit imported, keyed by (Matomo URL, site id, visit id). ``session_id`` is the session it became, or
the tracked session it was merged into (``merged``). ``raw`` is Matomo's visit without its actions."""

matomo_import_state = Table(
    "matomo_import_state",
    metadata,
    Column("connector_id", Integer, ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True),
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("last_attempt_at", UtcDateTime, nullable=True),
    Column("last_success_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("visits_imported", Integer, nullable=False, server_default="0"),
)
"""Per connector and customer: when the last import ran and succeeded (the next one is incremental from there)."""

referral_sources = Table(
    "referral_sources",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("referrer_type", String(20), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("added_by", String(20), nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
)
"""Lookup of traffic source type and name; expanded with every new one imported."""

web_pages = Table(
    "web_pages",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("url_hash", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("name", Text, nullable=True),
    Column("added_by", String(20), nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
)
"""Lookup of web pages (name and page URL, keyed by the URL's SHA-256); expanded with every new page imported."""

action_types = Table(
    "action_types",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("matomo_code", String(50), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("type", String(30), nullable=False),
    Column("added_by", String(20), nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
)
"""Lookup of web action types by Matomo code (name and trackbridge type); expanded with every new code imported."""
