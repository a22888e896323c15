"""Tables of identification: visitor → customer links, form submissions, operator merges, traits waiting for a customer.

They share ``metadata`` with tables.py (which imports this module at its end), so one Alembic history builds them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from trackbridge.adapters.db.tables import metadata
from trackbridge.adapters.db.types import BigId, UtcDateTime

identity_links = Table(
    "identity_links",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("visitor_id", String(16), nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("how", String(20), nullable=False),
    Column("strength", Integer, nullable=False),
    Column("linked_at", UtcDateTime, nullable=False),
    Column("valid_from", UtcDateTime, nullable=True),
    Column("event_id", String(100), nullable=True),
    Column("session_id", BigId, nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("note", Text, nullable=True),
    Index("ix_identity_links_project_visitor", "project_id", "visitor_id", "ended_at"),
    Index("ix_identity_links_project_customer", "project_id", "customer_id"),
)
"""Every visitor → customer link ever made. The one with ``ended_at`` NULL is in force; ``valid_from`` NULL means the
visitor's whole history (anonymous sessions joined), otherwise the moment from which its events belong to the customer.
``linked_at`` is when the evidence happened, ``recorded_at`` when trackbridge processed it."""

form_submissions = Table(
    "form_submissions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("visitor_id", String(16), nullable=False),
    Column("session_id", BigId, nullable=True),
    Column("event_id", String(100), nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("form", String(200), nullable=True),
    Column("email", String(320), nullable=True),
    Column("fields", JSON, nullable=False),
    Column("page_url", Text, nullable=True),
    Column("landing_page", Text, nullable=True),
    Column("referrer_url", Text, nullable=True),
    Column("channel", String(50), nullable=True),
    Column("utm_id", String(200), nullable=True),
    Column("utm_source", String(200), nullable=True),
    Column("utm_medium", String(200), nullable=True),
    Column("utm_campaign", String(500), nullable=True),
    Column("utm_term", String(500), nullable=True),
    Column("utm_content", String(500), nullable=True),
    UniqueConstraint("project_id", "event_id"),
    Index("ix_form_submissions_project_customer", "project_id", "customer_id", "submitted_at"),
)
"""Form submissions as sent, enriched with the tracking data of the visit they were made in."""

customer_merges = Table(
    "customer_merges",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("kept_customer_id", BigId, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("merged_customer_id", BigId, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("by", String(200), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("undone_at", UtcDateTime, nullable=True),
    Column("undone_by", String(200), nullable=True),
    Column("snapshot", JSON, nullable=False),
    Index("ix_customer_merges_project_merged", "project_id", "merged_customer_id"),
)
"""Operator merges. The merged customer's row stays (its e-mail resolves to the kept customer while the merge holds);
``snapshot`` lists what moved, so an undo puts it back."""

identity_pending = Table(
    "identity_pending",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("visitor_id", String(16), nullable=False),
    Column("event_id", String(100), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("details", JSON, nullable=False),
    Index("ix_identity_pending_project_visitor", "project_id", "visitor_id"),
)
"""Tags and customer details sent by an anonymous visitor; applied to the customer when the visitor is identified."""
