"""Tables of CRM uploads: the uploads and their rejected lines, and what an upload knows of customers and orders beyond
the shared columns (visitor ids, md5s of e-mails and phones, Metrica's extra order fields).

They share ``metadata`` with tables.py (which imports this module at its end), so one Alembic history builds them.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from trackbridge.adapters.db.tables import metadata
from trackbridge.adapters.db.types import BigId, UtcDateTime

uploads = Table(
    "uploads",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("merge_mode", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("filename", String(500), nullable=True),
    Column("columns", JSON, nullable=True),
    Column("bytes_total", BigInteger, nullable=True),
    Column("bytes_read", BigInteger, nullable=False, server_default="0"),
    Column("rows_read", Integer, nullable=False, server_default="0"),
    Column("rows_stored", Integer, nullable=False, server_default="0"),
    Column("rows_skipped", Integer, nullable=False, server_default="0"),
    Column("rows_rejected", Integer, nullable=False, server_default="0"),
    Column("error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Index("ix_uploads_project_created", "project_id", "created_at"),
)
"""One file sent for import. ``status``: queued → running → done | failed (``error`` says why a file failed whole)."""

upload_errors = Table(
    "upload_errors",
    metadata,
    Column("upload_id", BigId, ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("reason", Text, nullable=False),
)
"""A rejected row: its line in a CSV or JSON Lines file (the header is line 1), its position in a JSON array."""

customer_visitor_ids = Table(
    "customer_visitor_ids",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("visitor_id", String(16), primary_key=True),
    Index("ix_customer_visitor_ids_project_visitor", "project_id", "visitor_id"),
)
"""Visitor ids a CRM says a customer has (Metrica's ``client_ids``); the linking reads them beside identity links."""

customer_hashes = Table(
    "customer_hashes",
    metadata,
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("field", String(12), primary_key=True),
    Column("md5", String(32), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(5), nullable=False),
    Index("ix_customer_hashes_project_kind_md5", "project_id", "kind", "md5"),
)
"""md5s of a customer's e-mails and phones (``kind`` email | phone), from plain values (``field`` emails / phones)
or sent as md5 (``emails_md5`` / ``phones_md5``): orders known only by an md5 find their customer here."""

order_hashes = Table(
    "order_hashes",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("field", String(12), primary_key=True),
    Column("md5", String(32), primary_key=True),
    Column("kind", String(5), nullable=False),
    Index("ix_order_hashes_project_kind_md5", "project_id", "kind", "md5"),
)
"""md5s of a simplified order's e-mails and phones, so a customer uploaded later can still be found for it."""

crm_order_details = Table(
    "crm_order_details",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("crm_updated_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("goals", JSON(none_as_null=True), nullable=True),
)
"""Metrica's order fields without a column in ``orders``: ``update_date_time``, ``finish_date_time``, ``goals``."""
