"""Identification in SQL: links, customers made by identification, form submissions, traits awaiting a customer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from trackbridge.adapters.db.identity_tables import customer_merges, form_submissions, identity_links, identity_pending
from trackbridge.adapters.db.tables import customer_tags, customers
from trackbridge.adapters.db.tracking_tables import sessions, visitors
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.identity import CurrentLink, LinkMethod, NewLink
from trackbridge.services.identity_ports import FormSubmission, PendingTraits

_MAX_MERGE_HOPS = 20
_CUSTOMER_FIELDS = {"first_name", "last_name", "phone", "phone_normalized", "subscribed"}


class SqlIdentityRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name

    # customers ----------------------------------------------------------------------------------------------------
    def resolve_customer(self, project_id: int, customer_id: int) -> int | None:
        exists = self._c.execute(
            select(customers.c.id).where(customers.c.project_id == project_id, customers.c.id == customer_id)
        ).first()
        if exists is None:
            return None
        return self._follow_merges(project_id, customer_id)

    def _follow_merges(self, project_id: int, customer_id: int) -> int:
        current = customer_id
        for _ in range(_MAX_MERGE_HOPS):
            kept = self._c.execute(
                select(customer_merges.c.kept_customer_id)
                .where(
                    customer_merges.c.project_id == project_id,
                    customer_merges.c.merged_customer_id == current,
                    customer_merges.c.undone_at.is_(None),
                )
                .order_by(customer_merges.c.id.desc())
                .limit(1)
            ).scalar()
            if kept is None:
                return current
            current = int(kept)
        return current

    def _customer_for(self, project_id: int, column: str, value: str, now: datetime) -> int:
        query = select(customers.c.id).where(customers.c.project_id == project_id, customers.c[column] == value)
        found = self._c.execute(query).scalar()
        if found is None:
            statement = upsert(self._dialect, customers, ["project_id", column])
            self._c.execute(statement, {"project_id": project_id, column: value, "created_at": now, "updated_at": now})
            found = self._c.execute(query).scalar_one()
        return self._follow_merges(project_id, int(found))

    def customer_for_email(self, project_id: int, email: str, now: datetime) -> int:
        return self._customer_for(project_id, "email", email, now)

    def customers_for(self, project_id: int, column: str, values: Sequence[str], now: datetime) -> dict[str, int]:
        """Many at once (``column`` is ``email`` or ``external_id``): found or created, merges followed."""
        wanted = sorted(set(values))
        if not wanted:
            return {}
        found = self._ids_by(project_id, column, wanted)
        missing = [value for value in wanted if value not in found]
        if missing:
            statement = upsert(self._dialect, customers, ["project_id", column])
            self._c.execute(
                statement,
                [{"project_id": project_id, column: v, "created_at": now, "updated_at": now} for v in missing],
            )
            found.update(self._ids_by(project_id, column, missing))
        redirects = self._active_redirects(project_id, sorted(set(found.values())))
        return {
            value: self._follow_merges(project_id, owner) if owner in redirects else owner
            for value, owner in found.items()
        }

    def _ids_by(self, project_id: int, column: str, values: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(values), 500):
            rows = self._c.execute(
                select(customers.c[column], customers.c.id).where(
                    customers.c.project_id == project_id, customers.c[column].in_(values[start : start + 500])
                )
            )
            found.update({row[0]: int(row[1]) for row in rows})
        return found

    def _active_redirects(self, project_id: int, customer_ids: Sequence[int]) -> set[int]:
        merged: set[int] = set()
        for start in range(0, len(customer_ids), 500):
            merged.update(
                int(value)
                for value in self._c.execute(
                    select(customer_merges.c.merged_customer_id).where(
                        customer_merges.c.project_id == project_id,
                        customer_merges.c.merged_customer_id.in_(customer_ids[start : start + 500]),
                        customer_merges.c.undone_at.is_(None),
                    )
                ).scalars()
            )
        return merged

    def customer_for_external_id(self, project_id: int, external_id: str, now: datetime) -> int:
        return self._customer_for(project_id, "external_id", external_id, now)

    def update_customer(self, project_id: int, customer_id: int, values: dict[str, Any], now: datetime) -> None:
        changes = {name: value for name, value in values.items() if name in _CUSTOMER_FIELDS}
        if not changes:
            return
        self._c.execute(
            update(customers)
            .where(customers.c.project_id == project_id, customers.c.id == customer_id)
            .values(**changes, updated_at=now)
        )

    def add_tags(self, project_id: int, customer_id: int, tags: Sequence[str], now: datetime) -> None:
        if not tags:
            return
        statement = upsert(self._dialect, customer_tags, ["customer_id", "tag"])
        self._c.execute(
            statement,
            [{"customer_id": customer_id, "tag": tag, "project_id": project_id, "created_at": now} for tag in tags],
        )

    # links --------------------------------------------------------------------------------------------------------
    def current_links(self, project_id: int, visitor_ids: Sequence[str]) -> dict[str, CurrentLink]:
        if not visitor_ids:
            return {}
        rows = self._c.execute(
            select(identity_links).where(
                identity_links.c.project_id == project_id,
                identity_links.c.visitor_id.in_(sorted(set(visitor_ids))),
                identity_links.c.ended_at.is_(None),
            )
        )
        return {
            row.visitor_id: CurrentLink(
                link_id=row.id,
                customer_id=row.customer_id,
                method=LinkMethod(row.how),
                strength=row.strength,
                linked_at=row.linked_at,
                valid_from=row.valid_from,
                session_id=row.session_id,
            )
            for row in rows
        }

    def end_link(self, link_id: int, at: datetime) -> None:
        self._c.execute(update(identity_links).where(identity_links.c.id == link_id).values(ended_at=at))

    def add_link(self, project_id: int, visitor_id: str, link: NewLink, recorded_at: datetime) -> int:
        statement = insert(identity_links).values(
            project_id=project_id,
            visitor_id=visitor_id,
            customer_id=link.customer_id,
            how=link.method.value,
            strength=link.strength,
            linked_at=link.linked_at,
            valid_from=link.valid_from,
            event_id=link.event_id,
            session_id=link.session_id,
            recorded_at=recorded_at,
            note=link.note,
        )
        return int(self._c.execute(statement.returning(identity_links.c.id)).scalar_one())

    def set_visitor_customer(self, project_id: int, visitor_id: str, link: NewLink) -> None:
        self._c.execute(
            update(visitors)
            .where(visitors.c.project_id == project_id, visitors.c.visitor_id == visitor_id)
            .values(
                customer_id=link.customer_id,
                link_strength=link.strength,
                linked_at=link.linked_at,
                linked_how=link.method.value,
            )
        )

    def join_anonymous_sessions(self, project_id: int, visitor_id: str, customer_id: int) -> int:
        result = self._c.execute(
            update(sessions)
            .where(
                sessions.c.project_id == project_id,
                sessions.c.visitor_id == visitor_id,
                sessions.c.customer_id.is_(None),
            )
            .values(customer_id=customer_id)
        )
        return int(result.rowcount)

    def move_sessions(
        self,
        project_id: int,
        visitor_id: str,
        *,
        from_customer: int,
        to_customer: int,
        since: datetime | None,
        also_session: int | None,
    ) -> int:
        owned = or_(sessions.c.customer_id == from_customer, sessions.c.customer_id.is_(None))
        condition = owned
        if since is not None:
            picks = [sessions.c.started_at >= since]
            if also_session is not None:
                picks.append(sessions.c.id == also_session)
            condition = and_(owned, or_(*picks))
        result = self._c.execute(
            update(sessions)
            .where(sessions.c.project_id == project_id, sessions.c.visitor_id == visitor_id, condition)
            .values(customer_id=to_customer)
        )
        return int(result.rowcount)

    def fill_session_customers(self, project_id: int, session_ids: Sequence[int]) -> None:
        if not session_ids:
            return
        owner = (
            select(visitors.c.customer_id)
            .where(visitors.c.project_id == sessions.c.project_id, visitors.c.visitor_id == sessions.c.visitor_id)
            .scalar_subquery()
        )
        for start in range(0, len(session_ids), 500):
            chunk = sorted(set(session_ids))[start : start + 500]
            self._c.execute(
                update(sessions)
                .where(
                    sessions.c.project_id == project_id,
                    sessions.c.id.in_(chunk),
                    sessions.c.customer_id.is_(None),
                )
                .values(customer_id=owner)
            )

    # forms and pending traits ---------------------------------------------------------------------------------------
    def add_form_submission(self, project_id: int, submission: FormSubmission) -> None:
        visit: dict[str, Any] = {}
        if submission.session_id is not None:
            row = self._c.execute(
                select(
                    sessions.c.entry_url,
                    sessions.c.referrer_url,
                    sessions.c.channel,
                    sessions.c.utm_id,
                    sessions.c.utm_source,
                    sessions.c.utm_medium,
                    sessions.c.utm_campaign,
                    sessions.c.utm_term,
                    sessions.c.utm_content,
                ).where(sessions.c.id == submission.session_id)
            ).first()
            if row is not None:
                visit = dict(row._mapping)
                visit["landing_page"] = visit.pop("entry_url")
        statement = upsert(self._dialect, form_submissions, ["project_id", "event_id"])
        self._c.execute(
            statement,
            {
                "project_id": project_id,
                "customer_id": submission.customer_id,
                "visitor_id": submission.visitor_id,
                "session_id": submission.session_id,
                "event_id": submission.event_id,
                "submitted_at": submission.submitted_at,
                "form": submission.form,
                "email": submission.email,
                "fields": submission.fields,
                "page_url": submission.page_url,
                **visit,
            },
        )

    def add_pending(self, project_id: int, visitor_id: str, traits: PendingTraits) -> None:
        self._c.execute(
            insert(identity_pending).values(
                project_id=project_id,
                visitor_id=visitor_id,
                event_id=traits.event_id,
                occurred_at=traits.occurred_at,
                tags=traits.tags,
                details=traits.details,
            )
        )

    def visitors_with_pending(self, project_id: int, visitor_ids: Sequence[str]) -> set[str]:
        query = select(identity_pending.c.visitor_id).where(
            identity_pending.c.project_id == project_id, identity_pending.c.visitor_id.in_(sorted(set(visitor_ids)))
        )
        return set(self._c.execute(query.distinct()).scalars())

    def take_pending(self, project_id: int, visitor_id: str) -> list[PendingTraits]:
        where = (identity_pending.c.project_id == project_id, identity_pending.c.visitor_id == visitor_id)
        rows = self._c.execute(
            select(identity_pending).where(*where).order_by(identity_pending.c.occurred_at, identity_pending.c.id)
        ).all()
        if not rows:
            return []
        self._c.execute(delete(identity_pending).where(*where))
        return [PendingTraits(row.event_id, row.occurred_at, list(row.tags), dict(row.details)) for row in rows]
