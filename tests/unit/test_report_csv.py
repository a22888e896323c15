"""A report's rows as CSV: not-converted currencies on their own lines, several models as model.column."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from trackbridge.entrypoints.http.report_csv import report_records, write_csv
from trackbridge.services.reports import Report, count, money


def test_amounts_apart_get_their_own_line_and_models_become_prefixed_columns() -> None:
    row = {
        "source": "google",
        "sessions": 4,
        "models": {
            "last": {"orders": 1, "revenue": Decimal("10.00"), "notConverted": [{"currency": "JPY", "revenue": "5"}]},
            "first": {"orders": 0.5, "revenue": Decimal("5.00"), "notConverted": []},
        },
    }
    report = Report("order-sources", ["source"], [row], meta={"currency": "EUR"})
    lines = list(csv.DictReader(io.StringIO(write_csv(report_records(report), report.dimensions))))
    assert lines[0] == {
        "source": "google",
        "currency": "EUR",
        "sessions": "4",
        "last.orders": "1",
        "last.revenue": "10.00",
        "first.orders": "0.5",
        "first.revenue": "5.00",
    }
    assert (lines[1]["source"], lines[1]["currency"], lines[1]["last.revenue"], lines[1]["sessions"]) == (
        "google",
        "JPY",
        "5",
        "",
    )


def test_money_keeps_cents_and_only_the_decimals_it_has() -> None:
    assert [str(money(Decimal(v))) for v in ("120", "99.5", "0.1234", "7.12345")] == [
        "120.00",
        "99.50",
        "0.1234",
        "7.1234",
    ]
    assert (count(Decimal(3)), count(Decimal("0.5"))) == (3, 0.5)
