"""Operator merges of two customers in SQL, each recorded with a snapshot of what moved so that it can be undone.

A merge moves the merged customer's visitors, sessions, identity links, orders, form submissions and tags to the kept
customer; each visitor link in force is ended and replaced by an ``operator_merge`` link (keeping the strength of the
evidence behind it). The merged customer's row stays: while the merge holds, its e-mail and id resolve to the kept
customer. An undo moves back what is still where the merge put it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, select, update

from trackbridge.adapters.db.chunks import in_chunks as _chunks
from trackbridge.adapters.db.identity_tables import customer_merges, form_submissions, identity_links
from trackbridge.adapters.db.tables import customer_tags, customers, orders
from trackbridge.adapters.db.tracking_tables import sessions, visitors
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.errors import NotFound
from trackbridge.domain.identity import LinkMethod
from trackbridge.services.identity_ports import MergeInfo


class SqlMergeRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name

    def customer_exists(self, project_id: int, customer_id: int) -> bool:
        query = select(customers.c.id).where(customers.c.project_id == project_id, customers.c.id == customer_id)
        return self._c.execute(query).first() is not None

    def active_merge_of(self, project_id: int, customer_id: int) -> int | None:
        found = self._c.execute(
            select(customer_merges.c.id).where(
                customer_merges.c.project_id == project_id,
                customer_merges.c.merged_customer_id == customer_id,
                customer_merges.c.undone_at.is_(None),
            )
        ).scalar()
        return None if found is None else int(found)

    def merge_by_id(self, project_id: int, merge_id: int) -> MergeInfo | None:
        row = self._c.execute(
            select(customer_merges).where(customer_merges.c.project_id == project_id, customer_merges.c.id == merge_id)
        ).first()
        if row is None:
            return None
        return MergeInfo(row.id, row.kept_customer_id, row.merged_customer_id, row.by, row.at, row.undone_at)

    # merge ----------------------------------------------------------------------------------------------------------
    def _ids(self, table: Table, key: str, project_id: int, customer_id: int) -> list[Any]:
        query = select(table.c[key]).where(table.c.project_id == project_id, table.c.customer_id == customer_id)
        return list(self._c.execute(query).scalars())

    def _move(self, table: Table, key: str, project_id: int, ids: Sequence[Any], old: int, new: int) -> None:
        for chunk in _chunks(list(ids)):
            self._c.execute(
                update(table)
                .where(table.c.project_id == project_id, table.c[key].in_(chunk), table.c.customer_id == old)
                .values(customer_id=new)
            )

    def merge(self, project_id: int, kept: int, merged: int, by: str, at: datetime) -> MergeInfo:
        snapshot: dict[str, Any] = {
            "sessions": self._ids(sessions, "id", project_id, merged),
            "orders": self._ids(orders, "id", project_id, merged),
            "forms": self._ids(form_submissions, "id", project_id, merged),
            "links": self._ids(identity_links, "id", project_id, merged),
            "visitors": [
                {"visitor_id": row.visitor_id, "link_strength": row.link_strength, "linked_how": row.linked_how}
                for row in self._c.execute(
                    select(visitors.c.visitor_id, visitors.c.link_strength, visitors.c.linked_how).where(
                        visitors.c.project_id == project_id, visitors.c.customer_id == merged
                    )
                )
            ],
        }
        merged_tags = set(self._tags(merged))
        snapshot["merged_tags"] = sorted(merged_tags)
        snapshot["tags_added"] = sorted(merged_tags - set(self._tags(kept)))
        for table, key, name in (
            (sessions, "id", "sessions"),
            (orders, "id", "orders"),
            (form_submissions, "id", "forms"),
            (identity_links, "id", "links"),
        ):
            self._move(table, key, project_id, snapshot[name], merged, kept)
        self._move(visitors, "visitor_id", project_id, [v["visitor_id"] for v in snapshot["visitors"]], merged, kept)
        snapshot["replaced_links"], snapshot["merge_links"] = self._relink(project_id, snapshot["links"], kept, at)
        self._add_tags(project_id, kept, snapshot["tags_added"], at)
        self._c.execute(delete(customer_tags).where(customer_tags.c.customer_id == merged))
        merge_id = self._c.execute(
            insert(customer_merges)
            .values(
                project_id=project_id,
                kept_customer_id=kept,
                merged_customer_id=merged,
                by=by,
                at=at,
                snapshot=snapshot,
            )
            .returning(customer_merges.c.id)
        ).scalar_one()
        for chunk in _chunks(snapshot["merge_links"]):
            self._c.execute(
                update(identity_links)
                .where(identity_links.c.id.in_(chunk))
                .values(note=f"operator merge #{merge_id} by {by}")
            )
        return MergeInfo(int(merge_id), kept, merged, by, at, None)

    def _relink(self, project_id: int, link_ids: Sequence[int], kept: int, at: datetime) -> tuple[list[int], list[int]]:
        """Ends the moved links in force and records an operator_merge link in place of each."""
        replaced: list[int] = []
        created: list[int] = []
        for chunk in _chunks(list(link_ids)):
            rows = self._c.execute(
                select(identity_links).where(identity_links.c.id.in_(chunk), identity_links.c.ended_at.is_(None))
            ).all()
            for row in rows:
                self._c.execute(update(identity_links).where(identity_links.c.id == row.id).values(ended_at=at))
                new_id = self._c.execute(
                    insert(identity_links)
                    .values(
                        project_id=project_id,
                        visitor_id=row.visitor_id,
                        customer_id=kept,
                        how=LinkMethod.OPERATOR_MERGE.value,
                        strength=row.strength,
                        linked_at=at,
                        valid_from=row.valid_from,
                        event_id=None,
                        session_id=row.session_id,
                        recorded_at=at,
                        note="operator merge",
                    )
                    .returning(identity_links.c.id)
                ).scalar_one()
                replaced.append(int(row.id))
                created.append(int(new_id))
        return replaced, created

    def _tags(self, customer_id: int) -> list[str]:
        query = select(customer_tags.c.tag).where(customer_tags.c.customer_id == customer_id)
        return list(self._c.execute(query).scalars())

    def _add_tags(self, project_id: int, customer_id: int, tags: Sequence[str], at: datetime) -> None:
        if tags:
            self._c.execute(
                upsert(self._dialect, customer_tags, ["customer_id", "tag"]),
                [{"customer_id": customer_id, "tag": tag, "project_id": project_id, "created_at": at} for tag in tags],
            )

    # undo -----------------------------------------------------------------------------------------------------------
    def undo(self, project_id: int, merge_id: int, by: str, at: datetime) -> MergeInfo:
        row = self._c.execute(
            select(customer_merges).where(customer_merges.c.project_id == project_id, customer_merges.c.id == merge_id)
        ).first()
        if row is None:
            raise NotFound(f"no merge {merge_id} in this project")
        kept, merged, snapshot = row.kept_customer_id, row.merged_customer_id, dict(row.snapshot)
        self._unlink(snapshot["replaced_links"], snapshot["merge_links"])
        visitor_ids = [v["visitor_id"] for v in snapshot["visitors"]]
        for table, key, name in (
            (sessions, "id", "sessions"),
            (orders, "id", "orders"),
            (form_submissions, "id", "forms"),
            (identity_links, "id", "links"),
        ):
            self._move(table, key, project_id, snapshot[name], kept, merged)
        self._move(visitors, "visitor_id", project_id, visitor_ids, kept, merged)
        for chunk in _chunks(visitor_ids):  # visits those visitors made since the merge go back with them
            self._c.execute(
                update(sessions)
                .where(
                    and_(
                        sessions.c.project_id == project_id,
                        sessions.c.visitor_id.in_(chunk),
                        sessions.c.customer_id == kept,
                        sessions.c.started_at >= row.at,
                    )
                )
                .values(customer_id=merged)
            )
        if snapshot["tags_added"]:
            self._c.execute(
                delete(customer_tags).where(
                    customer_tags.c.customer_id == kept, customer_tags.c.tag.in_(snapshot["tags_added"])
                )
            )
        self._add_tags(project_id, merged, snapshot["merged_tags"], at)
        self._c.execute(
            update(customer_merges).where(customer_merges.c.id == merge_id).values(undone_at=at, undone_by=by)
        )
        return MergeInfo(merge_id, kept, merged, row.by, row.at, at)

    def _unlink(self, replaced: Sequence[int], created: Sequence[int]) -> None:
        """Removes the operator_merge links still in force and reopens the links they replaced."""
        for old_id, new_id in zip(replaced, created, strict=True):
            still_current = self._c.execute(
                select(identity_links.c.id).where(identity_links.c.id == new_id, identity_links.c.ended_at.is_(None))
            ).first()
            if still_current is None:
                continue
            self._c.execute(delete(identity_links).where(identity_links.c.id == new_id))
            self._c.execute(update(identity_links).where(identity_links.c.id == old_id).values(ended_at=None))
