"""Customers, catalogue and orders in SQL: every write is a batched, idempotent upsert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from trackbridge.adapters.db.chunks import in_chunks as _chunks
from trackbridge.adapters.db.sql_orders import write_orders
from trackbridge.adapters.db.tables import (
    categories,
    customer_tags,
    customers,
    products,
)
from trackbridge.adapters.db.tracking_tables import visitors
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.resources import (
    CategoryRecord,
    CustomerRecord,
    OrderRecord,
    ProductRecord,
    RecordResult,
    customer_changes,
    merge_options,
    ordered_images,
)
from trackbridge.domain.values import normalize_phone

_CUSTOMER_OPTIONAL = [
    "first_name",
    "last_name",
    "phone",
    "phone_normalized",
    "subscribed",
    "registered",
    "external_id",
    "website",
    "store_view",
    "signed_up_at",
]
_PRODUCT_OPTIONAL = ["sku", "price", "url", "image_url", "images", "url_path"]


class SqlResourceRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name

    # -- catalogue -------------------------------------------------------------------------------------------------
    def upsert_categories(self, project_id: int, records: Sequence[CategoryRecord], now: datetime) -> None:
        if not records:
            return
        statement = upsert(self._dialect, categories, ["project_id", "id"], override=["name", "url", "updated_at"])
        self._c.execute(
            statement,
            [
                {
                    "project_id": project_id,
                    "id": r.id,
                    "name": r.name,
                    "url": r.url,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in records
            ],
        )

    def upsert_products(self, project_id: int, records: Sequence[ProductRecord], now: datetime) -> None:
        if not records:
            return
        stored: dict[str, tuple[list[Any], list[str]]] = {}
        for chunk in _chunks(sorted({r.id for r in records})):
            rows = self._c.execute(
                select(products.c.id, products.c.options, products.c.categories).where(
                    products.c.project_id == project_id, products.c.id.in_(chunk)
                )
            )
            stored.update({row.id: (list(row.options or []), list(row.categories or [])) for row in rows})
        merged: dict[str, dict[str, Any]] = {}
        for r in records:  # in order, so a product sent twice in one batch merges its options like two calls
            options, cats = stored.get(r.id, ([], []))
            options = merge_options(options, r.options)
            cats = list(r.categories) if r.categories is not None else cats
            stored[r.id] = (options, cats)
            merged[r.id] = {
                "project_id": project_id,
                "id": r.id,
                "name": r.name,
                "sku": r.sku,
                "price": r.price,
                "url": r.url,
                "image_url": r.image_url,
                "images": None if r.images is None else ordered_images(r.images),
                "url_path": r.url_path,
                "categories": cats,
                "options": options,
                "created_at": now,
                "updated_at": now,
            }
        statement = upsert(
            self._dialect,
            products,
            ["project_id", "id"],
            override=["name", "categories", "options", "updated_at", "is_placeholder"],
            keep_when_null=_PRODUCT_OPTIONAL,
        )
        self._c.execute(statement, [{**row, "is_placeholder": False} for row in merged.values()])

    def add_placeholder_products(self, project_id: int, records: Sequence[ProductRecord], now: datetime) -> None:
        """Stores products the catalogue does not know yet, marked as placeholders; known ones stay as they are."""
        if not records:
            return
        rows = [
            {
                "project_id": project_id,
                "id": r.id,
                "name": r.name,
                "sku": r.sku,
                "price": r.price,
                "categories": list(r.categories or ()),
                "options": [],
                "is_placeholder": True,
                "created_at": now,
                "updated_at": now,
            }
            for r in sorted(records, key=lambda record: record.id)  # a fixed order: concurrent inserts never deadlock
        ]
        self._c.execute(upsert(self._dialect, products, ["project_id", "id"]), rows)

    def known_product_ids(self, project_id: int, product_ids: Sequence[str]) -> set[str]:
        known: set[str] = set()
        for chunk in _chunks(product_ids):
            known.update(
                self._c.execute(
                    select(products.c.id).where(products.c.project_id == project_id, products.c.id.in_(chunk))
                )
                .scalars()
                .all()
            )
        return known

    # -- customers -------------------------------------------------------------------------------------------------
    def customer_ids_by_email(self, project_id: int, emails: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(emails):
            rows = self._c.execute(
                select(customers.c.email, customers.c.id).where(
                    customers.c.project_id == project_id, customers.c.email.in_(chunk)
                )
            ).all()
            found.update({email: customer_id for email, customer_id in rows})
        return found

    def guest_customer_id(self, project_id: int, guest_key: str, now: datetime) -> int:
        """The id of the guest customer (no e-mail) known by ``guest_key`` in ``external_id``, created when absent."""
        self._c.execute(
            upsert(self._dialect, customers, ["project_id", "external_id"]),
            [{"project_id": project_id, "external_id": guest_key, "created_at": now, "updated_at": now}],
        )
        found = self._c.execute(
            select(customers.c.id).where(customers.c.project_id == project_id, customers.c.external_id == guest_key)
        ).scalar_one()
        return int(found)

    def visitor_customer_id(self, project_id: int, visitor_id: str) -> int | None:
        """The customer a visitor is linked to, if any."""
        found = self._c.execute(
            select(visitors.c.customer_id).where(
                visitors.c.project_id == project_id, visitors.c.visitor_id == visitor_id
            )
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def upsert_customers(self, project_id: int, records: Sequence[CustomerRecord], now: datetime) -> list[RecordResult]:
        results: list[RecordResult] = []
        rows: dict[str, dict[str, Any]] = {}
        tags: dict[str, list[str]] = {}
        owners = self._external_id_owners(project_id, [r.external_id for r in records if r.external_id])
        existing = self.customer_ids_by_email(project_id, sorted({r.email for r in records}))
        for index, r in enumerate(records):
            owner = owners.get(r.external_id) if r.external_id else None
            if owner is not None and owner != r.email:
                reason = f"externalId {r.external_id!r} belongs to another customer ({owner})"
                results.append(RecordResult(index=index, id=r.email, stored=False, reason=reason))
                continue
            if r.external_id:
                owners[r.external_id] = r.email
            changes = customer_changes(r)
            if r.phone is not None:
                changes["phone_normalized"] = normalize_phone(r.phone)
            row = rows.setdefault(r.email, {name: None for name in _CUSTOMER_OPTIONAL})
            row.update(changes)
            tags.setdefault(r.email, []).extend(r.tags)
            results.append(RecordResult(index=index, id=r.email, stored=True, created=r.email not in existing))
        if rows:
            statement = upsert(
                self._dialect,
                customers,
                ["project_id", "email"],
                override=["updated_at"],
                keep_when_null=_CUSTOMER_OPTIONAL,
            )
            self._c.execute(
                statement,
                [
                    {**row, "project_id": project_id, "email": email, "created_at": now, "updated_at": now}
                    for email, row in rows.items()
                ],
            )
        wanted = {email: names for email, names in tags.items() if names}
        if wanted:
            ids = self.customer_ids_by_email(project_id, sorted(wanted))
            self._add_tags(project_id, [(ids[email], tag) for email, names in wanted.items() for tag in names], now)
        return results

    def _external_id_owners(self, project_id: int, external_ids: Sequence[str]) -> dict[str, str]:
        owners: dict[str, str] = {}
        for chunk in _chunks(sorted(set(external_ids))):
            rows = self._c.execute(
                select(customers.c.external_id, customers.c.email).where(
                    customers.c.project_id == project_id, customers.c.external_id.in_(chunk)
                )
            )
            owners.update({row.external_id: row.email for row in rows})
        return owners

    def _add_tags(self, project_id: int, pairs: Sequence[tuple[int, str]], now: datetime) -> None:
        unique = list(dict.fromkeys(pairs))
        if unique:
            self._c.execute(
                upsert(self._dialect, customer_tags, ["customer_id", "tag"]),
                [{"customer_id": cid, "tag": tag, "project_id": project_id, "created_at": now} for cid, tag in unique],
            )

    def tag_customer(self, project_id: int, email: str, tags: Sequence[str], now: datetime) -> bool:
        ids = self.customer_ids_by_email(project_id, [email])
        created = email not in ids
        if created:
            self._c.execute(
                insert(customers).values(project_id=project_id, email=email, created_at=now, updated_at=now)
            )
            ids = self.customer_ids_by_email(project_id, [email])
        self._add_tags(project_id, [(ids[email], tag) for tag in tags], now)
        return created

    def untag_customer(self, project_id: int, email: str, tags: Sequence[str]) -> bool:
        ids = self.customer_ids_by_email(project_id, [email])
        if email not in ids:
            return False
        if tags:
            self._c.execute(
                delete(customer_tags).where(customer_tags.c.customer_id == ids[email], customer_tags.c.tag.in_(tags))
            )
        return True

    # -- orders ----------------------------------------------------------------------------------------------------
    def upsert_orders(
        self, project_id: int, records: Sequence[tuple[OrderRecord, int | None]], now: datetime
    ) -> list[bool]:
        return write_orders(self._c, project_id, records, now)
