"""Builds the SQLAlchemy engine for the configured database (embedded SQLite by default, or PostgreSQL)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, text

from trackbridge.config import Settings


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def build_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=8,
            max_overflow=8,
        )
        _configure_sqlite(engine, settings.sqlite_synchronous)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
    )


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is switched off so that BEGIN IMMEDIATE takes the write lock at once.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock at BEGIN, so two writers queue instead of failing on a lock upgrade;
        # readers (execution option sqlite_read_only) start a deferred transaction and never block writers in WAL.
        read_only = conn.get_execution_options().get("sqlite_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def refresh_statistics(engine: Engine) -> None:
    """After a bulk load on PostgreSQL: ``ANALYZE``, so that the planner knows the new tables' sizes (servers with
    autovacuum off would otherwise plan reports as if the tables were empty). SQLite's plans here do not use them."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
