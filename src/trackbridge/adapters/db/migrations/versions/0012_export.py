"""0012_export: export queue, historical export runs, shared rate limiter

Revision ID: 0012_export
Revises: 0011_matomo_push
Create Date: 2026-11-24 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackbridge.adapters.db.types

revision: str = "0012_export"
down_revision: str | None = "0011_matomo_push"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_queue",
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=10), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("lane", sa.String(length=12), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("enqueued_at", trackbridge.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_export_queue_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_export_queue_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("connector_id", "entity", "entity_id", name=op.f("pk_export_queue")),
    )
    with op.batch_alter_table("export_queue", schema=None) as batch_op:
        batch_op.create_index("ix_export_queue_waiting", ["connector_id", "job_id", "lane", "sequence"], unique=False)

    op.create_table(
        "export_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("cursors", sa.JSON(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("queued", sa.JSON(), nullable=False),
        sa.Column("started_at", trackbridge.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", trackbridge.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", trackbridge.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_export_runs_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_export_runs_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_runs")),
    )
    with op.batch_alter_table("export_runs", schema=None) as batch_op:
        batch_op.create_index("ix_export_runs_connector", ["connector_id", "id"], unique=False)

    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("busy_until_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", "slot", name=op.f("pk_rate_limits")),
    )


def downgrade() -> None:
    op.drop_table("rate_limits")
    with op.batch_alter_table("export_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_export_runs_connector")
    op.drop_table("export_runs")
    with op.batch_alter_table("export_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_export_queue_waiting")
    op.drop_table("export_queue")
