"""The SQL unit of work: one connection and transaction per use case, repositories bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from threading import RLock

from sqlalchemy import Connection, Engine

from trackbridge.adapters.db.sql_connectors import SqlConnectorRepository
from trackbridge.adapters.db.sql_customer_list import SqlCustomerListRepository
from trackbridge.adapters.db.sql_customer_profile import SqlCustomerProfileRepository
from trackbridge.adapters.db.sql_dashboard import SqlDashboardRepository
from trackbridge.adapters.db.sql_export_queue import SqlExportRepository
from trackbridge.adapters.db.sql_identity import SqlIdentityRepository
from trackbridge.adapters.db.sql_matomo_import import SqlMatomoImportRepository
from trackbridge.adapters.db.sql_matomo_push import SqlMatomoPushRepository
from trackbridge.adapters.db.sql_merges import SqlMergeRepository
from trackbridge.adapters.db.sql_order_events import SqlOrderEventRepository
from trackbridge.adapters.db.sql_order_links import SqlOrderLinkRepository
from trackbridge.adapters.db.sql_outbox import SqlOutboundLogRepository, SqlOutboxRepository
from trackbridge.adapters.db.sql_projects import SqlApiKeyRepository, SqlProjectRepository
from trackbridge.adapters.db.sql_rate_limits import SqlRateLimitRepository
from trackbridge.adapters.db.sql_reads import SqlReadRepository
from trackbridge.adapters.db.sql_reports import SqlReportRepository
from trackbridge.adapters.db.sql_resources import SqlResourceRepository
from trackbridge.adapters.db.sql_rollups import SqlRollupRepository
from trackbridge.adapters.db.sql_timeline import SqlTimelineRepository
from trackbridge.adapters.db.sql_tracking import SqlTrackingRepository
from trackbridge.adapters.db.sql_uploads import SqlCrmRepository, SqlUploadRepository
from trackbridge.adapters.db.sql_users import SqlUserRepository
from trackbridge.services.ports import SecretBox


class SqlTransaction:
    def __init__(self, connection: Connection, secret_box: SecretBox | None = None) -> None:
        self.connection = connection
        self.secret_box = secret_box
        self.projects = SqlProjectRepository(connection)
        self.api_keys = SqlApiKeyRepository(connection)
        self.resources = SqlResourceRepository(connection)
        self.reads = SqlReadRepository(connection)
        self.tracking = SqlTrackingRepository(connection)
        self.identities = SqlIdentityRepository(connection)
        self.merges = SqlMergeRepository(connection)
        self.timeline = SqlTimelineRepository(connection)
        self.uploads = SqlUploadRepository(connection)
        self.crm = SqlCrmRepository(connection)
        self.order_events = SqlOrderEventRepository(connection)
        self.order_links = SqlOrderLinkRepository(connection)
        self.rollups = SqlRollupRepository(connection)
        self.reports = SqlReportRepository(connection)
        self.users = SqlUserRepository(connection)
        self.dashboard = SqlDashboardRepository(connection)
        self.customer_list = SqlCustomerListRepository(connection)
        self.customer_profile = SqlCustomerProfileRepository(connection)
        self.connectors = SqlConnectorRepository(connection)
        self.outbox = SqlOutboxRepository(connection)
        self.outbound_log = SqlOutboundLogRepository(connection)
        self.exports = SqlExportRepository(connection)
        self.rate_limits = SqlRateLimitRepository(connection)
        self.matomo_push = SqlMatomoPushRepository(connection)
        self.matomo_import = SqlMatomoImportRepository(connection)


class SqlUnitOfWork:
    def __init__(self, engine: Engine, secret_box: SecretBox | None = None) -> None:
        self.engine = engine
        self._secret_box = secret_box
        self._reader = engine.execution_options(sqlite_read_only=True)
        # SQLite has one writer at a time. This process's writers queue on a lock and start the moment it is free;
        # waiting in SQLite's busy handler instead polls with sleeps of up to 100 ms, leaving the database idle.
        self._write_lock: AbstractContextManager[object] = RLock() if engine.dialect.name == "sqlite" else nullcontext()

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        with self._write_lock, self.engine.begin() as connection:
            yield SqlTransaction(connection, self._secret_box)

    @contextmanager
    def read(self) -> Iterator[SqlTransaction]:
        with self._reader.connect() as connection:
            yield SqlTransaction(connection, self._secret_box)
            connection.rollback()
