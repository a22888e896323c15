"""The Matomo import in SQL: imported visits by their Matomo key, each customer's import state, expanded lookups."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, union, update

from trackbridge.adapters.db.chunks import in_chunks
from trackbridge.adapters.db.identity_tables import identity_links
from trackbridge.adapters.db.matomo_import_tables import (
    action_types,
    matomo_import_state,
    matomo_visits,
    referral_sources,
    web_pages,
)
from trackbridge.adapters.db.sql_tracking import _counters, _fit, _request_columns, _source_columns, _string_limits
from trackbridge.adapters.db.tables import customers, orders
from trackbridge.adapters.db.tracking_tables import actions, sessions, visitors
from trackbridge.adapters.db.upload_tables import customer_visitor_ids
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.events import EventType
from trackbridge.domain.matomo_visits import MATOMO_ACTION_NAMES, ImportedVisit, StoredAction, TrackedVisit
from trackbridge.domain.sessions import CHECKOUT_TYPES, OpenSession, SessionDetails
from trackbridge.services.matomo_import_ports import CustomerKeys, StoredVisit
from trackbridge.services.matomo_import_store import IMPORT_ORIGIN

ADDED_BY = "matomo"


class SqlMatomoImportRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name

    # Who to import -----------------------------------------------------------------------------------------------

    def identified_customers(self, project_id: int) -> list[int]:
        linked = select(identity_links.c.customer_id).where(
            identity_links.c.project_id == project_id, identity_links.c.ended_at.is_(None)
        )
        visited = select(visitors.c.customer_id).where(
            visitors.c.project_id == project_id, visitors.c.customer_id.is_not(None)
        )
        given = select(customer_visitor_ids.c.customer_id).where(customer_visitor_ids.c.project_id == project_id)
        query = union(linked, visited, given).subquery()
        return sorted(int(value) for value in self._c.execute(select(query.c[0])).scalars() if value is not None)

    def customer_keys(self, project_id: int, customer_id: int) -> CustomerKeys | None:
        row = self._c.execute(
            select(customers.c.email, customers.c.external_id).where(
                customers.c.project_id == project_id, customers.c.id == customer_id
            )
        ).first()
        if row is None:
            return None
        linked = select(visitors.c.visitor_id).where(
            visitors.c.project_id == project_id, visitors.c.customer_id == customer_id
        )
        given = select(customer_visitor_ids.c.visitor_id).where(
            customer_visitor_ids.c.project_id == project_id, customer_visitor_ids.c.customer_id == customer_id
        )
        ids = sorted(set(self._c.execute(linked).scalars()) | set(self._c.execute(given).scalars()))
        return CustomerKeys(customer_id, row.email, row.external_id, ids)

    def last_success(self, connector_id: int, customer_id: int) -> datetime | None:
        return self._c.execute(
            select(matomo_import_state.c.last_success_at).where(
                matomo_import_state.c.connector_id == connector_id, matomo_import_state.c.customer_id == customer_id
            )
        ).scalar()

    def record_run(
        self, connector_id: int, project_id: int, customer_id: int, at: datetime, *, error: str | None, visits: int
    ) -> None:
        override = ["last_attempt_at", "last_error"] + ([] if error else ["last_success_at", "visits_imported"])
        statement = upsert(self._dialect, matomo_import_state, ["connector_id", "customer_id"], override=override)
        values: dict[str, Any] = {
            "connector_id": connector_id,
            "customer_id": customer_id,
            "project_id": project_id,
            "last_attempt_at": at,
            "last_error": error,
            "last_success_at": None if error else at,
            "visits_imported": visits,
        }
        self._c.execute(statement.values(**values))

    # Imported visits ---------------------------------------------------------------------------------------------

    def stored_visits(
        self, project_id: int, matomo_url: str, site_id: int, ids: Sequence[int]
    ) -> dict[int, StoredVisit]:
        found: dict[int, StoredVisit] = {}
        for chunk in in_chunks(sorted(set(ids))):
            query = select(matomo_visits).where(
                matomo_visits.c.project_id == project_id,
                matomo_visits.c.matomo_url == matomo_url,
                matomo_visits.c.site_id == site_id,
                matomo_visits.c.id_visit.in_(chunk),
            )
            for row in self._c.execute(query).mappings():
                found[int(row["id_visit"])] = StoredVisit(
                    row_id=int(row["id"]),
                    id_visit=int(row["id_visit"]),
                    session_id=int(row["session_id"]),
                    merged=bool(row["merged"]),
                    customer_id=row["customer_id"],
                    visitor_id=row["visitor_id"],
                    content_hash=row["content_hash"],
                )
        return found

    def tracked_visits(
        self, project_id: int, visitor_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[TrackedVisit]:
        found: list[TrackedVisit] = []
        for chunk in in_chunks(sorted(set(visitor_ids))):
            query = select(
                sessions.c.id, sessions.c.visitor_id, sessions.c.started_at, sessions.c.last_action_at
            ).where(
                sessions.c.project_id == project_id,
                sessions.c.visitor_id.in_(chunk),
                sessions.c.origin != IMPORT_ORIGIN,
                sessions.c.started_at <= end,
                sessions.c.last_action_at >= start,
            )
            found.extend(
                TrackedVisit(int(r.id), r.visitor_id, r.started_at, r.last_action_at) for r in self._c.execute(query)
            )
        return found

    def session_actions(self, session_id: int, except_prefix: str) -> list[StoredAction]:
        query = select(actions.c.type, actions.c.occurred_at, actions.c.url).where(
            actions.c.session_id == session_id, ~actions.c.event_id.startswith(except_prefix, autoescape=True)
        )
        return [StoredAction(r.type, r.occurred_at, r.url) for r in self._c.execute(query)]

    def remove_actions(self, session_id: int, prefix: str | None) -> None:
        statement = delete(actions).where(actions.c.session_id == session_id)
        if prefix is not None:
            statement = statement.where(actions.c.event_id.startswith(prefix, autoescape=True))
        self._c.execute(statement)

    def rewrite_session(
        self,
        session_id: int,
        session: OpenSession,
        details: SessionDetails,
        customer_id: int | None,
        duration_seconds: int,
    ) -> None:
        values = {
            "visitor_id": session.visitor_id,
            **_counters(session),
            **_source_columns(details),
            **_request_columns(details),
        }
        values["duration_seconds"] = max(values["duration_seconds"], duration_seconds, 0)
        if customer_id is not None:
            values["customer_id"] = customer_id
        _fit(values, _string_limits(sessions))
        self._c.execute(update(sessions).where(sessions.c.id == session_id).values(values))

    def recount_session(self, session_id: int, started_at: datetime, last_action_at: datetime) -> None:
        row = self._c.execute(
            select(sessions.c.started_at, sessions.c.last_action_at).where(sessions.c.id == session_id)
        ).one()
        first, last = min(row.started_at, started_at), max(row.last_action_at, last_action_at)
        count = self._c.execute(select(func.count()).where(actions.c.session_id == session_id)).scalar_one()
        order_ids: list[str] = []
        checkout = False
        query = select(actions.c.type, actions.c.properties).where(
            actions.c.session_id == session_id, actions.c.type.in_([t.value for t in CHECKOUT_TYPES])
        )
        for kind, properties in self._c.execute(query.order_by(actions.c.occurred_at, actions.c.id)):
            checkout = True
            order_id = (properties or {}).get("orderId") if kind == EventType.ECOMMERCE_ORDER.value else None
            if order_id is not None and str(order_id) not in order_ids:
                order_ids.append(str(order_id))
        self._c.execute(
            update(sessions)
            .where(sessions.c.id == session_id)
            .values(
                started_at=first,
                last_action_at=last,
                duration_seconds=int((last - first).total_seconds()),
                action_count=int(count),
                has_checkout=checkout,
                order_ids=order_ids,
            )
        )

    def save_visit(
        self,
        project_id: int,
        matomo_url: str,
        visit: ImportedVisit,
        *,
        session_id: int,
        merged: bool,
        customer_id: int | None,
        now: datetime,
        row_id: int | None,
    ) -> None:
        values: dict[str, Any] = {
            "session_id": session_id,
            "merged": merged,
            "visitor_id": visit.visitor_id,
            "user_id": visit.user_id,
            "started_at": visit.started_at,
            "last_action_at": visit.last_action_at,
            "content_hash": visit.content_hash,
            "raw": visit.raw,
            "updated_at": now,
        }
        _fit(values, _string_limits(matomo_visits))
        if row_id is not None:
            if customer_id is not None:
                values["customer_id"] = func.coalesce(matomo_visits.c.customer_id, customer_id)
            self._c.execute(update(matomo_visits).where(matomo_visits.c.id == row_id).values(values))
            return
        keys = {
            "project_id": project_id,
            "matomo_url": matomo_url,
            "site_id": visit.site_id,
            "id_visit": visit.id_visit,
        }
        self._c.execute(matomo_visits.insert().values(**keys, **values, customer_id=customer_id, imported_at=now))

    # Lookups and orders ------------------------------------------------------------------------------------------

    def expand_lookups(self, project_id: int, visits: Sequence[ImportedVisit], now: datetime) -> None:
        sources = {
            (v.source.referrer_type, v.source.referrer_name[:200])
            for v in visits
            if v.source.referrer_name and v.source.referrer_type != "direct"
        }
        pages: dict[str, tuple[str, str | None]] = {}
        codes: dict[str, str] = {}
        for visit in visits:
            for action in visit.actions:
                codes.setdefault(action.matomo_type[:50], action.type.value)
                if action.url and action.type is EventType.PAGE_VIEW:
                    digest = hashlib.sha256(action.url.encode()).hexdigest()
                    if action.title or digest not in pages:
                        pages[digest] = (action.url, action.title)
        stamp = {"project_id": project_id, "added_by": ADDED_BY, "added_at": now}
        rows: list[tuple[Any, list[str], list[dict[str, Any]]]] = [
            (
                referral_sources,
                ["project_id", "referrer_type", "name"],
                [{**stamp, "referrer_type": t, "name": n} for t, n in sorted(sources)],
            ),
            (
                web_pages,
                ["project_id", "url_hash"],
                [{**stamp, "url_hash": h, "url": u, "name": t} for h, (u, t) in sorted(pages.items())],
            ),
            (
                action_types,
                ["project_id", "matomo_code"],
                [
                    {**stamp, "matomo_code": c, "name": MATOMO_ACTION_NAMES.get(c, c)[:100], "type": t}
                    for c, t in sorted(codes.items())
                ],
            ),
        ]
        for table, keys, values in rows:
            if values:
                self._c.execute(upsert(self._dialect, table, keys), values)

    def mark_customer_orders(self, project_id: int, customer_id: int, start: datetime, end: datetime) -> int:
        result = self._c.execute(
            update(orders)
            .where(
                orders.c.project_id == project_id,
                orders.c.customer_id == customer_id,
                orders.c.placed_at >= start,
                orders.c.placed_at <= end,
            )
            .values(needs_linking=True)
        )
        return int(result.rowcount or 0)
