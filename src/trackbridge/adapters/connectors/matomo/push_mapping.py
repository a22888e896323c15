"""trackbridge orders and carts → Matomo Tracking API requests (seed 001). Pure, no I/O.

An order becomes an e-commerce order request (``idgoal=0`` with ``ec_id``), a cart a cart update (``idgoal=0`` without
``ec_id``, ``revenue`` = the cart's total). Facts from reference/matomo.md §1:

- ``cid`` must be exactly 16 hex characters or Matomo refuses the whole request with the same 400 it gives a duplicate
  order, so a visitor id of another form is never sent: the customer's user id (``uid``) goes instead, or neither;
- ``cdt`` in the future is silently replaced by Matomo's clock, and more than 20 years back ignored the same way: a
  future time is sent as "now" (clock skew), a time older than Matomo keeps is refused here with the reason;
- ``ec_items`` is ``[[sku, name, categories (up to 5), price, quantity], ...]``, the price per unit;
- ``token_auth`` goes once at the top of the bulk body, never into a request: :func:`tracking_url` shows a request as
  the PHP SDK logs it, with ``token_auth=XYZANONYMIZED``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from trackbridge.domain.errors import PermanentError
from trackbridge.domain.outbound import REDACTED

Params = dict[str, str]
JsonObject = Mapping[str, Any]

MAX_CATEGORIES = 5
MAX_AGE = timedelta(days=365 * 20 - 1)
"""Matomo ignores a ``cdt`` more than 20 years back (it would record the order now): such an order is refused."""
_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def valid_visitor_id(value: object) -> str | None:
    """A visitor id Matomo takes as ``cid`` (lower-cased), or None."""
    if isinstance(value, str) and _HEX16.match(value.strip()):
        return value.strip().lower()
    return None


def visitor_params(visitor_id: object, user_id: str | None) -> Params:
    """``cid`` when the stored visitor id is in Matomo's 16 hex form, else ``uid`` for a known customer, else none."""
    cid = valid_visitor_id(visitor_id)
    if cid is not None:
        return {"cid": cid}
    if user_id:
        return {"uid": user_id}
    return {}


def user_id(customer: JsonObject | None, order_email: str | None, settings: JsonObject) -> str | None:
    """How the connector names the customer to Matomo (setting ``userIdFrom``): ``id``, the shop's customer id (the
    external id, else trackbridge's), or ``email``."""
    if settings.get("userIdFrom") == "email":
        email = (customer or {}).get("email") or order_email
        return str(email) if email else None
    if customer is None:
        return None
    value = customer.get("externalId") or customer.get("id")
    return None if value in (None, "") else str(value)


def request_time(moment: datetime, now: datetime) -> str:
    """``cdt`` for ``moment``: UTC ``YYYY-MM-DD HH:MM:SS``; a future moment is sent as ``now``."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    moment = min(moment, now)
    if now - moment > MAX_AGE:
        raise PermanentError(f"the time {moment.isoformat()} is more than 20 years ago: Matomo would not record it")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def _number(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _amount(value: object) -> str | None:
    number = _number(value)
    return None if number is None else format(number.normalize(), "f")


def _json_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def ec_items(items: Sequence[JsonObject], categories: Mapping[str, Sequence[str]] | None = None) -> str:
    """``ec_items`` JSON: items without a SKU or product id are left out (Matomo drops them anyway)."""
    found: list[list[Any]] = []
    for item in items:
        product_id = str(item.get("productId") or "")
        sku = str(item.get("sku") or product_id).strip()
        if not sku:
            continue
        names = item.get("categories")
        if names is None and categories is not None:
            names = categories.get(product_id, ())
        cats = [str(name) for name in (names or ()) if str(name).strip()][:MAX_CATEGORIES]
        price = _number(item.get("price")) or Decimal(0)
        quantity = _number(item.get("quantity"))
        found.append(
            [
                sku,
                str(item.get("name") or ""),
                cats[0] if len(cats) == 1 else (cats or ""),
                _json_number(price),
                int(quantity) if quantity is not None and quantity >= 1 else 1,
            ]
        )
    return json.dumps(found, separators=(",", ":"), ensure_ascii=False)


def attribution_params(session: JsonObject | None) -> Params:
    """``_rcn``, ``_rck``, ``_ref``, ``_refts`` from the visit the order is attributed to (its stored source).

    A campaign visit gives its campaign name and keyword (UTM codes first, then Matomo's referrer name / keyword), any
    visit with a referrer its URL and the time the visit started. A direct visit gives nothing."""
    if not session:
        return {}
    found: Params = {}
    campaign = session.get("utmCampaign") or (
        session.get("referrerName") if session.get("referrerType") == "campaign" else None
    )
    keyword = session.get("utmTerm") or (
        session.get("referrerKeyword") if session.get("referrerType") == "campaign" else None
    )
    if campaign:
        found["_rcn"] = str(campaign)
        if keyword:
            found["_rck"] = str(keyword)
    if session.get("referrerUrl"):
        found["_ref"] = str(session["referrerUrl"])
    started = session.get("startedAt")
    if found and isinstance(started, datetime):
        found["_refts"] = str(int(started.timestamp()))
    return found


def _base(settings: JsonObject, visitor: Params, ip: object, user_agent: object, when: str) -> Params:
    params: Params = {"idsite": str(settings["siteId"]), "rec": "1", "apiv": "1", **visitor}
    if ip:
        params["cip"] = str(ip)
    if user_agent:
        params["ua"] = str(user_agent)
    params["cdt"] = when
    return params


def order_request(
    order: JsonObject,
    settings: JsonObject,
    now: datetime,
    *,
    customer: JsonObject | None = None,
    attribution: JsonObject | None = None,
    categories: Mapping[str, Sequence[str]] | None = None,
) -> Params:
    """The Tracking API parameters of an order (read-API JSON: ``GET /api/v1/orders/{id}``)."""
    placed = datetime.fromtimestamp(int(order["createdAt"]) / 1000, tz=UTC)
    visitor = visitor_params(order.get("visitorId"), user_id(customer, order.get("email"), settings))
    params = _base(settings, visitor, order.get("ipAddress"), order.get("userAgent"), request_time(placed, now))
    params.update(attribution_params(attribution))
    params["idgoal"] = "0"
    params["ec_id"] = str(order["id"])
    params["ec_items"] = ec_items(order.get("products") or [], categories)
    params["revenue"] = _amount(order.get("amount")) or "0"
    for key, name in (("subtotal", "ec_st"), ("tax", "ec_tx"), ("shipping", "ec_sh"), ("discount", "ec_dt")):
        amount = _amount(order.get(key))
        if amount is not None:
            params[name] = amount
    return params


def cart_request(cart: JsonObject, settings: JsonObject, now: datetime) -> Params:
    """The Tracking API parameters of a cart update: ``{"visitorId", "customer", "email", "items", "total", "at"
    (epoch ms), "ip", "userAgent"}``; items as ``{"productId", "sku", "name", "categories", "price", "quantity"}``."""
    at = cart.get("at")
    moment = datetime.fromtimestamp(int(at) / 1000, tz=UTC) if at is not None else now
    visitor = visitor_params(cart.get("visitorId"), user_id(cart.get("customer"), cart.get("email"), settings))
    params = _base(settings, visitor, cart.get("ip"), cart.get("userAgent"), request_time(moment, now))
    params["idgoal"] = "0"
    params["ec_items"] = ec_items(cart.get("items") or [])
    params["revenue"] = _amount(cart.get("total")) or "0"
    return params


def tracking_endpoint(base_url: str) -> str:
    """``https://matomo.example.com/matomo.php`` from the connector's Matomo URL (with or without a path)."""
    base = base_url.split("?", maxsplit=1)[0].rstrip("/")
    if base.endswith(".php"):
        base = base.rsplit("/", 1)[0]
    return f"{base}/matomo.php"


def query(params: Params) -> str:
    return "?" + urlencode(params)


def bulk_body(requests: Sequence[Params], token: str) -> dict[str, Any]:
    """The bulk body: every request as a query string, the token once at the top (reference/matomo.md §1)."""
    return {"requests": [query(params) for params in requests], "token_auth": token}


def tracking_url(base_url: str, params: Params) -> str:
    """The request as one URL, as seed 001 keeps it on the order: the token shown as ``XYZANONYMIZED``."""
    return f"{tracking_endpoint(base_url)}{query(params)}&token_auth={REDACTED}"
