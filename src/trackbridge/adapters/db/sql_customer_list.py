"""The customer list in SQL: a search over e-mail and name, filters (tag, source, lead source, has ordered), pages.

Customers merged into another by an operator are left out (while the merge holds they are part of the kept one). One
page's figures (tags, orders, visits, first source) are read for that page's customers only, by the indexes on
``customer_id``; the filter choices come from the tag index and the daily source rollup, never from a scan of visits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Connection

from trackbridge.adapters.db.identity_tables import customer_merges
from trackbridge.adapters.db.report_dimensions import session_dimensions
from trackbridge.adapters.db.report_tables import daily_source_rollup
from trackbridge.adapters.db.tables import customer_tags, customers, orders
from trackbridge.adapters.db.tracking_tables import sessions
from trackbridge.services.customer_directory_ports import (
    CustomerFilterChoices,
    CustomerListPage,
    CustomerQuery,
    CustomerSummary,
)


def like_pattern(text: str) -> str:
    """``%text%`` for LIKE with ``\\`` as the escape character, lower-cased."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlCustomerListRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _conditions(self, project_id: int, query: CustomerQuery) -> list[ColumnElement[bool]]:
        c = customers.c
        merged = sa.select(customer_merges.c.id).where(
            customer_merges.c.project_id == project_id,
            customer_merges.c.merged_customer_id == c.id,
            customer_merges.c.undone_at.is_(None),
        )
        found: list[ColumnElement[bool]] = [c.project_id == project_id, ~merged.exists()]
        if query.search and query.search.strip():
            pattern = like_pattern(query.search.strip())
            full_name = sa.func.coalesce(c.first_name, "") + " " + sa.func.coalesce(c.last_name, "")
            found.append(
                sa.or_(
                    *(
                        sa.func.lower(column).like(pattern, escape="\\")
                        for column in (c.email, c.first_name, c.last_name, full_name, c.external_id)
                    )
                )
            )
        if query.tag:
            tagged = sa.select(customer_tags.c.customer_id).where(
                customer_tags.c.project_id == project_id, customer_tags.c.tag == query.tag
            )
            found.append(c.id.in_(tagged))
        dims = session_dimensions()
        for name, value in (("source", query.source), ("lead_source", query.lead_source)):
            if value:
                visited = sa.select(sessions.c.id).where(
                    sessions.c.project_id == project_id, sessions.c.customer_id == c.id, dims[name] == value
                )
                found.append(visited.exists())
        if query.has_ordered is not None:
            ordered = sa.select(orders.c.id).where(orders.c.project_id == project_id, orders.c.customer_id == c.id)
            found.append(ordered.exists() if query.has_ordered else ~ordered.exists())
        return found

    def search(self, project_id: int, query: CustomerQuery) -> CustomerListPage:
        conditions = self._conditions(project_id, query)
        total = int(self._c.execute(sa.select(sa.func.count()).select_from(customers).where(*conditions)).scalar_one())
        rows = list(
            self._c.execute(
                sa.select(customers)
                .where(*conditions)
                .order_by(customers.c.id.desc())
                .limit(query.per_page)
                .offset((query.page - 1) * query.per_page)
            ).mappings()
        )
        ids = [int(row["id"]) for row in rows]
        tags, ordered, visited, sources = self._tags(ids), self._orders(project_id, ids), {}, {}
        if ids:
            visited, sources = self._visits(project_id, ids), self._first_sources(project_id, ids)
        summaries = [
            CustomerSummary(
                id=int(row["id"]),
                email=row["email"],
                external_id=row["external_id"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                created_at=row["signed_up_at"] or row["created_at"],
                tags=tags.get(int(row["id"]), []),
                orders=ordered.get(int(row["id"]), (0, None))[0],
                last_order_at=ordered.get(int(row["id"]), (0, None))[1],
                visits=visited.get(int(row["id"]), (0, None))[0],
                last_visit_at=visited.get(int(row["id"]), (0, None))[1],
                first_source=sources.get(int(row["id"])),
            )
            for row in rows
        ]
        return CustomerListPage(summaries, total, query.page, query.per_page)

    def _tags(self, ids: Sequence[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        if ids:
            rows = self._c.execute(
                sa.select(customer_tags.c.customer_id, customer_tags.c.tag)
                .where(customer_tags.c.customer_id.in_(ids))
                .order_by(customer_tags.c.tag)
            )
            for row in rows:
                found.setdefault(int(row.customer_id), []).append(row.tag)
        return found

    def _orders(self, project_id: int, ids: Sequence[int]) -> dict[int, tuple[int, Any]]:
        if not ids:
            return {}
        rows = self._c.execute(
            sa.select(orders.c.customer_id, sa.func.count(), sa.func.max(orders.c.placed_at))
            .where(orders.c.project_id == project_id, orders.c.customer_id.in_(ids))
            .group_by(orders.c.customer_id)
        )
        return {int(row[0]): (int(row[1]), row[2]) for row in rows}

    def _visits(self, project_id: int, ids: Sequence[int]) -> dict[int, tuple[int, Any]]:
        rows = self._c.execute(
            sa.select(sessions.c.customer_id, sa.func.count(), sa.func.max(sessions.c.last_action_at))
            .where(sessions.c.project_id == project_id, sessions.c.customer_id.in_(ids))
            .group_by(sessions.c.customer_id)
        )
        return {int(row[0]): (int(row[1]), row[2]) for row in rows}

    def _first_sources(self, project_id: int, ids: Sequence[int]) -> dict[int, str]:
        """The source of each customer's first visit (the lead source when it has one, else the visit's source).

        One pass over these customers' visits with a window function: a join of the visits with their per-customer
        minimum turned into a nested loop over every visit of the project on PostgreSQL without table statistics
        (1.5 s for 3,300 visits; bench/web_pages.py)."""
        dims = session_dimensions()
        ranked = (
            sa.select(
                sessions.c.id,
                sessions.c.customer_id,
                dims["lead_source"].label("lead_source"),
                dims["source"].label("source"),
                sessions.c.channel,
                sa.func.rank()
                .over(partition_by=sessions.c.customer_id, order_by=sessions.c.started_at)
                .label("visit_rank"),
            )
            .where(sessions.c.project_id == project_id, sessions.c.customer_id.in_(ids))
            .subquery()
        )
        rows = self._c.execute(
            sa.select(ranked.c.customer_id, ranked.c.lead_source, ranked.c.source, ranked.c.channel)
            .where(ranked.c.visit_rank == 1)
            .order_by(ranked.c.id)
        )
        found: dict[int, str] = {}
        for customer_id, lead_source, source, channel in rows:
            label = lead_source or source or channel
            if label:
                found.setdefault(int(customer_id), label)
        return found

    def filter_choices(self, project_id: int, limit: int) -> CustomerFilterChoices:
        tags = self._c.execute(
            sa.select(customer_tags.c.tag)
            .where(customer_tags.c.project_id == project_id)
            .group_by(customer_tags.c.tag)
            .order_by(sa.func.count().desc(), customer_tags.c.tag)
            .limit(limit)
        ).scalars()
        return CustomerFilterChoices(
            tags=list(tags),
            sources=self._busiest(project_id, daily_source_rollup.c.source, limit),
            lead_sources=self._busiest(project_id, daily_source_rollup.c.lead_source, limit),
        )

    def _busiest(self, project_id: int, column: sa.Column[str], limit: int) -> list[str]:
        rows = self._c.execute(
            sa.select(column)
            .where(daily_source_rollup.c.project_id == project_id, column != "")
            .group_by(column)
            .order_by(sa.func.sum(daily_source_rollup.c.sessions).desc(), column)
            .limit(limit)
        ).scalars()
        return list(rows)

    def id_for_email(self, project_id: int, email: str) -> int | None:
        found = self._c.execute(
            sa.select(customers.c.id).where(
                customers.c.project_id == project_id, sa.func.lower(customers.c.email) == email.strip().lower()
            )
        ).scalar()
        return None if found is None else int(found)
