"""Tables of the export to marketing platforms: the export queue, historical export runs, and the rate limiter shared
by every worker process.

They share ``metadata`` with tables.py (which imports this module at its end), so one Alembic history builds them.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table

from trackbridge.adapters.db.tables import metadata
from trackbridge.adapters.db.types import BigId, UtcDateTime

export_queue = Table(
    "export_queue",
    metadata,
    Column("connector_id", Integer, ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True),
    Column("entity", String(10), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("lane", String(12), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("job_id", BigInteger, nullable=True),
    Column("enqueued_at", UtcDateTime, nullable=False),
    Index("ix_export_queue_waiting", "connector_id", "job_id", "lane", "sequence"),
)
"""One entry per record waiting for a destination (a live change supersedes a waiting historical entry).

``sequence`` orders a lane; ``version`` grows with every change, so a batch removes only entries that did not change
after it built its records; ``job_id`` is the batch job the entry is planned into (NULL: waiting for a run)."""

export_runs = Table(
    "export_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("connector_id", Integer, ForeignKey("connectors.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("state", String(12), nullable=False),
    Column("entities", JSON, nullable=False),
    Column("cursors", JSON, nullable=False),
    Column("totals", JSON, nullable=False),
    Column("queued", JSON, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Index("ix_export_runs_connector", "connector_id", "id"),
)
"""Historical exports: per entity the last id queued (to restart), the total to queue and the number queued."""

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("busy_until_us", BigInteger, nullable=False),
)
"""A sliding-window limiter per account: ``limit`` slots, each the end (microseconds since the epoch) of the last
request made in it, or of its lease while the request is in flight. A slot is free again one window after that."""
