"""Settings shared by the export destinations (Ometria, webhook): defaults, merging, and the checks only exports need
(scope, entities, namespaces, attribute mappings); single values are checked by ``setting_values``."""

from __future__ import annotations

import json
import re
from typing import Any

from trackbridge.adapters.connectors.setting_values import bounded_float, bounded_int, flag, text_list
from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.export_scopes import SCOPE_DEFAULTS, parse_scope
from trackbridge.domain.schedules import check_cron

ENTITIES = ("customer", "product", "order")
NAMESPACE = re.compile(r"^[A-Za-z0-9_-]{0,50}$")
SOURCE_ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
TARGET_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_@.-]{1,100}$")

EXPORT_DEFAULTS: dict[str, Any] = {
    **SCOPE_DEFAULTS,
    "entities": list(ENTITIES),
    "liveUpdates": True,
    "schedule": "* * * * *",
    "maxRecordsPerRun": 1000,
    "batchSize": 100,
    "timeoutSeconds": 30,
}


def merged_settings(
    raw: dict[str, Any], current: dict[str, Any] | None, defaults: dict[str, Any], kind: str
) -> dict[str, Any]:
    """Defaults, then the current settings, then what was sent (None: not sent); unknown names are refused."""
    merged = {**defaults, **(current or {}), **{k: v for k, v in raw.items() if v is not None}}
    merged.pop("kind", None)
    unknown = sorted(set(merged) - set(defaults))
    if unknown:
        raise InvalidInput(f"unknown setting(s) {', '.join(unknown)} for a {kind} connector", "settings")
    return merged


def export_common(merged: dict[str, Any], *, max_rate: float, max_batch: int) -> dict[str, Any]:
    """The scope, entities, schedule and pacing settings every export destination has."""
    return {
        **parse_scope(merged),
        "entities": entities(merged["entities"]),
        "liveUpdates": flag(merged["liveUpdates"], "liveUpdates"),
        "schedule": check_cron(str(merged["schedule"]), "schedule"),
        "maxRecordsPerRun": bounded_int(merged["maxRecordsPerRun"], "maxRecordsPerRun", 1, 100_000),
        "requestsPerSecond": bounded_float(merged["requestsPerSecond"], "requestsPerSecond", 0.01, max_rate),
        "batchSize": bounded_int(merged["batchSize"], "batchSize", 1, max_batch),
        "timeoutSeconds": bounded_int(merged["timeoutSeconds"], "timeoutSeconds", 1, 300),
    }


def namespace(value: Any, field: str) -> str:
    """An id namespace (prefix): only A-Za-z0-9, dash and underscore, as seed 002 requires."""
    text = "" if value is None else value
    if not isinstance(text, str) or not NAMESPACE.match(text.strip()):
        raise InvalidInput("may hold only letters A-Z a-z, digits, dash and underscore (at most 50)", field)
    return text.strip()


def entities(value: Any) -> list[str]:
    chosen = [name.lower() for name in text_list(value, "entities")]
    wrong = [name for name in chosen if name not in ENTITIES]
    if wrong or not chosen:
        raise InvalidInput(f"one or more of {', '.join(ENTITIES)}", "entities")
    return [name for name in ENTITIES if name in chosen]


def attribute_mapping(value: Any, field: str) -> dict[str, str]:
    """Extra attributes to send: ``{our_field: their_attribute}``; an empty target means "the same code".

    Accepted forms: that object; JSON text of it; ``"a,b:c"`` (``a`` as is, ``b`` sent as ``c``); or seed 002's rows
    ``[{"attribute": "b", "sameCode": false, "ometriaAttribute": "c"}]``. Our fields are the read API's JSON names,
    dotted for nested ones (``billing.city``).
    """
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("{", "[")):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise InvalidInput("is not valid JSON", field) from None
        else:
            value = dict(_pair(part) for part in text.split(",") if part.strip())
    if isinstance(value, list):
        value = dict(_row(row, field) for row in value)
    if not isinstance(value, dict):
        raise InvalidInput("an object {our_field: their_attribute} (empty: the same code)", field)
    mapping: dict[str, str] = {}
    for source, target in value.items():
        source_name = str(source).strip()
        target_name = (target or "").strip() if isinstance(target, str) or target is None else None
        if target_name is None:
            raise InvalidInput(f"the attribute for {source_name!r} must be a string", field)
        if not SOURCE_ATTRIBUTE.match(source_name):
            raise InvalidInput(f"{source_name!r} is not a field name (letters, digits, _ and dots)", field)
        target_name = target_name or source_name
        if not TARGET_ATTRIBUTE.match(target_name):
            raise InvalidInput(f"{target_name!r} is not an attribute name", field)
        mapping[source_name] = target_name
    return mapping


def _pair(part: str) -> tuple[str, str]:
    source, _, target = part.partition(":")
    return source.strip(), target.strip()


def _row(row: Any, field: str) -> tuple[str, str]:
    if not isinstance(row, dict) or not isinstance(row.get("attribute"), str):
        raise InvalidInput('each row needs "attribute" (and "ometriaAttribute" unless "sameCode")', field)
    same = flag(row.get("sameCode", not row.get("ometriaAttribute")), field)
    target = row.get("ometriaAttribute") or row.get("attributeTo") or ""
    if not same and not target:
        raise InvalidInput(f"{row['attribute']!r} has sameCode false but no ometriaAttribute", field)
    return row["attribute"], "" if same else str(target)
