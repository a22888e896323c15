"""The Tracking API side of the fake Matomo: which requests Matomo 5 refuses, and what a tracked order looks like.

From ../shared/reference/matomo.md §1: a bad ``cid`` length, ``cip``, an old ``cdt`` or geo overrides without a token
Matomo accepts, an unknown ``idsite`` and a repeated ``ec_id`` per site are all refused (400 single, invalid index bulk).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")
_GEO = ("country", "region", "city", "lat", "long")
_OLD_CDT_SECONDS = 86400


class Refused(Exception):
    """Matomo's InvalidRequestParameterException / UnexpectedWebsiteFoundException."""


def request_time(params: dict[str, str], now: datetime) -> datetime:
    """The time of a hit: ``cdt`` (UTC datetime or unix timestamp) minus ``cdo``, ignored when in the future."""
    raw = params.get("cdt", "")
    if not raw:
        return now
    try:
        when = datetime.fromtimestamp(int(raw), tz=UTC) if raw.isdigit() else datetime.fromisoformat(raw)
    except ValueError:
        return now
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if params.get("cdo", "").lstrip("-").isdigit():
        when = datetime.fromtimestamp(when.timestamp() - int(params["cdo"]), tz=UTC)
    return now if when > now else when


def visitor_id(params: dict[str, str]) -> str:
    if params.get("uid"):
        return hashlib.sha1(params["uid"].encode()).hexdigest()[:16]
    return (params.get("cid") or params.get("_id") or "0" * 16)[:16].lower()


def check(
    params: dict[str, str], *, sites: set[int], token_ok: bool, orders: set[tuple[int, str]], now: datetime
) -> None:
    """Raise Refused when Matomo would refuse this request."""
    site = params.get("idsite", "")
    if not site.isdigit() or int(site) not in sites:
        raise Refused(f"An unexpected website was found in the request: website id was set to '{site}' .")
    if "cid" in params and not _HEX16.match(params["cid"]):
        raise Refused("Visitor ID (cid) must be 16 characters long")
    if params.get("cip") and not token_ok:
        raise Refused("Tracker API 'cip' was used, requires valid token_auth")
    if params.get("cdt") and not token_ok and (now - request_time(params, now)).total_seconds() > _OLD_CDT_SECONDS:
        raise Refused("Custom timestamp is too old, requires valid token_auth")
    for name in _GEO:
        if params.get(name) and not token_ok:
            raise Refused(f"Tracker API '{name}' was used, requires valid token_auth")
    if params.get("idgoal") == "0" and params.get("ec_id") and (int(site), params["ec_id"]) in orders:
        raise Refused(f"Invalid non-unique idsite/idorder combination ({site}, {params['ec_id']})")


def _number(raw: str | None) -> float:
    try:
        return float(raw) if raw else 0.0
    except ValueError:
        return 0.0


def items(params: dict[str, str]) -> list[dict[str, Any]]:
    """``ec_items`` as Matomo stores them (items without a SKU dropped; bad JSON means no items)."""
    try:
        raw = json.loads(params.get("ec_items") or "[]")
    except ValueError:
        return []
    details = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, list) or not item or not item[0]:
            continue
        sku, name, category, price, quantity = [*item, "", "", 0, 1][:5]
        categories = category if isinstance(category, list) else ([category] if category else [])
        details.append(
            {
                "itemSKU": str(sku),
                "itemName": str(name),
                "itemCategory": str(categories[0]) if categories else "",
                "price": _number(str(price)),
                "quantity": int(_number(str(quantity)) or 1),
                "categories": [str(c) for c in categories[:5]],
            }
        )
    return details


def order_visit(params: dict[str, str], id_visit: int, when: datetime, client_ip: str) -> dict[str, Any]:
    """The visit Matomo shows for a tracked order (so that ``orderId==`` finds it)."""
    details = items(params)
    stamp = int(when.timestamp())
    action = {
        "type": "ecommerceOrder",
        "orderId": params["ec_id"],
        "revenue": _number(params.get("revenue")),
        "revenueSubTotal": _number(params.get("ec_st")),
        "revenueTax": _number(params.get("ec_tx")),
        "revenueShipping": _number(params.get("ec_sh")),
        "revenueDiscount": _number(params.get("ec_dt")),
        "items": sum(d["quantity"] for d in details),
        "itemDetails": details,
        "timestamp": stamp,
    }
    return {
        "idSite": int(params["idsite"]),
        "idVisit": id_visit,
        "visitIp": params.get("cip") or client_ip,
        "visitorId": visitor_id(params),
        "userId": params.get("uid") or None,
        "serverTimestamp": stamp,
        "firstActionTimestamp": stamp,
        "lastActionTimestamp": stamp,
        "visitDuration": 0,
        "actions": 0,
        "visitEcommerceStatus": "ordered",
        "totalEcommerceRevenue": action["revenue"],
        "totalEcommerceConversions": 1,
        "totalEcommerceItems": str(action["items"]),
        "referrerType": "campaign" if params.get("_rcn") else "direct",
        "referrerName": params.get("_rcn", ""),
        "referrerKeyword": params.get("_rck", ""),
        "referrerUrl": params.get("_ref") or None,
        "countryCode": "xx",
        "country": "Unknown",
        "actionDetails": [action],
    }
