"""0011_matomo_push: Matomo push: tracked flags, carts

Revision ID: 0011_matomo_push
Revises: 0010_matomo_import
Create Date: 2026-11-24 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackbridge.adapters.db.types

revision: str = "0011_matomo_push"
down_revision: str | None = "0010_matomo_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UtcDateTime = trackbridge.adapters.db.types.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "matomo_order_pushes",
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=200), nullable=False),
        sa.Column("tracked_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("tracking_url", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("last_failure", sa.Text(), nullable=True),
        sa.Column("failed_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_matomo_order_pushes_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_matomo_order_pushes_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("connector_id", "project_id", "order_id", name=op.f("pk_matomo_order_pushes")),
    )
    with op.batch_alter_table("matomo_order_pushes", schema=None) as batch_op:
        batch_op.create_index("ix_matomo_order_pushes_project_order", ["project_id", "order_id"], unique=False)

    op.create_table(
        "matomo_carts",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("cart_key", sa.String(length=200), nullable=False),
        sa.Column("cart", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_matomo_carts_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "cart_key", name=op.f("pk_matomo_carts")),
    )


def downgrade() -> None:
    op.drop_table("matomo_carts")
    with op.batch_alter_table("matomo_order_pushes", schema=None) as batch_op:
        batch_op.drop_index("ix_matomo_order_pushes_project_order")
    op.drop_table("matomo_order_pushes")
