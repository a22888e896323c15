"""A report as CSV: the same numbers as its JSON, one line per row; amounts not converted to the base currency get
their own lines (the ``currency`` column says which), and several models side by side become ``model.column``."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import orjson

from trackbridge.services.reports import Report


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float | str):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return orjson.dumps(value, default=str).decode()


def _flatten(row: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    flat: dict[str, Any] = {}
    apart: dict[str, dict[str, Any]] = defaultdict(dict)
    for key, value in row.items():
        if key == "models":
            for model, values in value.items():
                inner, inner_apart = _flatten(values, f"{prefix}{model}.")
                flat.update(inner)
                for currency, found in inner_apart.items():
                    apart[currency].update(found)
        elif key == "notConverted":
            for entry in value:
                apart[entry["currency"]].update({prefix + k: v for k, v in entry.items() if k != "currency"})
        else:
            flat[prefix + key] = value
    return flat, apart


def report_records(report: Report) -> list[dict[str, Any]]:
    currency = report.meta.get("currency")
    records: list[dict[str, Any]] = []
    for row in report.rows:
        flat, apart = _flatten(row)
        if currency is None:
            records.append(flat)
            continue
        keys = {name: flat.get(name) for name in report.dimensions}
        records.append({**keys, "currency": currency, **{k: v for k, v in flat.items() if k not in keys}})
        for other, values in sorted(apart.items()):
            records.append({**keys, "currency": other, **values})
    return records


def write_csv(records: Iterable[Mapping[str, Any]], columns: list[str] | None = None) -> str:
    rows = list(records)
    header = list(columns or [])
    for record in rows:
        header.extend(key for key in record if key not in header)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for record in rows:
        writer.writerow([cell(record.get(name)) for name in header])
    return out.getvalue()
