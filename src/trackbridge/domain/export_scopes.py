"""Which destination accounts get a record, by the shop's scopes (seed 002, "Connection to Ometria accounts"). Pure.

A shop is a hierarchy: global → websites (e.g. ``europe``) → store views (e.g. ``fr``). A record (customer or order)
may carry its website and store-view codes. Each destination account is connected at one level: ``global``,
``website`` (with the website's code) or ``storeView`` (with the store view's code). The most specific account wins: a
record of store view ``fr`` of website ``europe`` goes to the account connected to ``fr`` if there is one, else to the
one connected to ``europe``, else to the global one. A global account with ``receiveAllScopes`` (seed 002's "global
Ometria account", the supervisor aggregating every stream) also gets every record, whatever more specific account
gets it too. A customer or order sent without website and store view goes to the global accounts (to every account
when none is global). Products have no scope: every account gets the catalogue, since an account refuses an order whose
products it does not know (``destinations_for`` applies that).

The rule applies among the destinations of one kind (settings["kind"]): a webhook does not compete with Ometria
accounts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from trackbridge.domain.errors import InvalidInput

SCOPE_LEVELS = ("global", "website", "storeView")
SCOPE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
SCOPE_DEFAULTS: dict[str, Any] = {"scope": "global", "scopeCode": None, "receiveAllScopes": False}


def parse_scope(merged: Mapping[str, Any]) -> dict[str, Any]:
    """The checked ``scope``, ``scopeCode`` and ``receiveAllScopes`` of a destination's settings."""
    level = merged.get("scope") or "global"
    if level not in SCOPE_LEVELS:
        raise InvalidInput(f"must be one of {', '.join(SCOPE_LEVELS)}", "scope")
    code = merged.get("scopeCode")
    code = code.strip() if isinstance(code, str) else code
    if level == "global":
        if code:
            raise InvalidInput("a global account has no scope code (use scope=website or scope=storeView)", "scopeCode")
        code = None
    elif not isinstance(code, str) or not SCOPE_CODE.match(code):
        raise InvalidInput(f"the {level} code this account is connected to (letters, digits, . _ -)", "scopeCode")
    receive_all = _flag(merged.get("receiveAllScopes", False), "receiveAllScopes")
    if receive_all and level != "global":
        raise InvalidInput("only a global account can receive every scope's data", "receiveAllScopes")
    return {"scope": level, "scopeCode": code, "receiveAllScopes": receive_all}


def choose_destinations(
    website: str | None, store_view: str | None, destinations: Sequence[tuple[int, Mapping[str, Any]]]
) -> list[int]:
    """The ids of the destinations that get a record of this website / store view, in the order given."""
    chosen: set[int] = set()
    kinds: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for destination in destinations:
        kinds.setdefault(str(destination[1].get("kind") or ""), []).append(destination)
    for group in kinds.values():
        chosen.update(_choose_in_kind(website, store_view, group))
    return [dest_id for dest_id, _ in destinations if dest_id in chosen]


def destinations_for(
    entity: str,
    website: str | None,
    store_view: str | None,
    destinations: Sequence[tuple[int, Mapping[str, Any]]],
) -> list[int]:
    """``choose_destinations`` for customers and orders; every destination for products (the catalogue)."""
    if entity == "product":
        return [dest_id for dest_id, _ in destinations]
    return choose_destinations(website, store_view, destinations)


def _choose_in_kind(
    website: str | None, store_view: str | None, destinations: Sequence[tuple[int, Mapping[str, Any]]]
) -> set[int]:
    by_level: dict[str, list[int]] = {level: [] for level in SCOPE_LEVELS}
    everything: set[int] = set()
    for dest_id, settings in destinations:
        level = settings.get("scope") or "global"
        code = settings.get("scopeCode")
        if level == "storeView" and store_view is not None and _same(code, store_view):
            by_level["storeView"].append(dest_id)
        elif level == "website" and website is not None and _same(code, website):
            by_level["website"].append(dest_id)
        elif level == "global":
            by_level["global"].append(dest_id)
            if settings.get("receiveAllScopes"):
                everything.add(dest_id)
    if website is None and store_view is None and not by_level["global"]:
        return {dest_id for dest_id, _ in destinations}  # unscoped data and no global account: every account
    for level in ("storeView", "website", "global"):
        if by_level[level]:
            return set(by_level[level]) | everything
    return everything


def _same(code: Any, value: str) -> bool:
    return isinstance(code, str) and code.lower() == value.strip().lower()


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "on", "false", "0", "no", "off", ""}:
        return value.strip().lower() in {"true", "1", "yes", "on"}
    raise InvalidInput("must be true or false", field)
