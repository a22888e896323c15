"""The worker loop: processes the inbox until told to stop (SIGTERM, or an empty backlog with ``until_empty``).

``trackbridge worker`` runs it standalone; ``trackbridge serve`` runs it on a background thread unless ``--no-worker``.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import DBAPIError, OperationalError

from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.outbound_worker import OutboundWorker
from trackbridge.services.enrichment_pipeline import Enricher
from trackbridge.services.order_linking import link_pending
from trackbridge.services.processing import Limits, process_pending
from trackbridge.services.rollups import refresh_all_order_rollups, refresh_all_session_rollups

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
SQLITE_MAX_EVENTS = 2_000
SQLITE_YIELD_SECONDS = 0.1


def is_transient(error: BaseException) -> bool:
    """Database failures worth retrying as they are: lost connections, deadlocks, lock time-outs."""
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


def build_enricher(container: Container) -> Enricher:
    return Enricher(
        devices=container.device_detector, geo=container.geo_locator, anonymize_level=container.settings.anonymize_ip
    )


ROLLUP_INTERVAL_SECONDS = 5.0
"""During a long backlog, visit rollups are rebuilt at most this often (and whenever the inbox is empty)."""


class Worker:
    """Processes the inbox in transactions of a few thousand events.

    On SQLite every writer queues for one lock, and a waiting writer only retries every 100 ms or so (SQLite's busy
    handler), so a worker that started its next transaction at once would starve the HTTP server's inbox appends.
    It pauses ``yield_seconds`` (default 0.1 s on SQLite, none on PostgreSQL) after each transaction, and keeps its
    transactions smaller there (2,000 events, a few hundred milliseconds).
    """

    def __init__(
        self,
        container: Container,
        *,
        poll_seconds: float = 0.5,
        limits: Limits | None = None,
        yield_seconds: float | None = None,
    ) -> None:
        sqlite = container.engine.dialect.name == "sqlite"
        self._container = container
        self._poll_seconds = poll_seconds
        self._limits = limits or (Limits(max_events=SQLITE_MAX_EVENTS) if sqlite else Limits())
        self._yield_seconds = yield_seconds if yield_seconds is not None else (SQLITE_YIELD_SECONDS if sqlite else 0.0)
        self._enricher = build_enricher(container)

    def run(self, stop: threading.Event, *, until_empty: bool = False) -> int:
        """Processes batches until ``stop`` is set (or, with ``until_empty``, nothing is pending); batches done."""
        done = 0
        last_rollup = time.monotonic()
        backoff = self._poll_seconds
        log.info("worker started", extra={"database": self._container.engine.dialect.name})
        while not stop.is_set():
            try:
                count = process_pending(self._container.uow, self._enricher, self._limits, is_transient)
            except Exception:
                log.exception("processing failed; retrying", extra={"retry_in": backoff})
                stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff = self._poll_seconds
            done += count
            if count == 0:
                try:  # an idle inbox leaves time for orders stored through the API or uploads
                    linked = link_pending(self._container.uow)
                except Exception:
                    log.exception("order linking failed; retrying", extra={"retry_in": backoff})
                    linked = 0
                if linked:
                    if self._yield_seconds:  # let the HTTP server's writers in between linking transactions
                        stop.wait(self._yield_seconds)
                    continue
                try:  # orders linked meanwhile move the order rollup the reports read
                    refresh_all_order_rollups(self._container.uow)
                    refresh_all_session_rollups(self._container.uow)
                    last_rollup = time.monotonic()
                except Exception:
                    log.exception("rollup refresh failed; retrying")
                if until_empty:
                    break
                stop.wait(self._poll_seconds)
            else:
                if time.monotonic() - last_rollup >= ROLLUP_INTERVAL_SECONDS:  # a long backlog: keep reports near
                    try:
                        refresh_all_session_rollups(self._container.uow)
                    except Exception:
                        log.exception("rollup refresh failed; retrying")
                    last_rollup = time.monotonic()
                if self._yield_seconds:
                    stop.wait(self._yield_seconds)
        log.info("worker stopped", extra={"batches": done})
        return done


def drain(container: Container) -> int:
    """Processes everything pending, then returns (tests, one-off runs); the number of batches processed."""
    return Worker(container, yield_seconds=0).run(threading.Event(), until_empty=True)


class BackgroundWorker:
    """The worker on daemon threads of the server process: the inbox on one, outbound jobs on another."""

    def __init__(self, container: Container) -> None:
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=Worker(container).run, args=(self._stop,), name="worker", daemon=True),
            threading.Thread(
                target=OutboundWorker(container).run, args=(self._stop,), name="outbound-worker", daemon=True
            ),
        ]

    def start(self) -> BackgroundWorker:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
