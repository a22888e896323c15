"""Tables of the outbound machinery: connectors, the outbox of jobs (with its dead letters), and the request and error
logs of every connector.

They share ``metadata`` with tables.py (which imports this module at its end), so one Alembic history builds them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from trackbridge.adapters.db.tables import metadata
from trackbridge.adapters.db.types import BigId, UtcDateTime

connectors = Table(
    "connectors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", String(100), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("credential_ciphertext", Text, nullable=True),
    Column("credential_hint", String(20), nullable=False, server_default=""),
    Column("state", String(10), nullable=False, server_default="ok"),
    Column("state_message", Text, nullable=True),
    Column("state_at", UtcDateTime, nullable=True),
    Column("enabled_at", UtcDateTime, nullable=True),
    Column("next_run_at", UtcDateTime, nullable=True),
    Column("log_requests", Boolean, nullable=False, server_default="1"),
    Column("log_errors", Boolean, nullable=False, server_default="1"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("project_id", "name", name="uq_connectors_project_name"),
)
"""A project's link to an outside system; the credential is encrypted with the server key and never returned."""

outbox_jobs = Table(
    "outbox_jobs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("connector_id", Integer, ForeignKey("connectors.id", ondelete="CASCADE"), nullable=True),
    Column("kind", String(60), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("dedupe_key", String(200), nullable=True),
    Column("priority", Integer, nullable=False),
    Column("state", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("max_attempts", Integer, nullable=False),
    Column("run_after", UtcDateTime, nullable=False),
    Column("locked_by", String(100), nullable=True),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_outbox_jobs_due", "state", "run_after", "priority"),
    Index("ix_outbox_jobs_dedupe", "connector_id", "dedupe_key", "state"),
    Index("ix_outbox_jobs_project_state", "project_id", "state"),
)
"""One piece of outbound work. state: pending → running → done, or back to pending (retry), or dead (dead letter)."""

outbound_requests = Table(
    "outbound_requests",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("connector_id", Integer, ForeignKey("connectors.id", ondelete="CASCADE"), nullable=False),
    Column("job_id", BigId, nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("method", String(10), nullable=False),
    Column("url", Text, nullable=False),
    Column("status", Integer, nullable=True),
    Column("duration_ms", Integer, nullable=False),
    Column("subject", String(200), nullable=True),
    Column("outcome", Text, nullable=True),
    Index("ix_outbound_requests_connector", "connector_id", "id"),
    Index("ix_outbound_requests_subject", "project_id", "subject"),
)
"""The request log: every outbound HTTP call, its URL with secrets redacted."""

outbound_errors = Table(
    "outbound_errors",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("connector_id", Integer, ForeignKey("connectors.id", ondelete="CASCADE"), nullable=False),
    Column("job_id", BigId, nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("subject", String(200), nullable=True),
    Column("message", Text, nullable=False),
    Index("ix_outbound_errors_connector", "connector_id", "id"),
)
"""The error log: failures of a connector's jobs and records the outside system refused, with its reason."""
