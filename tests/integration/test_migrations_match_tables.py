"""The migrations build exactly the tables the code declares, on both engines (a table or index added to tables.py
without its migration, or the other way round, fails here)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from trackbridge.adapters.db.tables import metadata
from trackbridge.entrypoints.bootstrap import Container


def test_migrated_schema_matches_declared_tables(container: Container) -> None:
    with container.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, metadata)
    assert differences == []
