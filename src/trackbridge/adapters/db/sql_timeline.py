"""The customer timeline in SQL: sessions with their actions, form submissions, orders, tags and identity links.

Times are epoch milliseconds and money decimal strings, as in the rest of the read API. A customer's timeline includes
the customers merged into it by an operator (while the merge holds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, or_, select

from trackbridge.adapters.db.identity_tables import customer_merges, form_submissions, identity_links
from trackbridge.adapters.db.sql_reads import epoch_ms, money
from trackbridge.adapters.db.tables import customer_tags, customers, orders
from trackbridge.adapters.db.tracking_tables import actions, sessions

JsonObject = dict[str, Any]
_MAX_ACTIONS_PER_SESSION = 500


class SqlTimelineRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def timeline(
        self, project_id: int, customer_id: int, *, before_session: int | None, limit: int
    ) -> JsonObject | None:
        row = (
            self._c.execute(
                select(customers).where(customers.c.project_id == project_id, customers.c.id == customer_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        merged = self._merged_into(project_id, customer_id)
        ids = [customer_id, *merged]
        visits = self._sessions(project_id, ids, before_session, limit)
        return {
            "customer": {
                "id": row["id"],
                "email": row["email"],
                "externalId": row["external_id"],
                "firstName": row["first_name"],
                "lastName": row["last_name"],
                "phoneNumber": row["phone"],
                "subscribed": row["subscribed"],
            },
            "mergedCustomers": merged,
            "tags": self._tags(ids),
            "identityLinks": self._links(project_id, ids),
            "formSubmissions": self._forms(project_id, ids),
            "orders": self._orders(project_id, ids),
            "sessions": visits,
            "next": str(visits[-1]["id"]) if len(visits) == limit else None,
        }

    def _merged_into(self, project_id: int, customer_id: int) -> list[int]:
        """Customers merged (directly or through others) into this one, by merges still in force."""
        found: list[int] = []
        frontier = [customer_id]
        while frontier:
            rows = self._c.execute(
                select(customer_merges.c.merged_customer_id).where(
                    customer_merges.c.project_id == project_id,
                    customer_merges.c.kept_customer_id.in_(frontier),
                    customer_merges.c.undone_at.is_(None),
                )
            ).scalars()
            frontier = [int(value) for value in rows if int(value) not in found and int(value) != customer_id]
            found.extend(frontier)
        return found

    def _sessions(
        self, project_id: int, ids: Sequence[int], before_session: int | None, limit: int
    ) -> list[JsonObject]:
        query = select(sessions).where(sessions.c.project_id == project_id, sessions.c.customer_id.in_(ids))
        if before_session is not None:
            started = self._c.execute(select(sessions.c.started_at).where(sessions.c.id == before_session)).scalar()
            if started is not None:
                query = query.where(
                    or_(
                        sessions.c.started_at < started,
                        and_(sessions.c.started_at == started, sessions.c.id < before_session),
                    )
                )
        rows = list(
            self._c.execute(query.order_by(sessions.c.started_at.desc(), sessions.c.id.desc()).limit(limit)).mappings()
        )
        per_session = self._actions([row["id"] for row in rows])
        return [_session(row, per_session.get(row["id"], [])) for row in rows]

    def _actions(self, session_ids: Sequence[int]) -> dict[int, list[JsonObject]]:
        found: dict[int, list[JsonObject]] = {}
        if not session_ids:
            return found
        rows = self._c.execute(
            select(actions)
            .where(actions.c.session_id.in_(session_ids))
            .order_by(actions.c.session_id, actions.c.occurred_at, actions.c.id)
        ).mappings()
        for row in rows:
            listed = found.setdefault(row["session_id"], [])
            if len(listed) < _MAX_ACTIONS_PER_SESSION:
                listed.append(
                    {
                        "type": row["type"],
                        "time": epoch_ms(row["occurred_at"]),
                        "url": row["url"],
                        "title": row["title"],
                        "properties": row["properties"],
                    }
                )
        return found

    def _tags(self, ids: Sequence[int]) -> list[str]:
        query = select(customer_tags.c.tag).where(customer_tags.c.customer_id.in_(ids)).distinct()
        return sorted(self._c.execute(query).scalars())

    def _links(self, project_id: int, ids: Sequence[int]) -> list[JsonObject]:
        rows = self._c.execute(
            select(identity_links)
            .where(identity_links.c.project_id == project_id, identity_links.c.customer_id.in_(ids))
            .order_by(identity_links.c.linked_at, identity_links.c.id)
        ).mappings()
        return [
            {
                "visitorId": row["visitor_id"],
                "how": row["how"],
                "strength": row["strength"],
                "linkedAt": epoch_ms(row["linked_at"]),
                "validFrom": epoch_ms(row["valid_from"]),
                "endedAt": epoch_ms(row["ended_at"]),
                "eventId": row["event_id"],
                "sessionId": row["session_id"],
                "note": row["note"],
            }
            for row in rows
        ]

    def _forms(self, project_id: int, ids: Sequence[int]) -> list[JsonObject]:
        rows = self._c.execute(
            select(form_submissions)
            .where(form_submissions.c.project_id == project_id, form_submissions.c.customer_id.in_(ids))
            .order_by(form_submissions.c.submitted_at.desc(), form_submissions.c.id.desc())
        ).mappings()
        return [
            {
                "eventId": row["event_id"],
                "submittedAt": epoch_ms(row["submitted_at"]),
                "form": row["form"],
                "email": row["email"],
                "fields": row["fields"],
                "sessionId": row["session_id"],
                "visitorId": row["visitor_id"],
                "pageUrl": row["page_url"],
                "landingPage": row["landing_page"],
                "referrerUrl": row["referrer_url"],
                "channel": row["channel"],
                "utm": _utm(row),
            }
            for row in rows
        ]

    def _orders(self, project_id: int, ids: Sequence[int]) -> list[JsonObject]:
        rows = self._c.execute(
            select(orders.c.id, orders.c.placed_at, orders.c.amount, orders.c.currency, orders.c.status)
            .where(orders.c.project_id == project_id, orders.c.customer_id.in_(ids))
            .order_by(orders.c.placed_at.desc())
        ).mappings()
        return [
            {
                "id": row["id"],
                "placedAt": epoch_ms(row["placed_at"]),
                "amount": money(row["amount"]),
                "currency": row["currency"],
                "status": row["status"],
            }
            for row in rows
        ]


def _utm(row: RowMapping) -> JsonObject:
    return {name: row[f"utm_{name}"] for name in ("id", "source", "medium", "campaign", "term", "content")}


def _session(row: RowMapping, listed: list[JsonObject]) -> JsonObject:
    return {
        "id": row["id"],
        "visitorId": row["visitor_id"],
        "startedAt": epoch_ms(row["started_at"]),
        "lastActionAt": epoch_ms(row["last_action_at"]),
        "durationSeconds": row["duration_seconds"],
        "actionCount": row["action_count"],
        "entryUrl": row["entry_url"],
        "source": {
            "referrerUrl": row["referrer_url"],
            "referrerType": row["referrer_type"],
            "referrerName": row["referrer_name"],
            "referrerKeyword": row["referrer_keyword"],
            "utm": _utm(row),
            "channel": row["channel"],
            "leadSource": row["lead_source"],
        },
        "device": {
            "type": row["device_type"],
            "brand": row["device_brand"],
            "model": row["device_model"],
            "os": row["os_name"],
            "osVersion": row["os_version"],
            "browser": row["browser_name"],
            "browserVersion": row["browser_version"],
        },
        "location": {
            "countryCode": row["country_code"],
            "countryName": row["country_name"],
            "regionCode": row["region_code"],
            "regionName": row["region_name"],
            "city": row["city"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
        },
        "actions": listed,
    }
