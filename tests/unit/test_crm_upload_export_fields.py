"""Upload rows carry the export fields: scope codes, newsletter flags, base currency amounts."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import pytest

from trackbridge.domain.crm_upload import MergeMode, UploadKind, fields_to_write, map_customer, map_order
from trackbridge.domain.errors import InvalidInput


def test_customer_rows_carry_scope_and_newsletter_flags() -> None:
    row = {"uniq_id": "c-1", "website": "europe", "store_view": "fr", "subscribed": "Yes", "registered": "0"}
    customer = map_customer(row, UTC)
    assert (customer.website, customer.store_view, customer.subscribed, customer.registered) == (
        "europe",
        "fr",
        True,
        False,
    )
    assert {"website", "store_view", "subscribed", "registered"} <= customer.sent


def test_json_booleans_are_taken_and_other_words_refused() -> None:
    assert map_customer({"uniq_id": "c-1", "subscribed": False}, UTC).subscribed is False
    with pytest.raises(InvalidInput) as caught:
        map_customer({"uniq_id": "c-1", "registered": "maybe"}, UTC)
    assert caught.value.field == "registered"


def test_order_rows_carry_base_currency_and_scope() -> None:
    row = {
        "id": "o-1",
        "client_uniq_id": "c-1",
        "create_date_time": "2024-03-10 14:00:00",
        "order_status": "PAID",
        "base_currency": "eur",
        "base_revenue": "92,50",
        "website": "europe",
    }
    order = map_order(row, UTC, UploadKind.ORDERS)
    assert (order.base_currency, order.base_revenue, order.website, order.store_view) == (
        "EUR",
        Decimal("92.50"),
        "europe",
        None,
    )


def test_save_mode_changes_the_export_fields_only_when_the_row_carries_them() -> None:
    customer = map_customer({"uniq_id": "c-1", "name": "Ann"}, UTC)
    fields = fields_to_write(UploadKind.CUSTOMERS, MergeMode.SAVE, customer.sent, exists=True)
    assert fields is not None and "name" in fields and "emails" in fields
    assert not fields & {"website", "store_view", "subscribed", "registered"}
    sent = map_customer({"uniq_id": "c-1", "subscribed": "no"}, UTC)
    with_flag = fields_to_write(UploadKind.CUSTOMERS, MergeMode.SAVE, sent.sent, exists=True)
    assert with_flag is not None and "subscribed" in with_flag and "website" not in with_flag
