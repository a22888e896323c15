"""CRM upload rows → records (formats.md §2): md5 vectors, identifiers, products, column mapping, merge semantics."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from trackbridge.domain.crm_identifiers import is_md5, md5_hex
from trackbridge.domain.crm_upload import (
    MergeMode,
    UploadKind,
    canonical_header,
    fields_to_write,
    map_customer,
    map_order,
    missing_columns,
    parse_column_mapping,
    parse_products,
)
from trackbridge.domain.errors import InvalidInput

MOSCOW = ZoneInfo("Europe/Moscow")


def test_md5_test_vectors_of_formats_md_match() -> None:
    assert md5_hex("mail@yandex.ru") == "3c56ff8fef0f6c65b36b2d25720fe276"
    assert md5_hex("79995551111") == "f09f2c3d48f31e2a802944ade2e5aec5"


def test_md5_detection_is_32_hex_characters() -> None:
    assert is_md5("3c56ff8fef0f6c65b36b2d25720fe276")
    assert not is_md5("3c56ff8fef0f6c65b36b2d25720fe27")
    assert not is_md5("mail@yandex.ru")


def test_customer_row_maps_every_field_and_reads_naive_times_in_the_project_zone() -> None:
    customer = map_customer(
        {
            "uniq_id": " c-1 ",
            "name": "Anna Petrova",
            "create_date_time": "2024-03-01 10:15:00",
            "client_ids": "4f2a9c1d7e3b5a60, 9A8B7C6D5E4F3A21",
            "emails": "Anna@Example.com,anna.work@example.org",
            "phones": "+7 (999) 555-11-11",
            "emails_md5": "",
        },
        MOSCOW,
    )
    assert customer.uniq_id == "c-1"
    assert customer.created_at == datetime(2024, 3, 1, 7, 15, tzinfo=UTC)
    assert customer.ids.visitor_ids == ("4f2a9c1d7e3b5a60", "9a8b7c6d5e4f3a21")
    assert customer.ids.emails == ("anna@example.com", "anna.work@example.org")
    assert customer.ids.phones == ("79995551111",)
    assert customer.sent == {"uniq_id", "name", "create_date_time", "client_ids", "emails", "phones"}
    assert customer.ids.hashes()["phones"] == ("f09f2c3d48f31e2a802944ade2e5aec5",)


def test_an_md5_in_the_emails_column_is_kept_as_an_md5() -> None:
    customer = map_customer({"uniq_id": "c-2", "emails": "3C56FF8FEF0F6C65B36B2D25720FE276"}, UTC)
    assert customer.ids.emails == ()
    assert customer.ids.email_md5s == ("3c56ff8fef0f6c65b36b2d25720fe276",)
    assert customer.ids.hashes()["emails_md5"] == ("3c56ff8fef0f6c65b36b2d25720fe276",)


def test_plain_emails_are_hashed_so_md5_only_orders_find_them() -> None:
    customer = map_customer({"uniq_id": "c-3", "emails": "mail@yandex.ru"}, UTC)
    assert customer.ids.hashes()["emails"] == ("3c56ff8fef0f6c65b36b2d25720fe276",)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"name": "no id"}, "uniq_id"),
        ({"uniq_id": "c", "emails": "not-an-email"}, "emails"),
        ({"uniq_id": "c", "phones": "12"}, "phones"),
        ({"uniq_id": "c", "emails_md5": "abc"}, "emails_md5"),
        ({"uniq_id": "c", "client_ids": "1571234567123456789"}, "client_ids"),
        ({"uniq_id": "c", "create_date_time": "yesterday"}, "create_date_time"),
    ],
)
def test_customer_rows_are_rejected_with_the_field_named(row: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        map_customer(row, UTC)
    assert caught.value.field == field


def test_order_row_maps_metrica_fields() -> None:
    order = map_order(
        {
            "id": "o-1",
            "client_uniq_id": "c-1",
            "client_type": "CONTACT",
            "create_date_time": "2024-03-10 14:00:00",
            "order_status": "IN_PROGRESS",
            "revenue": "1500,50",
            "cost": "900",
            "products": "Blue Mug:2,Tea Sampler:1",
            "currency": "eur",
            "goals": "g1,g2",
        },
        UTC,
        UploadKind.ORDERS,
    )
    assert order.placed_at == datetime(2024, 3, 10, 14, tzinfo=UTC)
    assert order.revenue == Decimal("1500.50") and order.cost == Decimal(900)
    assert order.products == (("Blue Mug", 2), ("Tea Sampler", 1))
    assert order.currency == "EUR" and order.goals == ("g1", "g2")


def test_json_values_map_like_csv_cells() -> None:
    order = map_order(
        {
            "id": "o-2",
            "client_uniq_id": "c-1",
            "create_date_time": 1710079200,
            "order_status": "PAID",
            "revenue": Decimal("49.99"),
            "products": [{"name": "Gift Card", "quantity": 1}],
        },
        UTC,
        UploadKind.ORDERS,
    )
    assert order.placed_at == datetime(2024, 3, 10, 14, tzinfo=UTC)
    assert order.revenue == Decimal("49.99")
    assert order.products == (("Gift Card", 1),)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"client_uniq_id": "c", "create_date_time": "2024-01-01", "order_status": "PAID"}, "id"),
        ({"id": "o", "client_uniq_id": "c", "create_date_time": "2024-01-01"}, "order_status"),
        (
            {
                "id": "o",
                "client_uniq_id": "c",
                "create_date_time": "2024-01-01",
                "order_status": "PAID",
                "client_type": "COMPANY",
            },
            "client_type",
        ),
        (
            {
                "id": "o",
                "client_uniq_id": "c",
                "create_date_time": "2024-01-01",
                "order_status": "PAID",
                "revenue": "ten",
            },
            "revenue",
        ),
        (
            {
                "id": "o",
                "client_uniq_id": "c",
                "create_date_time": "2024-01-01",
                "order_status": "PAID",
                "products": "Mug:x",
            },
            "products",
        ),
    ],
)
def test_order_rows_are_rejected_with_the_field_named(row: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        map_order(row, UTC, UploadKind.ORDERS)
    assert caught.value.field == field


def test_simple_order_needs_an_identifier_and_defaults_to_paid() -> None:
    with pytest.raises(InvalidInput):
        map_order({"id": "s", "create_date_time": "2024-01-01"}, UTC, UploadKind.SIMPLE_ORDERS)
    order = map_order(
        {"id": "s", "create_date_time": "2024-01-01", "phones": "79995551111"}, UTC, UploadKind.SIMPLE_ORDERS
    )
    assert order.status == "PAID"
    assert order.ids.hashes()["phones"] == ("f09f2c3d48f31e2a802944ade2e5aec5",)
    assert "order_status" not in order.sent


def test_product_strings_parse_with_quantities() -> None:
    assert parse_products("Mug:2, Tea:1") == (("Mug", 2), ("Tea", 1))
    assert parse_products("Mug") == (("Mug", 1),)
    assert parse_products("Mug:1,Mug:2") == (("Mug", 3),)
    assert parse_products("Size: XL shirt:3") == (("Size: XL shirt", 3),)
    with pytest.raises(InvalidInput):
        parse_products("Mug:0")


def test_column_mapping_renames_headers_and_refuses_unknown_fields() -> None:
    mapping = parse_column_mapping('{"Customer ID": "uniq_id", "E-mail": "emails"}', UploadKind.CUSTOMERS)
    assert canonical_header("Customer ID", mapping) == "uniq_id"
    assert canonical_header("\ufeffE-mail", mapping) == "emails"
    assert canonical_header(" Name ", mapping) == "name"
    with pytest.raises(InvalidInput, match="not a field of customers"):
        parse_column_mapping({"X": "revenue"}, UploadKind.CUSTOMERS)
    with pytest.raises(InvalidInput):
        parse_column_mapping("[1, 2]", UploadKind.ORDERS)


def test_missing_columns_are_named() -> None:
    assert missing_columns(UploadKind.ORDERS, {"id", "create_date_time"}) == ["client_uniq_id", "order_status"]
    assert missing_columns(UploadKind.SIMPLE_ORDERS, {"id", "create_date_time"}) == [
        "one of client_ids, emails, phones, emails_md5, phones_md5"
    ]
    assert missing_columns(UploadKind.CUSTOMERS, {"uniq_id"}) == []


def test_new_records_write_every_field_whatever_the_mode() -> None:
    for mode in MergeMode:
        written = fields_to_write(UploadKind.CUSTOMERS, mode, frozenset({"uniq_id"}), exists=False)
        assert written is not None and "emails" in written and "name" in written


def test_save_replaces_a_stored_record_whole_except_what_cannot_change() -> None:
    written = fields_to_write(UploadKind.ORDERS, MergeMode.SAVE, frozenset({"id", "revenue"}), exists=True)
    assert written is not None
    assert {"revenue", "cost", "products", "order_status"} <= written
    assert "create_date_time" not in written and "id" not in written


def test_update_changes_only_the_sent_fields() -> None:
    sent = frozenset({"id", "create_date_time", "order_status"})
    assert fields_to_write(UploadKind.ORDERS, MergeMode.UPDATE, sent, exists=True) == {"order_status"}


def test_append_leaves_stored_records_untouched() -> None:
    assert fields_to_write(UploadKind.CUSTOMERS, MergeMode.APPEND, frozenset({"uniq_id", "name"}), exists=True) is None
