"""Tables of the web UI's people: users, their role per project, and their server-side web sessions.

They share ``metadata`` with tables.py (which imports this module at its end), so one Alembic history builds them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table

from trackbridge.adapters.db.tables import metadata
from trackbridge.adapters.db.types import UtcDateTime

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("is_admin", Boolean, nullable=False, server_default="0"),
    Column("is_active", Boolean, nullable=False, server_default="1"),
    Column("created_at", UtcDateTime, nullable=False),
)
"""``is_admin``: admin of every project. ``password_hash``: argon2id, in the PHC string format."""

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(10), nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)
"""A browser's session: the SHA-256 of the cookie's token (the token itself is never stored)."""
