"""Orders waiting for a link, their candidate visits, and the links and attributions, in SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from trackbridge.adapters.db.order_tables import goal_conversions, order_attributions, order_links
from trackbridge.adapters.db.tables import customers, orders, projects
from trackbridge.adapters.db.tracking_tables import sessions, visitors
from trackbridge.adapters.db.upload_tables import customer_visitor_ids
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.attribution import Attribution, Model, Touchpoint
from trackbridge.domain.linking import CandidateVisit, Link, MatchedBy
from trackbridge.services.order_ports import Candidate, OrderForLinking

_PRIORITY = {MatchedBy.VISITOR_ID: 0, MatchedBy.EMAIL: 1, MatchedBy.PHONE: 2, MatchedBy.ORDER_ID: 3}
_MILLION = Decimal(1_000_000)
_VISIT_COLUMNS = (
    sessions.c.id,
    sessions.c.visitor_id,
    sessions.c.customer_id,
    sessions.c.started_at,
    sessions.c.last_action_at,
    sessions.c.has_checkout,
    sessions.c.order_ids,
    sessions.c.channel,
    sessions.c.referrer_type,
    sessions.c.referrer_name,
    sessions.c.utm_source,
    sessions.c.utm_medium,
    sessions.c.utm_campaign,
)


def _candidate(row: Any, found_by: MatchedBy) -> Candidate:
    visit = CandidateVisit(
        session_id=int(row.id),
        visitor_id=row.visitor_id,
        started_at=row.started_at,
        last_action_at=row.last_action_at,
        has_checkout=bool(row.has_checkout),
        order_ids=tuple(str(order_id) for order_id in row.order_ids or ()),
        customer_id=row.customer_id,
        found_by=found_by,
    )
    touchpoint = Touchpoint(
        session_id=int(row.id),
        started_at=row.started_at,
        channel=row.channel,
        referrer_type=row.referrer_type,
        source=row.utm_source or row.referrer_name,
        medium=row.utm_medium,
        campaign=row.utm_campaign,
    )
    return Candidate(visit, touchpoint)


class SqlOrderLinkRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def link_window_days(self, project_id: int) -> int:
        found = self._c.execute(select(projects.c.link_window_days).where(projects.c.id == project_id)).scalar()
        return 21 if found is None else int(found)

    def pending(self, project_id: int | None, limit: int) -> list[OrderForLinking]:
        query = select(
            orders.c.project_id, orders.c.id, orders.c.placed_at, orders.c.visitor_id, orders.c.customer_id
        ).where(orders.c.needs_linking.is_(True))
        if project_id is not None:
            query = query.where(orders.c.project_id == project_id)
        rows = self._c.execute(query.order_by(orders.c.placed_at, orders.c.id).limit(limit)).all()
        owners = sorted({(row.project_id, int(row.customer_id)) for row in rows if row.customer_id is not None})
        client_ids: dict[tuple[int, int], list[str]] = {}
        for start in range(0, len(owners), 500):
            part = owners[start : start + 500]
            for project, customer, visitor in self._c.execute(
                select(
                    customer_visitor_ids.c.project_id,
                    customer_visitor_ids.c.customer_id,
                    customer_visitor_ids.c.visitor_id,
                ).where(customer_visitor_ids.c.customer_id.in_([customer for _, customer in part]))
            ):
                client_ids.setdefault((project, int(customer)), []).append(visitor)
        return [
            OrderForLinking(
                row.project_id,
                row.id,
                row.placed_at,
                row.visitor_id,
                row.customer_id,
                tuple(sorted(client_ids.get((row.project_id, int(row.customer_id)), ())))
                if row.customer_id is not None
                else (),
            )
            for row in rows
        ]

    def carrying(
        self, project_id: int, order_ids: Sequence[str], since: datetime, until: datetime
    ) -> dict[str, list[Candidate]]:
        wanted = set(order_ids)
        found: dict[str, list[Candidate]] = {}
        query = select(*_VISIT_COLUMNS).where(
            sessions.c.project_id == project_id,
            sessions.c.started_at >= since,
            sessions.c.started_at <= until,
            sessions.c.has_checkout.is_(True),
        )
        for row in self._c.execute(query):
            for order_id in {str(value) for value in row.order_ids or ()} & wanted:
                found.setdefault(order_id, []).append(_candidate(row, MatchedBy.ORDER_ID))
        return found

    def candidates(
        self, order: OrderForLinking, since: datetime, until: datetime, carrying: Sequence[Candidate] = ()
    ) -> list[Candidate]:
        base = select(*_VISIT_COLUMNS).where(
            sessions.c.project_id == order.project_id, sessions.c.started_at >= since, sessions.c.started_at <= until
        )
        found: dict[int, Candidate] = {}

        def add(query: Any, found_by: MatchedBy) -> None:
            for row in self._c.execute(query):
                known = found.get(int(row.id))
                if known is None or _PRIORITY[found_by] < _PRIORITY[known.visit.found_by]:
                    found[int(row.id)] = _candidate(row, found_by)

        own = sorted({v for v in (order.visitor_id, *order.client_ids) if v})
        if own:
            add(base.where(sessions.c.visitor_id.in_(own)), MatchedBy.VISITOR_ID)
        if order.customer_id is not None:
            add(self._of_customers(base, order.project_id, [order.customer_id]), MatchedBy.EMAIL)
            phone_mates = self._phone_mates(order.project_id, order.customer_id)
            if phone_mates:
                add(self._of_customers(base, order.project_id, phone_mates), MatchedBy.PHONE)
        for candidate in carrying:
            if since <= candidate.visit.started_at <= until and candidate.visit.session_id not in found:
                found[candidate.visit.session_id] = candidate
        return sorted(found.values(), key=lambda candidate: (candidate.visit.started_at, candidate.visit.session_id))

    @staticmethod
    def _of_customers(base: Any, project_id: int, customer_ids: Sequence[int]) -> Any:
        their_visitors = select(visitors.c.visitor_id).where(
            visitors.c.project_id == project_id, visitors.c.customer_id.in_(customer_ids)
        )
        return base.where(or_(sessions.c.customer_id.in_(customer_ids), sessions.c.visitor_id.in_(their_visitors)))

    def _phone_mates(self, project_id: int, customer_id: int) -> list[int]:
        phone = self._c.execute(select(customers.c.phone_normalized).where(customers.c.id == customer_id)).scalar()
        if not phone:
            return []
        query = select(customers.c.id).where(
            customers.c.project_id == project_id, customers.c.phone_normalized == phone, customers.c.id != customer_id
        )
        return [int(found) for found in self._c.execute(query.limit(50)).scalars()]

    def save_all(
        self, linked: Sequence[tuple[OrderForLinking, Link, Mapping[Model, Attribution]]], now: datetime
    ) -> None:
        if not linked:
            return
        self._c.execute(
            upsert(
                self._c.dialect.name,
                order_links,
                ["project_id", "order_id"],
                override=["session_id", "matched_by", "reason", "gap_seconds", "linked_at"],
            ),
            [
                {
                    "project_id": order.project_id,
                    "order_id": order.order_id,
                    "session_id": link.session_id,
                    "matched_by": None if link.matched_by is None else link.matched_by.value,
                    "reason": link.reason,
                    "gap_seconds": None if link.gap is None else int(link.gap.total_seconds()),
                    "linked_at": now,
                }
                for order, link, _ in linked
            ],
        )
        by_project: dict[int, list[str]] = {}
        for order, _, _ in linked:
            by_project.setdefault(order.project_id, []).append(order.order_id)
        for project_id, order_ids in by_project.items():
            for start in range(0, len(order_ids), 500):
                chunk = order_ids[start : start + 500]
                self._c.execute(
                    delete(order_attributions).where(
                        order_attributions.c.project_id == project_id, order_attributions.c.order_id.in_(chunk)
                    )
                )
                self._c.execute(
                    update(orders)
                    .where(orders.c.project_id == project_id, orders.c.id.in_(chunk))
                    .values(needs_linking=False, linked_at=now)
                )
        credits = [
            {
                "project_id": order.project_id,
                "order_id": order.order_id,
                "model": model.value,
                "session_id": credit.session_id,
                "credit_millionths": int(credit.share * _MILLION),
            }
            for order, _, attributions in linked
            for model, attribution in attributions.items()
            for credit in attribution.credits
        ]
        if credits:
            self._c.execute(insert(order_attributions), credits)
        self._c.execute(
            update(goal_conversions)
            .where(
                goal_conversions.c.project_id == bindparam("b_project"),
                goal_conversions.c.order_id == bindparam("b_order"),
            )
            .values(session_id=bindparam("b_session"), customer_id=bindparam("b_customer"))
            .execution_options(synchronize_session=False),
            [
                {
                    "b_project": order.project_id,
                    "b_order": order.order_id,
                    "b_session": link.session_id,
                    "b_customer": order.customer_id,
                }
                for order, link, _ in linked
            ],
        )

    def mark_for_visits(self, project_id: int, spans: Mapping[str, tuple[datetime, datetime]], window_days: int) -> int:
        window = timedelta(days=window_days)
        names = sorted(spans)
        identities: dict[str, tuple[datetime, datetime | None]] = {}
        owners: dict[str, set[int]] = {}
        for start in range(0, len(names), 500):
            part = names[start : start + 500]
            for row in self._c.execute(
                select(
                    visitors.c.visitor_id, visitors.c.first_seen, visitors.c.linked_at, visitors.c.customer_id
                ).where(visitors.c.project_id == project_id, visitors.c.visitor_id.in_(part))
            ):
                identities[row.visitor_id] = (row.first_seen, row.linked_at)
                if row.customer_id is not None:
                    owners.setdefault(row.visitor_id, set()).add(int(row.customer_id))
            for visitor_id, customer_id in self._c.execute(
                select(customer_visitor_ids.c.visitor_id, customer_visitor_ids.c.customer_id).where(
                    customer_visitor_ids.c.project_id == project_id, customer_visitor_ids.c.visitor_id.in_(part)
                )
            ):
                owners.setdefault(visitor_id, set()).add(int(customer_id))
        by_visitor: dict[Any, tuple[datetime, datetime]] = {}
        by_customer: dict[Any, tuple[datetime, datetime]] = {}
        for visitor_id in names:
            first, last = spans[visitor_id]
            by_visitor[visitor_id] = (first, last + window)
            first_seen, linked_at = identities.get(visitor_id, (first, None))
            # a visitor identified by this batch brings its whole history to its customer's orders
            since = first_seen if linked_at is not None and linked_at >= first else first
            for customer_id in owners.get(visitor_id, ()):
                known = by_customer.get(customer_id)
                span = (since, last + window)
                by_customer[customer_id] = span if known is None else (min(known[0], since), max(known[1], span[1]))
        wanted = self._orders_in(project_id, orders.c.visitor_id, by_visitor)
        wanted |= self._orders_in(project_id, orders.c.customer_id, by_customer)
        ids = sorted(wanted)
        for start in range(0, len(ids), 500):
            self._c.execute(
                update(orders)
                .where(orders.c.project_id == project_id, orders.c.id.in_(ids[start : start + 500]))
                .values(needs_linking=True)
            )
        return len(ids)

    def _orders_in(self, project_id: int, column: Any, ranges: Mapping[Any, tuple[datetime, datetime]]) -> set[str]:
        """Ids of the orders whose ``column`` (visitor or customer) is a key of ``ranges``, placed in its range.
        Looked up by the key's index alone: with a time range in SQL, SQLite may prefer the placed-at index."""
        keys = sorted(ranges)
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            rows = self._c.execute(
                select(orders.c.id, column.label("key"), orders.c.placed_at).where(
                    orders.c.project_id == project_id, column.in_(keys[start : start + 500])
                )
            )
            for row in rows:
                since, until = ranges[row.key]
                if since <= row.placed_at <= until:
                    found.add(row.id)
        return found
