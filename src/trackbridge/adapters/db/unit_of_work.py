"""The SQL unit of work: one connection and transaction per use case, repositories bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from trackbridge.adapters.db.sql_projects import SqlApiKeyRepository, SqlProjectRepository
from trackbridge.adapters.db.sql_reads import SqlReadRepository
from trackbridge.adapters.db.sql_resources import SqlResourceRepository


class SqlTransaction:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.projects = SqlProjectRepository(connection)
        self.api_keys = SqlApiKeyRepository(connection)
        self.resources = SqlResourceRepository(connection)
        self.reads = SqlReadRepository(connection)


class SqlUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = engine.execution_options(sqlite_read_only=True)

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        with self.engine.begin() as connection:
            yield SqlTransaction(connection)

    @contextmanager
    def read(self) -> Iterator[SqlTransaction]:
        with self._reader.connect() as connection:
            yield SqlTransaction(connection)
            connection.rollback()
