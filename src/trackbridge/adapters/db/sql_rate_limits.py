"""The rate limiter every worker process shares through the database: at most ``limit`` requests per account in any
window of ``window_seconds``.

Each account key has ``limit`` slots. A slot holds the moment its last request *ended* (or, while one is in flight, the
end of its lease), and is free again one window after that. Counting from the end rather than the start keeps the
guarantee on the receiving side whatever the network does: a request arrives before it ends, so the next request in
the same slot arrives more than one window after it. The slots are locked while one is picked (``SELECT ... FOR
UPDATE`` on PostgreSQL; SQLite's writers are serialised by ``BEGIN IMMEDIATE``), in a short transaction of its own.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from trackbridge.adapters.db.export_tables import rate_limits
from trackbridge.domain.export import RatePermit

_US = 1_000_000


class SqlRateLimitRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._postgres = connection.dialect.name == "postgresql"

    def _slots(self, key: str) -> list[tuple[int, int]]:
        query = select(rate_limits.c.slot, rate_limits.c.busy_until_us).where(rate_limits.c.key == key)
        query = query.order_by(rate_limits.c.slot)
        if self._postgres:
            query = query.with_for_update()
        return [(int(slot), int(until)) for slot, until in self._c.execute(query)]

    def acquire(self, key: str, limit: int, window_seconds: float, now_us: int, lease_seconds: float) -> RatePermit:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        slots = self._slots(key)
        if len(slots) != limit:
            self._resize(key, limit)
            slots = self._slots(key)
        slot, busy_until = min(slots, key=lambda item: (item[1], item[0]))
        free_at = busy_until + int(window_seconds * _US)
        if free_at > now_us:
            return RatePermit(wait_seconds=(free_at - now_us) / _US)
        self._c.execute(
            update(rate_limits)
            .where(rate_limits.c.key == key, rate_limits.c.slot == slot)
            .values(busy_until_us=now_us + int(lease_seconds * _US))
        )
        return RatePermit(wait_seconds=0.0, slot=slot)

    def _resize(self, key: str, limit: int) -> None:
        self._c.execute(delete(rate_limits).where(rate_limits.c.key == key, rate_limits.c.slot >= limit))
        statement = postgresql.insert(rate_limits) if self._postgres else sqlite.insert(rate_limits)
        self._c.execute(
            statement.on_conflict_do_nothing(index_elements=["key", "slot"]),
            [{"key": key, "slot": slot, "busy_until_us": 0} for slot in range(limit)],
        )

    def release(self, key: str, slot: int, done_us: int) -> None:
        self._c.execute(
            update(rate_limits)
            .where(rate_limits.c.key == key, rate_limits.c.slot == slot)
            .values(busy_until_us=done_us)
        )
