"""The schema, as SQLAlchemy Core tables. Alembic migrations build it on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from trackbridge.adapters.db.types import BigId, Money, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("token", String(200), nullable=False, unique=True),
    Column("site_id", Integer, nullable=False, unique=True),
    Column("secret_ciphertext", Text, nullable=False),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("base_currency", String(3), nullable=False, server_default="USD"),
    Column("replay_window_seconds", Integer, nullable=True),
    Column("is_demo", Boolean, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("scope", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
)

customers = Table(
    "customers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(320), nullable=True),
    Column("external_id", String(200), nullable=True),
    Column("first_name", String(200), nullable=True),
    Column("last_name", String(200), nullable=True),
    Column("phone", String(64), nullable=True),
    Column("phone_normalized", String(32), nullable=True),
    Column("subscribed", Boolean, nullable=True),
    Column("registered", Boolean, nullable=True),
    Column("website", String(100), nullable=True),
    Column("store_view", String(100), nullable=True),
    Column("signed_up_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("project_id", "email"),
    UniqueConstraint("project_id", "external_id"),
    Index("ix_customers_project_phone", "project_id", "phone_normalized"),
)

customer_tags = Table(
    "customer_tags",
    metadata,
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(200), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_customer_tags_project_tag", "project_id", "tag"),
)

categories = Table(
    "categories",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("url", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("sku", String(200), nullable=True),
    Column("price", Money, nullable=True),
    Column("url", Text, nullable=True),
    Column("image_url", Text, nullable=True),
    Column("categories", JSON, nullable=False),
    Column("options", JSON, nullable=False),
    Column("is_placeholder", Boolean, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_products_project_sku", "project_id", "sku"),
)

orders = Table(
    "orders",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
    Column("email", String(320), nullable=True),
    Column("phone", String(64), nullable=True),
    Column("placed_at", UtcDateTime, nullable=False),
    Column("amount", Money, nullable=False),
    Column("subtotal", Money, nullable=True),
    Column("tax", Money, nullable=True),
    Column("shipping", Money, nullable=True),
    Column("discount", Money, nullable=True),
    Column("cost", Money, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("status", String(100), nullable=False),
    Column("coupons", JSON, nullable=False),
    Column("billing", JSON, nullable=True),
    Column("ip_address", String(64), nullable=True),
    Column("visitor_id", String(16), nullable=True),
    Column("user_agent", Text, nullable=True),
    Column("website", String(100), nullable=True),
    Column("store_view", String(100), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_orders_project_customer", "project_id", "customer_id"),
    Index("ix_orders_project_placed", "project_id", "placed_at"),
    Index("ix_orders_project_visitor", "project_id", "visitor_id"),
)

order_items = Table(
    "order_items",
    metadata,
    Column("project_id", Integer, primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("product_id", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("price", Money, nullable=True),
    Column("sku", String(200), nullable=True),
    Column("name", String(500), nullable=True),
    Index("ix_order_items_project_product", "project_id", "product_id"),
)

order_refunds = Table(
    "order_refunds",
    metadata,
    Column("project_id", Integer, primary_key=True),
    Column("order_id", String(200), primary_key=True),
    Column("refund_id", String(200), primary_key=True),
    Column("amount", Money, nullable=False),
    Column("refunded_at", UtcDateTime, nullable=False),
    Column("items", JSON, nullable=True),
)

signed_request_replays = Table(
    "signed_request_replays",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("path", String(100), primary_key=True),
    Column("digest", String(64), primary_key=True),
    Column("seen_at", UtcDateTime, nullable=False, index=True),
)

# The tracking tables share this metadata; imported last so that they are part of every migration comparison.
from trackbridge.adapters.db import export_field_tables as _export_field_tables  # noqa: E402, F401
from trackbridge.adapters.db import export_tables as _export_tables  # noqa: E402, F401
from trackbridge.adapters.db import identity_tables as _identity_tables  # noqa: E402, F401
from trackbridge.adapters.db import matomo_import_tables as _matomo_import_tables  # noqa: E402, F401
from trackbridge.adapters.db import matomo_push_tables as _matomo_push_tables  # noqa: E402, F401
from trackbridge.adapters.db import order_tables as _order_tables  # noqa: E402, F401
from trackbridge.adapters.db import outbound_tables as _outbound_tables  # noqa: E402, F401
from trackbridge.adapters.db import report_tables as _report_tables  # noqa: E402, F401
from trackbridge.adapters.db import tracking_tables as _tracking_tables  # noqa: E402, F401
from trackbridge.adapters.db import upload_tables as _upload_tables  # noqa: E402, F401
from trackbridge.adapters.db import user_tables as _user_tables  # noqa: E402, F401
