"""Matomo's bulk tracking body and query strings as flat parameter dicts (reference/matomo.md §1, "Bulk tracking").

A bulk is ``{"requests": [...], "token_auth": "...", "send_image": 0}``; each element is either a string whose query
part holds the parameters (``"?idsite=1&rec=1&url=..."``) or a JSON object of parameters. Matomo detects a bulk by the
substring ``"requests"`` in the raw body, whatever the Content-Type. Pure, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from trackbridge.domain.errors import InvalidInput

Params = dict[str, str]


@dataclass(frozen=True, slots=True)
class BulkBody:
    requests: tuple[Params | None, ...]
    """The elements as parameters, oldest first as sent; None for an element that is neither a string nor an object."""
    token_auth: str | None
    send_image: bool


def is_bulk(body: bytes) -> bool:
    return b'"requests"' in body or b"'requests'" in body


def query_params(text: str) -> Params:
    """The parameters of a query string (``a=1&b=2``) or of the query part of a URL; a repeated name keeps the last."""
    query = urlsplit(text).query if "?" in text else text
    return dict(parse_qsl(query, keep_blank_values=True))


def merged_params(query: Mapping[str, str], form: Mapping[str, str]) -> Params:
    """Matomo reads ``$_GET + $_POST``: a name in both keeps the query's value."""
    return {**form, **query}


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) and not value.is_integer() else str(int(value))
    return json.dumps(value)  # arrays and objects (e.g. ec_items sent as a JSON array), as their JSON text


def _element(value: object) -> Params | None:
    if isinstance(value, str):
        return query_params(value)
    if isinstance(value, dict):
        params = {str(name): _as_text(item) for name, item in value.items()}
        return {name: text for name, text in params.items() if text is not None}
    return None


def parse_bulk(body: bytes) -> BulkBody:
    try:
        decoded = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the bulk body is not valid JSON", "requests") from None
    if not isinstance(decoded, dict) or not isinstance(decoded.get("requests"), list):
        raise InvalidInput("must be a JSON array of requests", "requests")
    token = decoded.get("token_auth")
    send_image = _as_text(decoded.get("send_image"))
    return BulkBody(
        requests=tuple(_element(item) for item in decoded["requests"]),
        token_auth=token.strip() or None if isinstance(token, str) else None,
        send_image=send_image != "0",
    )
