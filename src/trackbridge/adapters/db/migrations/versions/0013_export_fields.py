"""0013_export_fields: resource fields for exports (images, url path, base currency, scopes, newsletter)

Revision ID: 0013_export_fields
Revises: 0012_export
Create Date: 2026-11-24 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackbridge.adapters.db.types

revision: str = "0013_export_fields"
down_revision: str | None = "0012_export"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("images", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("url_path", sa.Text(), nullable=True))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("base_amount", trackbridge.adapters.db.types.Money(), nullable=True))
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_price", trackbridge.adapters.db.types.Money(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_column("base_price")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("base_amount")
        batch_op.drop_column("base_currency")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("url_path")
        batch_op.drop_column("images")
