"""rollup_dirty_days: visit rollups rebuilt per marked day, apart from the worker's batches

Revision ID: 0007_rollup_dirty_days
Revises: 0006_report_rollups
Create Date: 2026-11-24 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackbridge.adapters.db.types

revision: str = "0007_rollup_dirty_days"
down_revision: str | None = "0006_report_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rollup_dirty_days",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("marked_at", trackbridge.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_rollup_dirty_days_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "day", name=op.f("pk_rollup_dirty_days")),
    )


def downgrade() -> None:
    op.drop_table("rollup_dirty_days")
