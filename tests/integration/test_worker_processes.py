"""`trackbridge worker` processes: killed with SIGKILL mid-backlog and restarted, and two of them on one backlog.

Every accepted event must take effect exactly once: one action per distinct accepted event id, no inbox row left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from trackbridge.adapters.db.tracking_tables import actions, inbox, sessions
from trackbridge.config import Settings
from trackbridge.domain.events import EventType, TrackedEvent
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services.ingest import accept_events

VISITORS = 200
EVENTS_PER_VISITOR = 100
BATCH = 50
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


def reader(container: Container) -> sa.Connection:
    """A read-only connection: on SQLite it must not queue for the write lock the worker keeps taking."""
    return container.engine.execution_options(sqlite_read_only=True).connect()


def visitor_id(n: int) -> str:
    return f"{n:016x}"


def accept_backlog(container: Container, credentials: ProjectCredentials) -> int:
    """20,000 events: per visitor two visits (50 events a minute apart, then 50 more three hours later)."""
    events = [
        TrackedEvent(
            event_id=f"v{v}-e{i}",
            type=EventType.PAGE_VIEW,
            visitor_id=visitor_id(v),
            occurred_at=START + timedelta(minutes=i) + (timedelta(hours=3) if i >= 50 else timedelta(0)),
            url=f"https://shop.example/{i}",
        )
        for i in range(EVENTS_PER_VISITOR)
        for v in range(VISITORS)
    ]
    for start in range(0, len(events), BATCH):
        accept_events(container.uow, credentials.project, events[start : start + BATCH], source="server")
    return len(events)


def worker(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRACKBRIDGE_ENV": "test",
        "TRACKBRIDGE_DATABASE_URL": settings.resolved_database_url,
        "TRACKBRIDGE_DATA_DIR": str(settings.data_dir),
        "TRACKBRIDGE_SECRET_KEY": settings.secret_key or "",
        "TRACKBRIDGE_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "trackbridge.entrypoints.cli.main", "worker", "--poll-seconds", "0.1", *args]
    return subprocess.Popen(
        command, env=env, cwd=Path(__file__).parents[2], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def counts(container: Container) -> tuple[int, int, int, int]:
    """(actions, distinct event ids among them, unprocessed inbox rows, visits)."""
    with reader(container) as connection:
        total = connection.execute(sa.select(sa.func.count()).select_from(actions)).scalar_one()
        distinct = connection.execute(sa.select(sa.func.count(sa.distinct(actions.c.event_id)))).scalar_one()
        pending = connection.execute(sa.select(sa.func.count()).where(inbox.c.processed_at.is_(None))).scalar_one()
        visits = connection.execute(sa.select(sa.func.count()).select_from(sessions)).scalar_one()
    return total, distinct, pending, visits


def finish(process: subprocess.Popen[bytes], timeout: float = 240) -> None:
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"worker did not drain the backlog in {timeout} s: {output.decode()[-2000:]}")
    assert process.returncode == 0, output.decode()[-2000:]


@pytest.mark.timeout(600)
def test_worker_killed_mid_backlog_and_restarted_processes_every_event_once(
    settings: Settings, container: Container, seed_project: ProjectCredentials
) -> None:
    accepted = accept_backlog(container, seed_project)
    process = worker(settings, "--max-events", "500")
    deadline = time.monotonic() + 240
    while counts(container)[0] == 0:
        assert process.poll() is None, process.communicate()[0].decode()[-2000:]
        assert time.monotonic() < deadline, "the worker processed nothing"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    done_at_kill = counts(container)[0]
    assert 0 < done_at_kill < accepted

    finish(worker(settings, "--until-empty", "--no-yield"))
    total, distinct, pending, visits = counts(container)
    assert (total, distinct, pending) == (accepted, accepted, 0)
    assert visits == 2 * VISITORS


@pytest.mark.timeout(600)
def test_two_workers_on_postgresql_share_a_backlog_without_overlap_or_gaps(
    settings: Settings, container: Container, seed_project: ProjectCredentials, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers need PostgreSQL; SQLite has a single writer")
    accepted = accept_backlog(container, seed_project)
    first = worker(settings, "--until-empty", "--max-events", "500")
    second = worker(settings, "--until-empty", "--max-events", "500")
    finish(first)
    finish(second)
    # A worker stops when nothing is claimable; one more pass picks up anything the other held when it stopped.
    finish(worker(settings, "--until-empty"))
    total, distinct, pending, visits = counts(container)
    assert (total, distinct, pending) == (accepted, accepted, 0)
    assert visits == 2 * VISITORS
