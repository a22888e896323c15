"""0008_outbound: outbox jobs, connectors, request and error logs

Revision ID: 0008_outbound
Revises: 0007_rollup_dirty_days
Create Date: 2026-11-24 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackbridge.adapters.db.types

revision: str = "0008_outbound"
down_revision: str | None = "0007_rollup_dirty_days"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UtcDateTime = trackbridge.adapters.db.types.UtcDateTime
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"], ["projects.id"], name=op.f(f"fk_{table}_project_id_projects"), ondelete="CASCADE"
    )


def _connector_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["connector_id"], ["connectors.id"], name=op.f(f"fk_{table}_connector_id_connectors"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "connectors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("credential_ciphertext", sa.Text(), nullable=True),
        sa.Column("credential_hint", sa.String(length=20), server_default="", nullable=False),
        sa.Column("state", sa.String(length=10), server_default="ok", nullable=False),
        sa.Column("state_message", sa.Text(), nullable=True),
        sa.Column("state_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("enabled_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_run_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("log_requests", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("log_errors", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        _project_fk("connectors"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectors")),
        sa.UniqueConstraint("project_id", "name", name="uq_connectors_project_name"),
    )
    op.create_table(
        "outbox_jobs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", UtcDateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        _project_fk("outbox_jobs"),
        _connector_fk("outbox_jobs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_jobs")),
    )
    op.create_index("ix_outbox_jobs_due", "outbox_jobs", ["state", "run_after", "priority"])
    op.create_index("ix_outbox_jobs_dedupe", "outbox_jobs", ["connector_id", "dedupe_key", "state"])
    op.create_index("ix_outbox_jobs_project_state", "outbox_jobs", ["project_id", "state"])
    op.create_table(
        "outbound_requests",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("job_id", BigId, nullable=True),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        _project_fk("outbound_requests"),
        _connector_fk("outbound_requests"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_requests")),
    )
    op.create_index("ix_outbound_requests_connector", "outbound_requests", ["connector_id", "id"])
    op.create_index("ix_outbound_requests_subject", "outbound_requests", ["project_id", "subject"])
    op.create_table(
        "outbound_errors",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("job_id", BigId, nullable=True),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        _project_fk("outbound_errors"),
        _connector_fk("outbound_errors"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_errors")),
    )
    op.create_index("ix_outbound_errors_connector", "outbound_errors", ["connector_id", "id"])


def downgrade() -> None:
    op.drop_table("outbound_errors")
    op.drop_table("outbound_requests")
    op.drop_table("outbox_jobs")
    op.drop_table("connectors")
