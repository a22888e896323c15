"""0010_matomo_import: Matomo import state and visit keys

Revision ID: 0010_matomo_import
Revises: 0009_users
Create Date: 2026-11-24 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trackbridge.adapters.db.types

revision: str = "0010_matomo_import"
down_revision: str | None = "0009_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UtcDateTime = trackbridge.adapters.db.types.UtcDateTime
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"], ["projects.id"], name=op.f(f"fk_{table}_project_id_projects"), ondelete="CASCADE"
    )


def _lookup_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("added_by", sa.String(length=20), nullable=False),
        sa.Column("added_at", UtcDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "matomo_visits",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("matomo_url", sa.String(length=500), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("id_visit", BigId, nullable=False),
        sa.Column("session_id", BigId, nullable=False),
        sa.Column("merged", sa.Boolean(), nullable=False),
        sa.Column("customer_id", BigId, nullable=True),
        sa.Column("visitor_id", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("started_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_action_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("imported_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_matomo_visits_customer_id_customers"), ondelete="SET NULL"
        ),
        _project_fk("matomo_visits"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_matomo_visits_session_id_sessions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matomo_visits")),
        sa.UniqueConstraint(
            "project_id",
            "matomo_url",
            "site_id",
            "id_visit",
            name=op.f("uq_matomo_visits_project_id_matomo_url_site_id_id_visit"),
        ),
    )
    op.create_index("ix_matomo_visits_session", "matomo_visits", ["session_id"], unique=False)
    op.create_table(
        "matomo_import_state",
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", BigId, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("visits_imported", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_matomo_import_state_connector_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_matomo_import_state_customer_id_customers"),
            ondelete="CASCADE",
        ),
        _project_fk("matomo_import_state"),
        sa.PrimaryKeyConstraint("connector_id", "customer_id", name=op.f("pk_matomo_import_state")),
    )
    op.create_table(
        "referral_sources",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("referrer_type", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        *_lookup_columns(),
        _project_fk("referral_sources"),
        sa.PrimaryKeyConstraint("project_id", "referrer_type", "name", name=op.f("pk_referral_sources")),
    )
    op.create_table(
        "web_pages",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        *_lookup_columns(),
        _project_fk("web_pages"),
        sa.PrimaryKeyConstraint("project_id", "url_hash", name=op.f("pk_web_pages")),
    )
    op.create_table(
        "action_types",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("matomo_code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        *_lookup_columns(),
        _project_fk("action_types"),
        sa.PrimaryKeyConstraint("project_id", "matomo_code", name=op.f("pk_action_types")),
    )


def downgrade() -> None:
    op.drop_table("action_types")
    op.drop_table("web_pages")
    op.drop_table("referral_sources")
    op.drop_table("matomo_import_state")
    op.drop_index("ix_matomo_visits_session", table_name="matomo_visits")
    op.drop_table("matomo_visits")
