"""The outbound worker: queues scheduled connector runs and runs due outbox jobs, on its own thread so that slow
outside systems never hold up the processing of tracked events."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime

from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.jobs.registry import build_handlers
from trackbridge.services.connectors import enqueue_scheduled_runs
from trackbridge.services.outbox import Clock, run_due_jobs, utc_now

log = logging.getLogger(__name__)

SCHEDULE_CHECK_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 30.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class OutboundWorker:
    def __init__(self, container: Container, *, poll_seconds: float = 0.5, clock: Clock = utc_now) -> None:
        self._container = container
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._handlers = build_handlers(container)

    def run_once(self) -> int:
        """Queues the scheduled runs that are due, then runs one round of due jobs; the number of jobs run."""
        enqueue_scheduled_runs(self._container.uow, self._clock)
        return run_due_jobs(
            self._container.uow,
            self._container.box,
            self._handlers,
            worker=worker_name(),
            clock=self._clock,
            policy=self._container.outbox_policy,
        )

    def run(self, stop: threading.Event) -> None:
        backoff = self._poll_seconds
        log.info("outbound worker started")
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:
                log.exception("outbound round failed; retrying", extra={"retry_in": backoff})
                stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff = self._poll_seconds
            if ran == 0:
                stop.wait(self._poll_seconds)
        log.info("outbound worker stopped")


def drain_outbox(container: Container, *, clock: Clock = utc_now, max_rounds: int = 1000) -> int:
    """Runs due jobs (and due schedules) until none is due; the number of jobs run (tests, one-off CLI runs)."""
    worker = OutboundWorker(container, clock=clock)
    total = 0
    for _ in range(max_rounds):
        ran = worker.run_once()
        total += ran
        if ran == 0:
            break
    return total


def frozen(moment: datetime) -> Clock:
    """A clock that always answers ``moment`` (tests; fixtures carry fixed dates)."""
    return lambda: moment
