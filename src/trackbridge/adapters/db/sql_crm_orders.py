"""Uploaded orders and simplified orders in SQL, keyed by (project, order id).

An order's customer: for ``orders``, the customer whose ``external_id`` is ``client_uniq_id`` (a customer not uploaded
yet is created with that id alone, and the customer upload fills it in later); for ``simple_orders``, the first found
of: ``client_uniq_id``, the e-mail, the phone, an md5 of either (``customer_hashes``), a visitor id
(``customer_visitor_ids``). A simplified order's md5s are kept (``order_hashes``) for customers that come later.
``create_date_time`` never changes once stored. Products are names: order_items get ``product_id`` = the name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from trackbridge.adapters.db.sql_crm_customers import HASH_FIELDS, HASH_KIND, chunks, customers_by, insert_many
from trackbridge.adapters.db.tables import customers, order_items, orders
from trackbridge.adapters.db.upload_tables import crm_order_details, customer_hashes, customer_visitor_ids, order_hashes
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.crm_upload import (
    DEFAULT_SIMPLE_STATUS,
    SKIPPED,
    STORED,
    CrmOrder,
    MergeMode,
    Outcome,
    UploadKind,
    fields_to_write,
)

DETAIL_COLUMNS = {"update_date_time": "crm_updated_at", "finish_date_time": "finished_at", "goals": "goals"}
Written = list[tuple[CrmOrder, frozenset[str], bool]]  # record, fields written, whether it was new


def store_orders(
    connection: Connection,
    project_id: int,
    records: Sequence[CrmOrder],
    kind: UploadKind,
    mode: MergeMode,
    now: datetime,
) -> list[Outcome]:
    existing: set[str] = set()
    for part in chunks([r.id for r in records]):
        existing.update(
            connection.execute(
                select(orders.c.id).where(orders.c.project_id == project_id, orders.c.id.in_(part))
            ).scalars()
        )
    outcomes: list[Outcome] = []
    written: Written = []
    for record in records:
        fields = fields_to_write(kind, mode, record.sent, record.id in existing)
        if fields is None:
            outcomes.append(SKIPPED)
            continue
        written.append((record, fields, record.id not in existing))
        outcomes.append(STORED)
    if not written:
        return outcomes
    owners = _customers(connection, project_id, [r for r, _, _ in written], kind, now)
    rows_new: list[dict[str, Any]] = []
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for record, fields, is_new in written:
        values = _columns(record, fields, owners.get(record.id), is_new or mode is MergeMode.SAVE)
        if is_new:
            rows_new.append({**values, "project_id": project_id, "id": record.id, "created_at": now, "updated_at": now})
            continue
        values["updated_at"] = now
        groups.setdefault(tuple(sorted(values)), []).append(
            {"b_id": record.id, **{f"b_{name}": value for name, value in values.items()}}
        )
    if rows_new:
        insert_many(connection, orders, [{"coupons": [], **row} for row in rows_new])
    for names, rows in groups.items():
        statement = (
            update(orders)
            .where(orders.c.project_id == project_id, orders.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in names})
        )
        connection.execute(statement, rows)
    _replace_items(connection, project_id, written)
    _replace_hashes(connection, project_id, written)
    _store_details(connection, project_id, written)
    return outcomes


def _columns(record: CrmOrder, fields: frozenset[str], customer_id: int | None, whole: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "create_date_time" in fields:
        values["placed_at"] = record.placed_at
    if "order_status" in fields:
        values["status"] = record.status or DEFAULT_SIMPLE_STATUS
    if "revenue" in fields:
        values["amount"] = record.revenue if record.revenue is not None else Decimal(0)
    if "cost" in fields:
        values["cost"] = record.cost
    if "currency" in fields:
        values["currency"] = record.currency
    for name in ("website", "store_view", "base_currency"):
        if name in fields:
            values[name] = getattr(record, name)
    if "base_revenue" in fields:
        values["base_amount"] = record.base_revenue
    if "emails" in fields:
        values["email"] = record.ids.emails[0] if record.ids.emails else None
    if "phones" in fields:
        values["phone"] = record.ids.phones[0] if record.ids.phones else None
    if "client_ids" in fields:
        values["visitor_id"] = record.ids.visitor_ids[0] if record.ids.visitor_ids else None
    if customer_id is not None or whole:
        values["customer_id"] = customer_id
    return values


def _customers(
    connection: Connection, project_id: int, records: Sequence[CrmOrder], kind: UploadKind, now: datetime
) -> dict[str, int]:
    """Order id → customer id, for the orders whose customer is found (or, for ``orders``, made)."""
    uniq_ids = {r.client_uniq_id for r in records if r.client_uniq_id and "client_uniq_id" in r.sent}
    by_uniq = customers_by(connection, project_id, customers.c.external_id, uniq_ids)
    if kind is UploadKind.ORDERS:
        unknown = sorted(uniq_ids - set(by_uniq))
        if unknown:
            connection.execute(
                upsert(connection.dialect.name, customers, ["project_id", "external_id"]),
                [{"project_id": project_id, "external_id": u, "created_at": now, "updated_at": now} for u in unknown],
            )
            by_uniq.update(customers_by(connection, project_id, customers.c.external_id, unknown))
        return {r.id: int(by_uniq[r.client_uniq_id].id) for r in records if r.client_uniq_id in by_uniq}
    by_email = customers_by(connection, project_id, customers.c.email, (e for r in records for e in r.ids.emails))
    by_phone = customers_by(
        connection, project_id, customers.c.phone_normalized, (p for r in records for p in r.ids.phones)
    )
    md5s = {md5 for r in records for values in r.ids.hashes().values() for md5 in values}
    by_md5 = _lookup(connection, project_id, customer_hashes.c.md5, customer_hashes.c.customer_id, md5s)
    visitors = {v for r in records for v in r.ids.visitor_ids}
    by_visitor = _lookup(
        connection, project_id, customer_visitor_ids.c.visitor_id, customer_visitor_ids.c.customer_id, visitors
    )
    found: dict[str, int] = {}
    for r in records:
        candidates: list[int] = []
        if r.client_uniq_id in by_uniq:
            candidates.append(int(by_uniq[r.client_uniq_id].id))
        candidates += [int(by_email[e].id) for e in r.ids.emails if e in by_email]
        candidates += [int(by_phone[p].id) for p in r.ids.phones if p in by_phone]
        candidates += [by_md5[m] for values in r.ids.hashes().values() for m in values if m in by_md5]
        candidates += [by_visitor[v] for v in r.ids.visitor_ids if v in by_visitor]
        if candidates:
            found[r.id] = candidates[0]
    return found


def _lookup(connection: Connection, project_id: int, key: Any, value: Any, wanted: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunks(sorted(wanted)):
        rows = connection.execute(select(key, value).where(key.table.c.project_id == project_id, key.in_(part)))
        for row in rows:
            found.setdefault(row[0], int(row[1]))
    return found


def _replace_items(connection: Connection, project_id: int, written: Written) -> None:
    touched = [(r, is_new) for r, fields, is_new in written if "products" in fields]
    stale = [r.id for r, is_new in touched if not is_new]
    for part in chunks(stale):
        connection.execute(
            delete(order_items).where(order_items.c.project_id == project_id, order_items.c.order_id.in_(part))
        )
    rows = [
        {
            "project_id": project_id,
            "order_id": r.id,
            "line": line,
            "product_id": name,
            "quantity": quantity,
            "name": name,
        }
        for r, _ in touched
        for line, (name, quantity) in enumerate(r.products, start=1)
    ]
    if rows:
        insert_many(connection, order_items, rows)


def _replace_hashes(connection: Connection, project_id: int, written: Written) -> None:
    cleared: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for record, fields, is_new in written:
        hashes = record.ids.hashes()
        for field in HASH_FIELDS:
            if field not in fields:
                continue
            if not is_new:
                cleared.append({"b_order": record.id, "b_field": field})
            rows.extend(
                {"project_id": project_id, "order_id": record.id, "field": field, "md5": md5, "kind": HASH_KIND[field]}
                for md5 in hashes[field]
            )
    if cleared:
        connection.execute(
            delete(order_hashes).where(
                order_hashes.c.project_id == project_id,
                order_hashes.c.order_id == bindparam("b_order"),
                order_hashes.c.field == bindparam("b_field"),
            ),
            cleared,
        )
    if rows:
        insert_many(connection, order_hashes, rows)


def _store_details(connection: Connection, project_id: int, written: Written) -> None:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for record, fields, is_new in written:
        values = {
            "crm_updated_at": record.crm_updated_at,
            "finished_at": record.finished_at,
            "goals": list(record.goals) or None,
        }
        chosen = tuple(DETAIL_COLUMNS[f] for f in DETAIL_COLUMNS if f in fields)
        if not chosen or (is_new and not any(values.values())):
            continue
        row = {"project_id": project_id, "order_id": record.id, **{name: values[name] for name in chosen}}
        groups.setdefault(chosen, []).append(row)
    for chosen, rows in groups.items():
        statement = upsert(connection.dialect.name, crm_order_details, ["project_id", "order_id"], override=chosen)
        connection.execute(statement, rows)
