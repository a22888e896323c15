"""Upload files read as streams of rows: CSV (comma, semicolon, BOM), JSON arrays and JSON Lines, with line numbers."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from trackbridge.domain.crm_upload import UploadKind
from trackbridge.domain.errors import InvalidInput
from trackbridge.services.upload_files import UploadFile


def rows(data: bytes, kind: UploadKind = UploadKind.CUSTOMERS, mapping: dict[str, str] | None = None) -> list:  # type: ignore[type-arg]
    return list(UploadFile(io.BytesIO(data), kind, mapping or {}).rows())


def test_csv_with_bom_and_semicolons_keeps_decimal_commas_in_cells() -> None:
    data = "\ufeffid;client_uniq_id;create_date_time;order_status;revenue\no-1;c-1;2024-01-01;PAID;1234,50\n"
    [row] = rows(data.encode(), UploadKind.ORDERS)
    assert row.line == 2
    assert row.cells["revenue"] == "1234,50" and row.cells["id"] == "o-1"


def test_csv_line_numbers_follow_the_file_through_quoted_newlines_and_blank_lines() -> None:
    data = b'uniq_id,name\nc-1,"two\nlines"\n\nc-2,Ben\nc-3\n'
    found = rows(data)
    assert [(r.line, r.problem) for r in found] == [
        (2, None),
        (5, None),
        (6, "has 1 cells where the header has 2"),
    ]
    assert found[0].cells["name"] == "two\nlines"


def test_csv_headers_are_renamed_by_the_column_mapping() -> None:
    [row] = rows(b"Customer,Mail\nc-1,a@b.co\n", mapping={"Customer": "uniq_id", "Mail": "emails"})
    assert row.cells == {"uniq_id": "c-1", "emails": "a@b.co"}


def test_csv_without_a_required_column_fails_whole_with_the_column_named() -> None:
    with pytest.raises(InvalidInput, match="lacks uniq_id"):
        rows(b"name,emails\nAnna,a@b.co\n")


def test_a_file_that_is_not_utf8_fails_whole() -> None:
    with pytest.raises(InvalidInput, match="not UTF-8"):
        rows("uniq_id,name\nc-1,J\u00fcrgen\n".encode("latin-1"))


def test_json_array_is_streamed_record_by_record_with_positions() -> None:
    data = b' [{"uniq_id": "c-1", "revenue": 1.5}, 7, {"UNIQ_ID": "c-2"}]'
    found = rows(data)
    assert [(r.line, r.problem) for r in found] == [(1, None), (2, "is not a JSON object"), (3, None)]
    assert found[0].cells["revenue"] == Decimal("1.5")
    assert found[2].cells == {"uniq_id": "c-2"}


def test_broken_json_array_fails_after_the_records_read() -> None:
    with pytest.raises(InvalidInput, match="malformed after record 1"):
        rows(b'[{"uniq_id": "c-1"}, {"uniq_id": ')


def test_json_lines_report_a_broken_line_and_go_on() -> None:
    data = b'{"uniq_id": "c-1"}\n{"uniq_id": \n\n{"uniq_id": "c-3", "price": 2.10}\n'
    found = rows(data)
    assert [(r.line, r.problem is None) for r in found] == [(1, True), (2, False), (4, True)]
    assert found[2].cells["price"] == Decimal("2.10")
