"""INSERT ... ON CONFLICT for both engines: the one statement every idempotent write goes through."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def upsert(
    dialect: str,
    table: Table,
    keys: Sequence[str],
    *,
    override: Iterable[str] = (),
    keep_when_null: Iterable[str] = (),
) -> Insert:
    """An insert that, on a key conflict, overrides ``override`` columns and sets ``keep_when_null`` columns only
    when the new value is not NULL (a field that was not sent keeps the stored value). No columns: do nothing."""
    statement = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    changes: dict[str, Any] = {name: statement.excluded[name] for name in override}
    changes.update({name: func.coalesce(statement.excluded[name], table.c[name]) for name in keep_when_null})
    if not changes:
        return statement.on_conflict_do_nothing(index_elements=list(keys))
    return statement.on_conflict_do_update(index_elements=list(keys), set_=changes)
