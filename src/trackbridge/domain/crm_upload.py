"""CRM uploads in Yandex Metrica's formats (formats.md §2): rows of customers and orders → records. Pure, no I/O.

A row is a mapping of canonical field names (Metrica's column names, after the user's column mapping) to what the file
holds: strings from CSV, strings, numbers or lists from JSON. An empty cell, ``null`` or an absent key means "not sent".
Mapping a row either gives a record (``CrmCustomer`` / ``CrmOrder``, with ``sent``: the fields the row carried) or
raises :class:`InvalidInput`, whose message is the rejection reason reported with the row's line number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from enum import StrEnum

from trackbridge.domain.crm_identifiers import IDENTIFIER_FIELDS, Identifiers, parse_identifiers, split_list
from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.values import check_currency, parse_money, parse_timestamp

_DECIMAL_COMMA = re.compile(r"^-?\d+,\d{1,4}$")


class UploadKind(StrEnum):
    CUSTOMERS = "customers"
    ORDERS = "orders"
    SIMPLE_ORDERS = "simple_orders"


class MergeMode(StrEnum):
    SAVE = "SAVE"  # each record in the file replaces the stored one whole: fields it lacks become empty
    UPDATE = "UPDATE"  # only the fields a record carries change
    APPEND = "APPEND"  # only records not stored yet are added; stored ones stay untouched


SCOPE_FIELDS = ("website", "store_view")  # the shop's website and store-view codes, for export scopes (seed 002)
CUSTOMER_FIELDS = (
    "uniq_id",
    "name",
    "create_date_time",
    "update_date_time",
    *IDENTIFIER_FIELDS,
    *SCOPE_FIELDS,
    "subscribed",
    "registered",
)
_ORDER_COMMON = (
    "id",
    "create_date_time",
    "client_uniq_id",
    "order_status",
    "update_date_time",
    "finish_date_time",
    "revenue",
    "cost",
    "goals",
    "products",
    "currency",
    *SCOPE_FIELDS,
    "base_currency",
    "base_revenue",
)
ORDER_FIELDS = (*_ORDER_COMMON, "client_type")
SIMPLE_ORDER_FIELDS = (*_ORDER_COMMON, *IDENTIFIER_FIELDS)
FIELDS: dict[UploadKind, tuple[str, ...]] = {
    UploadKind.CUSTOMERS: CUSTOMER_FIELDS,
    UploadKind.ORDERS: ORDER_FIELDS,
    UploadKind.SIMPLE_ORDERS: SIMPLE_ORDER_FIELDS,
}
REQUIRED: dict[UploadKind, tuple[str, ...]] = {
    UploadKind.CUSTOMERS: ("uniq_id",),
    UploadKind.ORDERS: ("id", "client_uniq_id", "create_date_time", "order_status"),
    UploadKind.SIMPLE_ORDERS: ("id", "create_date_time"),
}
IMMUTABLE: dict[UploadKind, frozenset[str]] = {
    UploadKind.CUSTOMERS: frozenset({"uniq_id"}),
    UploadKind.ORDERS: frozenset({"id", "create_date_time"}),
    UploadKind.SIMPLE_ORDERS: frozenset({"id", "create_date_time"}),
}
SAVE_KEEPS_UNLESS_SENT = frozenset({*SCOPE_FIELDS, "subscribed", "registered", "base_currency", "base_revenue"})
"""Fields other sources (the signed API) keep too: SAVE changes them only when the row carries them."""
DEFAULT_SIMPLE_STATUS = "PAID"  # Metrica's default status type when a simplified order carries none


@dataclass(frozen=True, slots=True)
class CrmCustomer:
    uniq_id: str
    name: str | None
    created_at: datetime | None
    updated_at: datetime | None
    ids: Identifiers
    sent: frozenset[str]
    website: str | None = None
    store_view: str | None = None
    subscribed: bool | None = None
    registered: bool | None = None


@dataclass(frozen=True, slots=True)
class CrmOrder:
    id: str
    placed_at: datetime | None
    client_uniq_id: str | None
    status: str | None
    crm_updated_at: datetime | None
    finished_at: datetime | None
    revenue: Decimal | None
    cost: Decimal | None
    goals: tuple[str, ...]
    products: tuple[tuple[str, int], ...]
    currency: str | None
    ids: Identifiers
    sent: frozenset[str]
    website: str | None = None
    store_view: str | None = None
    base_currency: str | None = None
    base_revenue: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one record: stored, skipped (APPEND met a stored record) or rejected with the reason."""

    stored: bool
    reason: str | None = None

    @property
    def skipped(self) -> bool:
        return not self.stored and self.reason is None


STORED = Outcome(stored=True)
SKIPPED = Outcome(stored=False)


def rejected(reason: str) -> Outcome:
    return Outcome(stored=False, reason=reason)


def parse_column_mapping(value: object, kind: UploadKind) -> dict[str, str]:
    """A user's column mapping ``{their_header: our_field}``, from JSON text or an object; our fields are checked."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise InvalidInput("must be a JSON object {their_header: our_field}", "columns") from None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise InvalidInput("must be a JSON object {their_header: our_field}", "columns")
    known = FIELDS[kind]
    mapping: dict[str, str] = {}
    for theirs, ours in value.items():
        if ours.strip() not in known:
            raise InvalidInput(f"{ours!r} is not a field of {kind.value}; known: {', '.join(known)}", "columns")
        mapping[theirs.strip()] = ours.strip()
    return mapping


def canonical_header(header: str, mapping: Mapping[str, str]) -> str:
    name = header.strip().lstrip("\ufeff").strip()
    return mapping.get(name) or name.lower()


def missing_columns(kind: UploadKind, columns: set[str]) -> list[str]:
    """Required columns a CSV header lacks (JSON records are checked one by one)."""
    missing = [name for name in REQUIRED[kind] if name not in columns]
    if kind is UploadKind.SIMPLE_ORDERS and not columns & {*IDENTIFIER_FIELDS, "client_uniq_id"}:
        missing.append("one of client_ids, emails, phones, emails_md5, phones_md5")
    return missing


def fields_to_write(kind: UploadKind, mode: MergeMode, sent: frozenset[str], exists: bool) -> frozenset[str] | None:
    """Which fields a record writes: all of them when new; under SAVE all but the immutable ones (absent → empty);
    under UPDATE the sent ones; under APPEND none (None: the stored record stays untouched)."""
    if not exists:
        return frozenset(FIELDS[kind])
    if mode is MergeMode.APPEND:
        return None
    chosen = frozenset(FIELDS[kind]) - (SAVE_KEEPS_UNLESS_SENT - sent) if mode is MergeMode.SAVE else sent
    return chosen - IMMUTABLE[kind]


def map_customer(row: Mapping[str, object], tz: tzinfo) -> CrmCustomer:
    cells = _present(row, UploadKind.CUSTOMERS)
    uniq_id = _text(cells, "uniq_id", 200)
    if uniq_id is None:
        raise InvalidInput("is required", "uniq_id")
    return CrmCustomer(
        uniq_id=uniq_id,
        name=_text(cells, "name", 200),
        created_at=_moment(cells, "create_date_time", tz),
        updated_at=_moment(cells, "update_date_time", tz),
        ids=parse_identifiers(cells),
        sent=frozenset(cells),
        website=_text(cells, "website", 100),
        store_view=_text(cells, "store_view", 100),
        subscribed=_flag(cells, "subscribed"),
        registered=_flag(cells, "registered"),
    )


def map_order(row: Mapping[str, object], tz: tzinfo, kind: UploadKind) -> CrmOrder:
    cells = _present(row, kind)
    for name in REQUIRED[kind]:
        if name not in cells:
            raise InvalidInput("is required", name)
    ids = parse_identifiers(cells) if kind is UploadKind.SIMPLE_ORDERS else Identifiers()
    if kind is UploadKind.SIMPLE_ORDERS and ids == Identifiers() and "client_uniq_id" not in cells:
        raise InvalidInput("a simplified order needs client_ids, emails, phones or their md5", "client_ids")
    client_type = _text(cells, "client_type", 20)
    if client_type is not None and client_type.upper() != "CONTACT":
        raise InvalidInput(f"{client_type!r} is not supported: only CONTACT", "client_type")
    status = _text(cells, "order_status", 100)
    if status is None and kind is UploadKind.SIMPLE_ORDERS:
        status = DEFAULT_SIMPLE_STATUS
    return CrmOrder(
        id=_text(cells, "id", 200) or "",
        placed_at=_moment(cells, "create_date_time", tz),
        client_uniq_id=_text(cells, "client_uniq_id", 200),
        status=status,
        crm_updated_at=_moment(cells, "update_date_time", tz),
        finished_at=_moment(cells, "finish_date_time", tz),
        revenue=_money(cells, "revenue"),
        cost=_money(cells, "cost"),
        goals=tuple(split_list(cells.get("goals"))),
        products=parse_products(cells["products"]) if "products" in cells else (),
        currency=check_currency(cells["currency"], "currency") if "currency" in cells else None,
        ids=ids,
        sent=frozenset(cells),
        website=_text(cells, "website", 100),
        store_view=_text(cells, "store_view", 100),
        base_currency=check_currency(cells["base_currency"], "base_currency") if "base_currency" in cells else None,
        base_revenue=_money(cells, "base_revenue"),
    )


def parse_products(value: object) -> tuple[tuple[str, int], ...]:
    """``Name:qty,Name2:qty`` (or a JSON list of such strings or of ``{name, quantity}``) → (name, quantity) pairs;
    a name without ``:qty`` counts once, and a name given twice adds up."""
    parts: list[object] = list(value) if isinstance(value, list) else list(split_list(value))
    totals: dict[str, int] = {}
    for part in parts:
        name, quantity = _product(part)
        totals[name] = totals.get(name, 0) + quantity
    return tuple(totals.items())


def _product(part: object) -> tuple[str, int]:
    if isinstance(part, dict):
        name, quantity = str(part.get("name") or "").strip(), part.get("quantity", 1)
    else:
        text = str(part).strip()
        name, _, quantity = text.rpartition(":") if ":" in text else (text, "", "1")
        name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput(f"{part!r} needs a product name of 1-200 characters", "products")
    try:
        count = int(str(quantity).strip())
    except ValueError:
        raise InvalidInput(f"{part!r}: the quantity must be a whole number", "products") from None
    if count < 1:
        raise InvalidInput(f"{part!r}: the quantity must be at least 1", "products")
    return name, count


def _present(row: Mapping[str, object], kind: UploadKind) -> dict[str, object]:
    """The cells of ``kind``'s fields a row carries: empty strings, ``null`` and empty lists are "not sent";
    columns that are no field of the kind are ignored."""
    known = FIELDS[kind]
    cells: dict[str, object] = {}
    for name, raw in row.items():
        value = raw.strip() if isinstance(raw, str) else raw
        if name not in known or value is None or value in ("", []):
            continue
        cells[name] = value
    return cells


def _text(cells: Mapping[str, object], name: str, limit: int) -> str | None:
    value = cells.get(name)
    if value is None:
        return None
    if isinstance(value, (dict, list, bool)):
        raise InvalidInput("must be a string", name)
    text = str(value).strip()
    if len(text) > limit:
        raise InvalidInput(f"is longer than {limit} characters", name)
    return text


_TRUE = frozenset({"true", "1", "yes", "y"})
_FALSE = frozenset({"false", "0", "no", "n"})


def _flag(cells: Mapping[str, object], name: str) -> bool | None:
    value = cells.get(name)
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput("must be true or false (1/0, yes/no)", name)


def _moment(cells: Mapping[str, object], name: str, tz: tzinfo) -> datetime | None:
    value = cells.get(name)
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = str(value)
    return parse_timestamp(value, name, tz)


def _money(cells: Mapping[str, object], name: str) -> Decimal | None:
    value = cells.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = value.replace(" ", "").replace("\u00a0", "")
        if _DECIMAL_COMMA.match(value):  # ``1234,50`` from a semicolon-separated file of a comma-decimal locale
            value = value.replace(",", ".")
    return parse_money(value, name)
