"""SAVE, UPDATE and APPEND on stored customers and orders, on both engines, through the upload use cases."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from trackbridge.adapters.db.tables import customers, order_items, orders
from trackbridge.adapters.db.upload_tables import crm_order_details, customer_hashes, customer_visitor_ids
from trackbridge.domain.crm_upload import MergeMode, UploadKind
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import projects as project_service
from trackbridge.services import uploads
from trackbridge.services.upload_ports import UploadInfo

CUSTOMER = (
    "uniq_id,name,create_date_time,client_ids,emails,phones\n"
    "c-1,Anna Petrova,2024-03-01 10:00:00,4f2a9c1d7e3b5a60,anna@example.com,79995551111\n"
)
ORDER = (
    "id,client_uniq_id,create_date_time,order_status,revenue,cost,products,update_date_time\n"
    "o-1,c-1,2024-03-10 14:00:00,IN_PROGRESS,100,60,Mug:2,2024-03-10 14:00:00\n"
)


def upload(container: Container, project: Any, kind: UploadKind, mode: MergeMode, text: str) -> UploadInfo:
    info = uploads.create_upload(container.uow, project, kind, mode)
    return uploads.process_upload(container.uow, project, info.id, io.BytesIO(text.encode()))


def customer(container: Container) -> dict[str, Any]:
    with container.engine.connect() as c:
        row = c.execute(select(customers).where(customers.c.external_id == "c-1")).one()
        visitors = c.execute(
            select(customer_visitor_ids.c.visitor_id).where(customer_visitor_ids.c.customer_id == row.id)
        )
        hashes = c.execute(select(customer_hashes.c.field).where(customer_hashes.c.customer_id == row.id))
        return {
            "name": row.first_name,
            "email": row.email,
            "phone": row.phone,
            "signed_up_at": row.signed_up_at,
            "visitors": sorted(visitors.scalars()),
            "hashes": sorted(hashes.scalars()),
        }


def order(container: Container) -> dict[str, Any]:
    with container.engine.connect() as c:
        row = c.execute(select(orders).where(orders.c.id == "o-1")).one()
        items = c.execute(
            select(order_items.c.product_id, order_items.c.quantity).where(order_items.c.order_id == "o-1")
        )
        details = c.execute(select(crm_order_details).where(crm_order_details.c.order_id == "o-1")).one_or_none()
        return {
            "placed_at": row.placed_at.isoformat(),
            "status": row.status,
            "amount": str(row.amount),
            "cost": None if row.cost is None else str(row.cost),
            "items": sorted(tuple(item) for item in items),
            "crm_updated_at": None if details is None else details.crm_updated_at,
        }


def test_update_changes_only_the_fields_sent(container: Container, seed_project: ProjectCredentials) -> None:
    project = seed_project.project
    upload(container, project, UploadKind.CUSTOMERS, MergeMode.SAVE, CUSTOMER)
    before = customer(container)
    done = upload(container, project, UploadKind.CUSTOMERS, MergeMode.UPDATE, "uniq_id,name,emails\nc-1,Anna Smith,\n")
    assert done.rows_stored == 1
    after = customer(container)
    assert after["name"] == "Anna Smith"
    assert {k: v for k, v in after.items() if k != "name"} == {k: v for k, v in before.items() if k != "name"}


def test_save_replaces_the_record_whole(container: Container, seed_project: ProjectCredentials) -> None:
    project = seed_project.project
    upload(container, project, UploadKind.CUSTOMERS, MergeMode.SAVE, CUSTOMER)
    upload(container, project, UploadKind.CUSTOMERS, MergeMode.SAVE, "uniq_id,name\nc-1,Anna Smith\n")
    assert customer(container) == {
        "name": "Anna Smith",
        "email": None,
        "phone": None,
        "signed_up_at": None,
        "visitors": [],
        "hashes": [],
    }


def test_append_adds_new_records_and_leaves_stored_ones(container: Container, seed_project: ProjectCredentials) -> None:
    project = seed_project.project
    upload(container, project, UploadKind.CUSTOMERS, MergeMode.SAVE, CUSTOMER)
    before = customer(container)
    done = upload(container, project, UploadKind.CUSTOMERS, MergeMode.APPEND, "uniq_id,name\nc-1,Changed\nc-2,New\n")
    assert (done.rows_stored, done.rows_skipped, done.rows_rejected) == (1, 1, 0)
    assert customer(container) == before
    with container.engine.connect() as c:
        assert c.execute(select(customers.c.first_name).where(customers.c.external_id == "c-2")).scalar_one() == "New"


def test_order_modes_and_a_creation_time_that_never_changes(
    container: Container, seed_project: ProjectCredentials
) -> None:
    project = seed_project.project
    upload(container, project, UploadKind.ORDERS, MergeMode.SAVE, ORDER)
    paid = "id,client_uniq_id,create_date_time,order_status\no-1,c-1,2025-01-01 00:00:00,PAID\n"
    upload(container, project, UploadKind.ORDERS, MergeMode.UPDATE, paid)
    assert order(container) == {
        "placed_at": "2024-03-10T14:00:00+00:00",
        "status": "PAID",
        "amount": "100.0000",
        "cost": "60.0000",
        "items": [("Mug", 2)],
        "crm_updated_at": order(container)["crm_updated_at"],
    }
    assert order(container)["crm_updated_at"] is not None
    upload(container, project, UploadKind.ORDERS, MergeMode.SAVE, paid)
    assert order(container) == {
        "placed_at": "2024-03-10T14:00:00+00:00",
        "status": "PAID",
        "amount": "0.0000",
        "cost": None,
        "items": [],
        "crm_updated_at": None,
    }
    skipped = upload(container, project, UploadKind.ORDERS, MergeMode.APPEND, ORDER)
    assert skipped.rows_skipped == 1 and order(container)["status"] == "PAID"


def test_the_same_id_twice_in_one_file_applies_in_file_order(
    container: Container, seed_project: ProjectCredentials
) -> None:
    text = ORDER + "o-1,c-1,2024-03-10 14:00:00,PAID,120,,,\n"
    done = upload(container, seed_project.project, UploadKind.ORDERS, MergeMode.UPDATE, text)
    assert done.rows_stored == 2
    assert (order(container)["status"], order(container)["amount"], order(container)["items"]) == (
        "PAID",
        "120.0000",
        [("Mug", 2)],
    )


def test_a_customer_known_by_email_only_is_adopted_and_another_ones_email_is_refused(
    container: Container, seed_project: ProjectCredentials
) -> None:
    project = seed_project.project
    with container.uow.transaction() as tx:
        tx.connection.execute(  # type: ignore[attr-defined]
            customers.insert().values(
                project_id=project.id,
                email="anna@example.com",
                created_at=project.created_at,
                updated_at=project.created_at,
            )
        )
    upload(container, project, UploadKind.CUSTOMERS, MergeMode.UPDATE, CUSTOMER)
    clash = upload(container, project, UploadKind.CUSTOMERS, MergeMode.UPDATE, "uniq_id,emails\nc-2,anna@example.com\n")
    with container.engine.connect() as c:
        assert c.execute(select(customers.c.external_id)).scalars().all() == ["c-1"]
    assert clash.rows_rejected == 1
    _, lines = uploads.get_upload(container.uow, project, clash.id)
    assert lines[0].reason == "emails: 'anna@example.com' is the e-mail of another customer (uniq_id 'c-1')"


def test_naive_times_are_read_in_the_project_time_zone(container: Container, seed_project: ProjectCredentials) -> None:
    project = project_service.update_settings(container.uow, seed_project.project, timezone="Europe/Moscow")
    upload(container, project, UploadKind.ORDERS, MergeMode.SAVE, ORDER)
    assert order(container)["placed_at"] == "2024-03-10T11:00:00+00:00"


def test_a_json_array_broken_part_way_keeps_the_rows_before_the_break(
    container: Container, seed_project: ProjectCredentials
) -> None:
    text = '[{"uniq_id": "c-1", "name": "Anna"}, {"uniq_id": "c-2", "name": "Ben"}, {"uniq_id": '
    done = upload(container, seed_project.project, UploadKind.CUSTOMERS, MergeMode.UPDATE, text)
    assert (done.status, done.rows_stored) == ("failed", 2)
    assert done.error is not None and "malformed after record 2" in done.error
