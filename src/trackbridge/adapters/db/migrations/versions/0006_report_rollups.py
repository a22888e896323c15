"""report rollups: visits, page views and product interest per project, day and visit profile

Revision ID: 0006_report_rollups
Revises: 0005_order_linking
Create Date: 2026-11-24 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackbridge.adapters.db.types

revision: str = "0006_report_rollups"
down_revision: str | None = "0005_order_linking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SESSION_DIMENSIONS = (
    "source",
    "medium",
    "campaign",
    "channel",
    "lead_source",
    "referrer",
    "country",
    "region",
    "city",
    "device_type",
    "os_name",
    "browser_name",
)
SOURCE_DIMENSIONS = ("source", "medium", "campaign", "channel", "lead_source", "referrer")
FILTER_DIMENSIONS = ("source", "medium", "campaign", "channel", "country", "region", "device_type", "os_name")
ORDER_REPORT_COLUMNS = ("project_id", "placed_at", "id", "status_type", "amount", "cost", "currency", "exchange_rate")
ORDER_METRICS = ("orders", "paid_orders", "revenue", "refunded", "profit", "orders_without_cost")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _dimensions(names: tuple[str, ...]) -> list[sa.Column[str]]:
    return [sa.Column(name, sa.String(length=500), server_default="", nullable=False) for name in names]


def _keys(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f(f"fk_{table}_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "daily_session_rollup",
        *_keys("daily_session_rollup"),
        *_dimensions(SESSION_DIMENSIONS),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("duration_seconds", BIG_ID, nullable=False),
    )
    op.create_index("ix_daily_session_rollup_project_day", "daily_session_rollup", ["project_id", "day"])
    op.create_table(
        "daily_source_rollup",
        *_keys("daily_source_rollup"),
        *_dimensions(SOURCE_DIMENSIONS),
        sa.Column("sessions", sa.Integer(), nullable=False),
    )
    op.create_index("ix_daily_source_rollup_project_day", "daily_source_rollup", ["project_id", "day"])
    op.create_table(
        "daily_page_rollup",
        *_keys("daily_page_rollup"),
        sa.Column("url", sa.Text(), nullable=False),
        *_dimensions(FILTER_DIMENSIONS),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("timed_views", sa.Integer(), nullable=False),
        sa.Column("time_seconds", BIG_ID, nullable=False),
    )
    op.create_index("ix_daily_page_rollup_project_day", "daily_page_rollup", ["project_id", "day"])
    op.create_table(
        "daily_product_rollup",
        *_keys("daily_product_rollup"),
        sa.Column("product_id", sa.String(length=200), nullable=False),
        *_dimensions(FILTER_DIMENSIONS),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("carts", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
    )
    op.create_index("ix_daily_product_rollup_project_day", "daily_product_rollup", ["project_id", "day"])
    op.create_table(
        "daily_order_rollup",
        *_keys("daily_order_rollup"),
        sa.Column("model", sa.String(length=30), nullable=False),
        *_dimensions(SOURCE_DIMENSIONS),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("exchange_rate", sa.String(length=40), nullable=False),
        *[sa.Column(name, BIG_ID, nullable=False) for name in ORDER_METRICS],
    )
    op.create_index("ix_daily_order_rollup_project_model_day", "daily_order_rollup", ["project_id", "model", "day"])
    op.create_table(
        "report_watermarks",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("orders_linked_until", trackbridge.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_report_watermarks_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_report_watermarks")),
    )
    op.create_index("ix_orders_project_linked", "orders", ["project_id", "linked_at"])
    op.create_index("ix_orders_report", "orders", list(ORDER_REPORT_COLUMNS))


def downgrade() -> None:
    op.drop_index("ix_orders_report", table_name="orders")
    op.drop_index("ix_orders_project_linked", table_name="orders")
    op.drop_table("report_watermarks")
    op.drop_index("ix_daily_order_rollup_project_model_day", table_name="daily_order_rollup")
    op.drop_table("daily_order_rollup")
    for table in ("daily_product_rollup", "daily_page_rollup", "daily_source_rollup", "daily_session_rollup"):
        op.drop_index(f"ix_{table}_project_day", table_name=table)
        op.drop_table(table)
