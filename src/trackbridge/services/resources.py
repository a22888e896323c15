"""Use cases of the signed resource API: storing customers, categories, products and orders, tagging customers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.projects import Project
from trackbridge.domain.resources import (
    CategoryRecord,
    CustomerRecord,
    OrderRecord,
    ProductRecord,
    RecordResult,
)
from trackbridge.services import order_events, outbound_hooks
from trackbridge.services.ports import UnitOfWork

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _last_wins(records: Sequence[CategoryRecord]) -> list[CategoryRecord]:
    """Within one batch a later record with the same id replaces an earlier one (upserts by id are idempotent)."""
    return list({record.id: record for record in records}.values())


def store_categories(uow: UnitOfWork, project: Project, records: Sequence[CategoryRecord]) -> list[RecordResult]:
    with uow.transaction() as tx:
        tx.resources.upsert_categories(project.id, _last_wins(records), _now())
    return [RecordResult(index=i, id=r.id, stored=True) for i, r in enumerate(records)]


def store_products(uow: UnitOfWork, project: Project, records: Sequence[ProductRecord]) -> list[RecordResult]:
    with uow.transaction() as tx:
        now = _now()
        tx.resources.upsert_products(project.id, list(records), now)
        outbound_hooks.products_changed(tx, project, sorted({r.id for r in records}), now)
    return [RecordResult(index=i, id=r.id, stored=True) for i, r in enumerate(records)]


def store_customers(uow: UnitOfWork, project: Project, records: Sequence[CustomerRecord]) -> list[RecordResult]:
    with uow.transaction() as tx:
        now = _now()
        results = tx.resources.upsert_customers(project.id, records, now)
        emails = sorted({str(r.id) for r in results if r.stored})
        outbound_hooks.customers_changed(tx, project, [], now, emails=emails)
        return results


def tag_customer(uow: UnitOfWork, project: Project, email: str, tags: Sequence[str]) -> bool:
    """Adds tags; a customer unknown until now is created (the answer says so). True when created."""
    with uow.transaction() as tx:
        now = _now()
        created = tx.resources.tag_customer(project.id, email, tags, now)
        outbound_hooks.customers_changed(tx, project, [], now, emails=[email])
        return created


def untag_customer(uow: UnitOfWork, project: Project, email: str, tags: Sequence[str]) -> bool:
    """Removes tags; an unknown e-mail changes nothing. True when the customer exists."""
    with uow.transaction() as tx:
        found = tx.resources.untag_customer(project.id, email, tags)
        if found:
            outbound_hooks.customers_changed(tx, project, [], _now(), emails=[email])
        return found


def store_orders(uow: UnitOfWork, project: Project, records: Sequence[OrderRecord]) -> list[RecordResult]:
    """Stores orders whose customer and products are known; rejects the others with the reason (seed 004)."""
    emails = sorted({r.email for r in records if r.email})
    product_ids = sorted({item.product_id for r in records for item in r.items})
    results: list[RecordResult] = []
    accepted: dict[str, tuple[int, OrderRecord, int | None]] = {}
    with uow.transaction() as tx:
        customer_ids = tx.resources.customer_ids_by_email(project.id, emails)
        known_products = tx.resources.known_product_ids(project.id, product_ids)
        for index, record in enumerate(records):
            reason = _missing_dependency(record, customer_ids, known_products)
            if reason is not None:
                results.append(RecordResult(index=index, id=record.id, stored=False, reason=reason))
                continue
            if record.id in accepted:  # the same order twice in one batch: the later one wins
                earlier = accepted.pop(record.id)[0]
                results[earlier] = RecordResult(
                    index=earlier, id=record.id, stored=True, notes=("superseded by a later record",)
                )
            results.append(RecordResult(index=index, id=record.id, stored=True))
            customer_id = customer_ids.get(record.email) if record.email else None
            accepted[record.id] = (index, record, customer_id)
        if accepted:
            rows = [(record, customer_id) for _, record, customer_id in accepted.values()]
            now = _now()
            created = tx.resources.upsert_orders(project.id, rows, now)
            notes = order_events.after_store(tx, project, list(accepted), now)
            outbound_hooks.orders_changed(tx, project, list(accepted), now)
            for (index, _, _), was_new in zip(accepted.values(), created, strict=True):
                note = notes.get(str(results[index].id))
                results[index] = RecordResult(
                    index=index, id=results[index].id, stored=True, created=was_new, notes=(note,) if note else ()
                )
    rejected = sum(1 for r in results if not r.stored)
    if rejected:
        log.info("orders rejected", extra={"project": project.name, "rejected": rejected, "total": len(records)})
    return results


def _missing_dependency(record: OrderRecord, customers: dict[str, int], products: set[str]) -> str | None:
    if record.email and record.email not in customers:
        return f"unknown customer {record.email!r}: send the customer first"
    missing = sorted({item.product_id for item in record.items} - products)
    if missing:
        shown = ", ".join(repr(p) for p in missing[:5])
        return f"unknown product{'s' if len(missing) > 1 else ''} {shown}: send the products first"
    return None


def require_single(results: list[RecordResult]) -> RecordResult:
    """A single (non-batch) call: a rejected record is the caller's mistake and answers 400 with the reason."""
    result = results[0]
    if not result.stored:
        raise InvalidInput(result.reason or "rejected", "params")
    return result
