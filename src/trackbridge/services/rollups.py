"""Keeping the report rollups current: after the worker stores a batch, the days its visits started on are rebuilt.

A day (in the project's time zone) is rebuilt whole from its visits, so the rollups never drift: late events, retries
and re-processing give the same rows. See docs/adr/0007-report-rollups.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from trackbridge.domain.projects import Project
from trackbridge.services.ports import UnitOfWork
from trackbridge.services.report_ports import RollupRepository

log = logging.getLogger(__name__)


class _HasRollups(Protocol):
    @property
    def rollups(self) -> RollupRepository: ...


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local day, in UTC."""
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def local_days(moments: Iterable[datetime], tz: ZoneInfo) -> set[date]:
    return {moment.astimezone(tz).date() for moment in moments}


def update_rollups(tx: _HasRollups, project: Project, session_ids: Sequence[int]) -> set[date]:
    """Marks for rebuilding every day (project time zone) on which one of ``session_ids`` started; the days.

    Cheap, inside the worker's transaction. The rebuild itself is :func:`refresh_session_rollups`, run by the worker at
    most every few seconds and by the reports before they read, so a busy day costs one rebuild per interval, not one
    per batch.
    """
    if not session_ids:
        return set()
    tz = ZoneInfo(project.timezone)
    days = local_days(tx.rollups.session_starts(project.id, session_ids), tz)
    tx.rollups.mark_days_dirty(project.id, sorted(days), datetime.now(UTC))
    return days


def refresh_session_rollups(uow: UnitOfWork, project: Project) -> int:
    """Rebuilds the visit rollups of the project's marked days, in one transaction; the number of days rebuilt."""
    with uow.read() as tx:
        pending = tx.rollups.dirty_days(project.id)
    if not pending:
        return 0
    started = datetime.now(UTC)
    tz = ZoneInfo(project.timezone)
    with uow.transaction() as tx:
        for day in pending:
            start, end = day_bounds(day, tz)
            tx.rollups.rebuild_day(project.id, day, start, end)
        tx.rollups.clear_dirty_days(project.id, pending, started)
    log.debug("rollups rebuilt", extra={"project_id": project.id, "days": len(pending)})
    return len(pending)


def refresh_all_session_rollups(uow: UnitOfWork) -> int:
    """Every project's marked days rebuilt; the number of days."""
    with uow.read() as tx:
        projects = list(tx.projects.list())
    return sum(refresh_session_rollups(uow, project) for project in projects)


ORDER_LAG = timedelta(minutes=2)
"""When orders were linked since the watermark, those linked up to this long before it are looked at again: a linking
transaction that committed after a later one (several writers on PostgreSQL) is caught by the next change."""


def order_rollups_stale(tx: _HasRollups, project: Project) -> bool:
    """Whether orders were linked since the order rollup was last brought up to date (a cheap indexed look)."""
    latest = tx.rollups.latest_order_link(project.id)
    watermark = tx.rollups.orders_watermark(project.id)
    return latest is not None and (watermark is None or latest > watermark)


def update_order_rollups(tx: _HasRollups, project: Project) -> set[date]:
    """Rebuilds the order rollup of every day (project time zone) with an order linked since the last update.

    Every order change (stored again, new status, refund, a late visit) sends the order through linking again, so the
    link time is the change marker; currency rates are applied when reports read the rollup.
    """
    if not order_rollups_stale(tx, project):
        return set()
    watermark = tx.rollups.orders_watermark(project.id)
    placed, latest = tx.rollups.orders_linked_since(project.id, None if watermark is None else watermark - ORDER_LAG)
    if latest is None:
        return set()
    tz = ZoneInfo(project.timezone)
    days = local_days(placed, tz)
    for day in sorted(days):
        start, end = day_bounds(day, tz)
        tx.rollups.rebuild_order_day(project.id, day, start, end)
    if watermark is None or latest > watermark:
        tx.rollups.set_orders_watermark(project.id, latest)
    log.debug("order rollups rebuilt", extra={"project_id": project.id, "days": len(days)})
    return days


def refresh_order_rollups(uow: UnitOfWork, project: Project) -> bool:
    """Brings one project's order rollup up to date in its own transaction, if it is behind; whether it was."""
    with uow.read() as tx:
        stale = order_rollups_stale(tx, project)
    if stale:
        with uow.transaction() as tx:
            update_order_rollups(tx, project)
    return stale


def refresh_all_order_rollups(uow: UnitOfWork) -> int:
    """The worker's idle step: every project's order rollup brought up to date; the number that were behind."""
    with uow.read() as tx:
        projects = list(tx.projects.list())
    return sum(refresh_order_rollups(uow, project) for project in projects)


def rebuild_all(tx: _HasRollups, project: Project) -> int:
    """Rebuilds every day from the first visit to the last (after an import, or to repair); the days rebuilt."""
    update_order_rollups(tx, project)
    first, last = tx.rollups.first_and_last_start(project.id)
    if first is None or last is None:
        return 0
    tz = ZoneInfo(project.timezone)
    day, final = first.astimezone(tz).date(), last.astimezone(tz).date()
    count = 0
    while day <= final:
        start, end = day_bounds(day, tz)
        tx.rollups.rebuild_day(project.id, day, start, end)
        day += timedelta(days=1)
        count += 1
    return count
