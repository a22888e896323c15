"""Many-row writes without SQLAlchemy's per-row parameter handling.

``Connection.execute(statement, rows)`` rebuilds and re-processes every row's parameters in Python; for the order
import (hundreds of rows a call, four rows an order) that was a large share of the server's time. A :class:`BulkWrite`
compiles its statement once per dialect, converts each value with the column type's own bind processor (the same
conversion SQLAlchemy applies, so stored values are identical; ``None`` is bound as SQL NULL), converts the values
shared by every row once, and hands the rows to the driver's ``executemany``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.sql.dml import Insert

_Processor = Callable[[Any], Any]
_Row = tuple[Any, ...] | dict[str, Any]


class _Compiled:
    def __init__(self, statement: Insert, table: Table, columns: Sequence[str], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        if set(compiled.binds) != set(columns):
            raise ValueError(f"the statement's parameters {sorted(compiled.binds)} are not the columns {columns}")
        self.processors: dict[str, _Processor | None] = {
            name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        }
        self.sql = compiled.string
        # qmark (SQLite) binds by position; pyformat (psycopg) by name.
        self.order: list[str] | None = list(compiled.positiontup or ()) if compiled.positional else None


class BulkWrite:
    """An INSERT (or upsert) run for many rows: ``shared`` columns take one value for all rows, ``varying`` columns
    take one value per row, given as tuples in ``varying``'s order."""

    def __init__(self, table: Table, build: Callable[[str], Insert], shared: Sequence[str], varying: Sequence[str]):
        self._table = table
        self._build = build
        self._shared = list(shared)
        self._varying = list(varying)
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect)
        if found is None:
            statement = self._build(dialect.name)
            found = _Compiled(statement, self._table, [*self._shared, *self._varying], dialect)
            self._compiled[dialect] = found
        return found

    def execute(self, connection: Connection, shared: Mapping[str, Any], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        compiled = self._for(connection.dialect)
        count = len(rows)
        columns: dict[str, Iterable[Any]] = {}
        for name in self._shared:  # converted once, then repeated
            process, value = compiled.processors[name], shared[name]
            columns[name] = repeat(process(value) if process is not None and value is not None else value, count)
        for name, values in zip(self._varying, zip(*rows, strict=True), strict=True):  # converted column by column
            process = compiled.processors[name]
            columns[name] = values if process is None else [None if v is None else process(v) for v in values]
        params: list[_Row]
        if compiled.order is None:
            names = list(columns)
            params = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=False)]
        else:
            params = list(zip(*(columns[name] for name in compiled.order), strict=False))
        connection.exec_driver_sql(compiled.sql, params)
