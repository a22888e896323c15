"""Helpers of the Matomo import tests: a connector to the fake Matomo, the outbox run on a frozen clock, row counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tests.support.fake_matomo import TOKEN, FakeMatomo
from trackbridge.adapters.connectors.matomo.settings import parse_settings
from trackbridge.adapters.db.matomo_import_tables import matomo_visits
from trackbridge.adapters.db.outbound_tables import outbox_jobs
from trackbridge.adapters.db.tracking_tables import actions, sessions
from trackbridge.domain.outbound import Connector, ConnectorKind
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.outbound_worker import drain_outbox, frozen
from trackbridge.services import connectors

FIXED_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""The fixtures' visits are on 2026-11-22."""


def later_than_now() -> datetime:
    """A frozen moment for tests whose jobs are queued by the worker on the real clock: after it, never before the
    fixtures' dates (the connector looks back ten years in those tests, so the fixtures stay in reach)."""
    return max(datetime.now(UTC), FIXED_NOW).replace(microsecond=0) + timedelta(minutes=1)


def add_matomo(
    container: Container,
    project: Project,
    now: datetime,
    *,
    token: str = TOKEN,
    url: str = "http://matomo.test",
    **settings: Any,
) -> Connector:
    # by default a schedule that never fires during a test (29 February): a daily 02:00 run falling between a test's
    # moments would add jobs; the scheduled-run test sets the real default
    raw = {"url": url, "siteId": 1, "lookbackDays": 3650, "schedule": "0 0 29 2 *", **settings}
    return connectors.add_connector(
        container.uow,
        container.box,
        project,
        ConnectorKind.MATOMO,
        "matomo",
        raw,
        token,
        parse_settings,
        clock=frozen(now),
    )


def use_fake(container: Container, fake: FakeMatomo) -> None:
    container.http_transport = fake.transport()


def run_jobs(container: Container, now: datetime) -> int:
    return drain_outbox(container, clock=frozen(now))


def rows(container: Container, query: sa.Select[Any]) -> list[dict[str, Any]]:
    with container.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def count(container: Container, table: sa.Table) -> int:
    with container.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def snapshot(container: Container) -> dict[str, Any]:
    """Everything the import writes, to compare two runs."""
    return {
        "sessions": rows(container, sa.select(sessions).order_by(sessions.c.id)),
        "actions": rows(container, sa.select(actions).order_by(actions.c.id)),
        "visits": rows(container, sa.select(matomo_visits).order_by(matomo_visits.c.id)),
    }


def jobs(container: Container, kind: str) -> list[dict[str, Any]]:
    return rows(container, sa.select(outbox_jobs).where(outbox_jobs.c.kind == kind).order_by(outbox_jobs.c.id))


def sessions_of(container: Container, visitor: str) -> list[dict[str, Any]]:
    return rows(container, sa.select(sessions).where(sessions.c.visitor_id == visitor).order_by(sessions.c.started_at))


def actions_of(container: Container, session_id: int) -> list[dict[str, Any]]:
    query = sa.select(actions).where(actions.c.session_id == session_id).order_by(actions.c.occurred_at, actions.c.id)
    return rows(container, query)
