"""The tracking pipeline in SQL: the inbox queue, event ids, visitors, sessions, actions, bot counts, lookups."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, String, Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from trackbridge.adapters.db.chunks import in_chunks as _chunks
from trackbridge.adapters.db.event_codec import decode_events, encode_events
from trackbridge.adapters.db.tracking_tables import (
    actions,
    bot_hits,
    event_ids,
    inbox,
    lookup_mappings,
    matomo_order_claims,
    sessions,
    visitors,
)
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.events import Campaign, TrackedEvent
from trackbridge.domain.sessions import INACTIVITY, OpenSession, SessionDetails
from trackbridge.services.tracking_ports import InboxBatch, LookupMappings, VisitSummary

log = logging.getLogger(__name__)


class SqlTrackingRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name

    def _insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        return postgresql.insert(table) if self._dialect == "postgresql" else sqlite.insert(table)

    def _insert_with_ids(self, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        """Inserts rows with ids taken beforehand, so one executemany stores them all (RETURNING in parameter order
        would cost a statement per row on SQLite). SQLite's writer holds the database lock (BEGIN IMMEDIATE), so
        max(id) + 1 onwards is free; PostgreSQL hands out the ids from the column's sequence."""
        if self._dialect == "postgresql":
            query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
            ids = [int(i) for i in self._c.execute(query, {"table": table.name, "n": len(rows)}).scalars()]
        else:
            start = int(self._c.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
            ids = list(range(start + 1, start + 1 + len(rows)))
        limits = _string_limits(table)
        for row, row_id in zip(rows, ids, strict=True):
            row["id"] = row_id
            _fit(row, limits)
        self._c.execute(insert(table), rows)
        return ids

    # The inbox -------------------------------------------------------------------------------------------------------

    def append_inbox(
        self, project_id: int, events: Sequence[TrackedEvent], *, source: str, received_at: datetime
    ) -> int:
        statement = insert(inbox).values(
            project_id=project_id,
            received_at=received_at,
            source=source,
            event_count=len(events),
            payload=encode_events(events),
        )
        return int(self._c.execute(statement.returning(inbox.c.id)).scalar_one())

    def append_inbox_many(self, batches: Sequence[tuple[int, Sequence[TrackedEvent], str, datetime]]) -> None:
        rows = [
            {
                "project_id": project_id,
                "received_at": received_at,
                "source": source,
                "event_count": len(events),
                "payload": encode_events(events),
            }
            for project_id, events, source, received_at in batches
            if events
        ]
        if rows:
            self._c.execute(insert(inbox), rows)

    def claim_inbox(self, *, max_rows: int, max_events: int) -> list[InboxBatch]:
        query = (
            select(inbox.c.id, inbox.c.project_id, inbox.c.source, inbox.c.received_at, inbox.c.event_count)
            .where(inbox.c.processed_at.is_(None))
            .order_by(inbox.c.id)
            .limit(max_rows)
        )
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        chosen: list[int] = []
        total = 0
        for row in self._c.execute(query):
            if chosen and total + row.event_count > max_events:
                break
            chosen.append(row.id)
            total += row.event_count
        if not chosen:
            return []
        # Rows locked above but not chosen stay locked until commit; that only delays another worker a little.
        rows = self._c.execute(
            select(inbox.c.id, inbox.c.project_id, inbox.c.source, inbox.c.received_at, inbox.c.payload)
            .where(inbox.c.id.in_(chosen))
            .order_by(inbox.c.id)
        )
        batches: list[InboxBatch] = []
        for r in rows:
            try:
                events = decode_events(bytes(r.payload))
            except (ValueError, KeyError, TypeError) as error:  # unreadable: set aside (a dead letter), never retried
                log.error("unreadable inbox batch set aside", extra={"inbox_id": r.id})
                reason = f"unreadable payload: {type(error).__name__}: {error}"[:2000]
                self._c.execute(
                    update(inbox).where(inbox.c.id == r.id).values(processed_at=datetime.now(UTC), error=reason)
                )
                continue
            batches.append(InboxBatch(r.id, r.project_id, r.source, r.received_at, events))
        return batches

    def mark_processed(self, inbox_ids: Sequence[int], at: datetime, error: str | None = None) -> None:
        for chunk in _chunks(list(inbox_ids)):
            self._c.execute(update(inbox).where(inbox.c.id.in_(chunk)).values(processed_at=at, error=error))

    def pending_batches(self) -> int:
        return int(self._c.execute(select(func.count()).where(inbox.c.processed_at.is_(None))).scalar_one())

    # Events and visitors ---------------------------------------------------------------------------------------------

    def remember_event_ids(self, project_id: int, ids: Sequence[str]) -> set[str]:
        statement = upsert(self._dialect, event_ids, ["project_id", "event_id"]).returning(event_ids.c.event_id)
        fresh: set[str] = set()
        for chunk in _chunks(sorted(set(ids))):
            rows = [{"project_id": project_id, "event_id": event_id} for event_id in chunk]
            fresh.update(self._c.execute(statement, rows).scalars())
        return fresh

    def touch_visitors(self, project_id: int, spans: dict[str, tuple[datetime, datetime]]) -> dict[str, int | None]:
        base = self._insert(visitors)
        least, greatest = (func.least, func.greatest) if self._dialect == "postgresql" else (func.min, func.max)
        statement = base.on_conflict_do_update(
            index_elements=["project_id", "visitor_id"],
            set_={
                "first_seen": least(visitors.c.first_seen, base.excluded.first_seen),
                "last_seen": greatest(visitors.c.last_seen, base.excluded.last_seen),
            },
        ).returning(visitors.c.visitor_id, visitors.c.customer_id)
        customers: dict[str, int | None] = {}
        for visitor_id in sorted(spans):  # one at a time, in order: row locks are taken in the same order everywhere
            first, last = spans[visitor_id]
            values = statement.values(project_id=project_id, visitor_id=visitor_id, first_seen=first, last_seen=last)
            row = self._c.execute(values).one()
            customers[row.visitor_id] = row.customer_id
        return customers

    # Sessions and actions --------------------------------------------------------------------------------------------

    def open_sessions(
        self, project_id: int, visitor_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[OpenSession]:
        found: list[OpenSession] = []
        for chunk in _chunks(sorted(set(visitor_ids))):
            query = select(sessions).where(
                sessions.c.project_id == project_id,
                sessions.c.visitor_id.in_(chunk),
                sessions.c.last_action_at >= start - INACTIVITY,
                sessions.c.started_at <= end + INACTIVITY,
            )
            found.extend(_open_session(row) for row in self._c.execute(query).mappings())
        return found

    def add_sessions(self, project_id: int, new: Sequence[tuple[OpenSession, SessionDetails, int | None]]) -> list[int]:
        if not new:
            return []
        rows = [
            {
                "project_id": project_id,
                "visitor_id": s.visitor_id,
                "customer_id": customer_id,
                **_counters(s),
                **_source_columns(details),
                **_request_columns(details),
            }
            for s, details, customer_id in new
        ]
        return self._insert_with_ids(sessions, rows)

    def update_sessions(self, project_id: int, changed: Sequence[tuple[OpenSession, SessionDetails | None]]) -> None:
        plain = [{"b_id": s.key, **_counters(s)} for s, details in changed if details is None]
        entry = [{"b_id": s.key, **_counters(s), **_source_columns(d)} for s, d in changed if d is not None]
        limits = _string_limits(sessions)
        for rows in (plain, entry):
            for row in rows:
                _fit(row, limits)
            if rows:
                names = [name for name in rows[0] if name != "b_id"]
                statement = (
                    update(sessions)
                    .where(sessions.c.id == bindparam("b_id"))
                    .values({name: bindparam(name) for name in names})
                )
                self._c.execute(statement, rows)

    def add_actions(self, project_id: int, placed: Sequence[tuple[TrackedEvent, int]]) -> list[int]:
        if not placed:
            return []
        rows = [
            {
                "project_id": project_id,
                "session_id": session_id,
                "visitor_id": event.visitor_id,
                "event_id": event.event_id,
                "type": event.type.value,
                "occurred_at": event.occurred_at,
                "url": event.url,
                "title": event.title,
                "properties": event.properties,
            }
            for event, session_id in placed
        ]
        return self._insert_with_ids(actions, rows)

    def visitor_sessions(self, project_id: int, visitor_id: str) -> list[VisitSummary]:
        query = (
            select(sessions)
            .where(sessions.c.project_id == project_id, sessions.c.visitor_id == visitor_id)
            .order_by(sessions.c.started_at, sessions.c.id)
        )
        return [
            VisitSummary(
                id=row["id"],
                visitor_id=row["visitor_id"],
                customer_id=row["customer_id"],
                started_at=row["started_at"],
                last_action_at=row["last_action_at"],
                has_checkout=bool(row["has_checkout"]),
                order_ids=list(row["order_ids"] or []),
            )
            for row in self._c.execute(query).mappings()
        ]

    # Bots, lookups, Matomo order claims ------------------------------------------------------------------------------

    def count_bot_hits(self, project_id: int, per_day: dict[date, int]) -> None:
        base = self._insert(bot_hits)
        statement = base.on_conflict_do_update(
            index_elements=["project_id", "day"], set_={"count": bot_hits.c.count + base.excluded["count"]}
        )
        for day in sorted(per_day):
            self._c.execute(statement.values(project_id=project_id, day=day, count=per_day[day]))

    def bot_hits(self, project_id: int) -> dict[date, int]:
        rows = self._c.execute(select(bot_hits.c.day, bot_hits.c.count).where(bot_hits.c.project_id == project_id))
        return {day: int(count) for day, count in rows}

    def lookup_mappings(self, project_id: int, kind: str) -> LookupMappings:
        query = select(lookup_mappings.c.field, lookup_mappings.c.value, lookup_mappings.c.target).where(
            lookup_mappings.c.project_id == project_id, lookup_mappings.c.kind == kind
        )
        return {(row.field, row.value): row.target for row in self._c.execute(query)}

    def replace_lookup_mappings(self, project_id: int, kind: str, mappings: LookupMappings) -> None:
        self._c.execute(
            delete(lookup_mappings).where(lookup_mappings.c.project_id == project_id, lookup_mappings.c.kind == kind)
        )
        if mappings:
            rows = [
                {"project_id": project_id, "kind": kind, "field": f, "value": v, "target": t}
                for (f, v), t in mappings.items()
            ]
            self._c.execute(insert(lookup_mappings), rows)

    def claim_matomo_order(self, project_id: int, order_id: str, at: datetime) -> bool:
        statement = upsert(self._dialect, matomo_order_claims, ["project_id", "order_id"])
        values = statement.values(project_id=project_id, order_id=order_id, claimed_at=at)
        return self._c.execute(values.returning(matomo_order_claims.c.order_id)).first() is not None


@functools.cache
def _string_limits(table: Table) -> dict[str, int]:
    return {c.name: c.type.length for c in table.c if isinstance(c.type, String) and c.type.length}


def _fit(row: dict[str, Any], limits: dict[str, int]) -> None:
    """Cuts strings to their column's length: PostgreSQL refuses longer ones, and a whole batch would fail."""
    for name, limit in limits.items():
        value = row.get(name)
        if isinstance(value, str) and len(value) > limit:
            row[name] = value[:limit]


def _open_session(row: RowMapping) -> OpenSession:
    return OpenSession(
        key=row["id"],
        visitor_id=row["visitor_id"],
        started_at=row["started_at"],
        last_action_at=row["last_action_at"],
        campaign=Campaign(
            id=row["utm_id"],
            source=row["utm_source"],
            medium=row["utm_medium"],
            name=row["utm_campaign"],
            term=row["utm_term"],
            content=row["utm_content"],
        ),
        action_count=row["action_count"],
        entry_url=row["entry_url"],
        has_checkout=bool(row["has_checkout"]),
        order_ids=list(row["order_ids"] or []),
    )


def _counters(s: OpenSession) -> dict[str, Any]:
    return {
        "started_at": s.started_at,
        "last_action_at": s.last_action_at,
        "duration_seconds": s.duration_seconds,
        "action_count": s.action_count,
        "entry_url": s.entry_url,
        "has_checkout": s.has_checkout,
        "order_ids": list(s.order_ids),
    }


def _source_columns(d: SessionDetails) -> dict[str, Any]:
    source, campaign = d.source, d.campaign
    return {
        "referrer_url": source.referrer_url if source else None,
        "referrer_type": source.referrer_type if source else None,
        "referrer_name": source.referrer_name if source else None,
        "referrer_keyword": source.referrer_keyword if source else None,
        "utm_id": campaign.id,
        "utm_source": campaign.source,
        "utm_medium": campaign.medium,
        "utm_campaign": campaign.name,
        "utm_term": campaign.term,
        "utm_content": campaign.content,
        "channel": d.channel,
        "lead_source": d.lead_source,
    }


def _request_columns(d: SessionDetails) -> dict[str, Any]:
    device, location = d.device, d.location
    return {
        "country_code": location.country_code if location else None,
        "country_name": location.country_name if location else None,
        "region_code": location.region_code if location else None,
        "region_name": location.region_name if location else None,
        "city": location.city if location else None,
        "latitude": location.latitude if location else None,
        "longitude": location.longitude if location else None,
        "os_name": device.os_name if device else None,
        "os_version": device.os_version if device else None,
        "device_type": device.device_type if device else None,
        "device_brand": device.device_brand if device else None,
        "device_model": device.device_model if device else None,
        "browser_name": device.browser_name if device else None,
        "browser_version": device.browser_version if device else None,
        "ip": d.ip,
        "user_agent": d.user_agent,
        "origin": d.origin,
    }
