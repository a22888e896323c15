"""Raw data for export, a page at a time: visits, events (actions) and orders of a time range, in keyset order
(time, id), so that any export is read in pages of a bounded size and never held whole."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from trackbridge.adapters.db.order_tables import order_links
from trackbridge.adapters.db.tables import orders
from trackbridge.adapters.db.tracking_tables import actions, sessions

EXPORTS = ("sessions", "events", "orders")
Cursor = tuple[datetime, Any] | None


class SqlExportRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def page(
        self, kind: str, project_id: int, start: datetime, end: datetime, after: Cursor, size: int
    ) -> list[dict[str, Any]]:
        """Up to ``size`` rows of ``kind`` with their time in [start, end), after the cursor (time, id)."""
        if kind == "sessions":
            moment, key = sessions.c.started_at, sessions.c.id
            query = sa.select(sessions).where(sessions.c.project_id == project_id)
        elif kind == "events":
            moment, key = actions.c.occurred_at, actions.c.id
            query = sa.select(actions).where(actions.c.project_id == project_id)
        else:
            moment, key = orders.c.placed_at, orders.c.id
            linked = sa.and_(order_links.c.project_id == orders.c.project_id, order_links.c.order_id == orders.c.id)
            query = (
                sa.select(orders, order_links.c.session_id.label("linked_session_id"))
                .select_from(orders.outerjoin(order_links, linked))
                .where(orders.c.project_id == project_id)
            )
        query = query.where(moment >= start, moment < end)
        if after is not None:
            query = query.where(sa.or_(moment > after[0], sa.and_(moment == after[0], key > after[1])))
        query = query.order_by(moment, key).limit(size)
        return [{str(k): v for k, v in row.items()} for row in self._connection.execute(query).mappings()]
