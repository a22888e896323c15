"""Accepting tracked events: append them to the durable inbox, nothing more. The worker does the rest.

``append_events`` writes inside a caller's transaction (the Matomo endpoint also writes its order-id claims there);
``accept_events`` is durable when it returns; ``InboxWriter`` does the same for many concurrent requests with one
commit (group commit): each request waits on the commit that holds its batch.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

from trackbridge.domain.events import TrackedEvent
from trackbridge.domain.projects import Project
from trackbridge.services.ports import Transaction, UnitOfWork

log = logging.getLogger(__name__)

MAX_GROUP_EVENTS = 20_000
"""At most this many events go into one group commit (a bound on the transaction's size)."""
IDLE_SECONDS = 5.0
"""The writer thread ends after this long without work, and starts again with the next request."""


def append_events(
    tx: Transaction, project: Project, events: Sequence[TrackedEvent], *, source: str, received_at: datetime
) -> None:
    """Appends one accepted batch to the inbox, inside the caller's transaction."""
    if events:
        tx.tracking.append_inbox(project.id, events, source=source, received_at=received_at)


def accept_events(uow: UnitOfWork, project: Project, events: Sequence[TrackedEvent], *, source: str) -> None:
    """Appends a batch in its own transaction: durable when this returns."""
    with uow.transaction() as tx:
        append_events(tx, project, events, source=source, received_at=datetime.now(UTC))


@dataclass
class _Pending:
    project: Project
    events: Sequence[TrackedEvent]
    source: str
    received_at: datetime
    done: Future[None] = field(default_factory=Future)


class InboxWriter:
    """One writer thread that commits the batches of concurrent requests together.

    ``submit`` answers a future that completes when the batch is committed (or fails with the commit's error), so an
    async handler can await it without holding a thread. A crash before the commit loses only unanswered batches.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(
        self, project: Project, events: Sequence[TrackedEvent], *, source: str, received_at: datetime
    ) -> Future[None]:
        pending = _Pending(project, events, source, received_at)
        self._queue.put(pending)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)
                self._thread.start()
        return pending.done

    def accept(self, project: Project, events: Sequence[TrackedEvent], *, source: str) -> None:
        """Blocking form of submit, for callers on a thread."""
        self.submit(project, events, source=source, received_at=datetime.now(UTC)).result()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            group = [first]
            size = len(first.events)
            while size < MAX_GROUP_EVENTS:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                group.append(item)
                size += len(item.events)
            self._commit(group)

    def _commit(self, group: list[_Pending]) -> None:
        try:
            with self._uow.transaction() as tx:
                tx.tracking.append_inbox_many(
                    [(item.project.id, item.events, item.source, item.received_at) for item in group]
                )
        except Exception as error:  # every waiting request must learn that its batch was not stored
            log.exception("inbox append failed", extra={"batches": len(group)})
            for item in group:
                item.done.set_exception(error)
            return
        for item in group:
            item.done.set_result(None)
