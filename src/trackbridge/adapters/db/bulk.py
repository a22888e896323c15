"""Many-row writes without SQLAlchemy's per-row parameter handling.

``Connection.execute(statement, rows)`` rebuilds and re-processes every row's parameters in Python; for the order
import (hundreds of rows a call, four rows an order) that was a large share of the server's time. A :class:`BulkWrite`
compiles its statement once per dialect, converts each value with the column type's own bind processor (the same
conversion SQLAlchemy applies, so stored values are identical; ``None`` is bound as SQL NULL), converts the values
shared by every row once, and then:

- on SQLite, sends one multi-row ``VALUES`` statement per page of rows. The driver releases the GIL for each statement
  step; one step per page instead of one per row lets Python (the next request's parsing) run on the other core
  while SQLite writes, instead of the two threads handing the GIL back and forth on every row. Rows of one call must
  not repeat a conflict key (callers de-duplicate first), so one statement never updates a row twice.
- on PostgreSQL, hands the rows to psycopg's ``executemany`` (pipelined; a long multi-row statement costs psycopg
  more in query parsing than it saves).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, repeat
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.sql.dml import Insert

_Processor = Callable[[Any], Any]
_Row = tuple[Any, ...] | dict[str, Any]
_MAX_PARAMETERS = 30_000  # SQLite allows 32,766 bound parameters a statement
_MAX_PAGE = 1_000


def _closing(sql: str, opening: int) -> int:
    """The index of the parenthesis closing the one at ``opening``."""
    depth = 0
    for index in range(opening, len(sql)):
        if sql[index] == "(":
            depth += 1
        elif sql[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced parentheses in {sql!r}")


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
        self.page = 1
        if self.order is not None and dialect.name == "sqlite":
            start = self.sql.index(" VALUES (") + len(" VALUES ")
            end = _closing(self.sql, start) + 1
            self._head, self._group, self._tail = self.sql[:start], self.sql[start:end], self.sql[end:]
            if self._group.count("?") != len(self.order):
                raise ValueError(f"cannot page {self.sql!r}")
            self.page = max(1, min(_MAX_PAGE, _MAX_PARAMETERS // len(self.order)))
            self._paged: dict[int, str] = {}

    def paged_sql(self, rows: int) -> str:
        found = self._paged.get(rows)
        if found is None:
            found = self._paged[rows] = self._head + ", ".join([self._group] * rows) + self._tail
        return found


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
        if compiled.page == 1:
            connection.exec_driver_sql(compiled.sql, params)
            return
        for start in range(0, count, compiled.page):
            page = params[start : start + compiled.page]
            connection.exec_driver_sql(compiled.paged_sql(len(page)), tuple(chain.from_iterable(page)))
