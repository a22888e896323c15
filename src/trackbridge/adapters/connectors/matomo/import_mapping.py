"""A visit of Matomo's ``Live.getLastVisitsDetails`` → trackbridge's imported visit and actions. Pure.

Field by field as seed 000 §4 lists them (reference/matomo.md §2 for Matomo's shapes): first / last action and
duration; location with coordinates (strings → numbers; ``xx`` / ``Unknown`` → none; a country code trackbridge's
country list does not know is not added, nor its region and city); referrer type / name / keyword / URL; UTM codes
(core Matomo: ``referrerName`` → utm_campaign and ``referrerKeyword`` → utm_term for campaign visits; the
MarketingCampaignsReporting plugin's ``campaign*`` fields fill all six; codes still in the landing URL fill gaps);
OS, device, browser, IP; every action with its type, page URL and title and time spent. Matomo's raw values stay in
``raw`` (the visit) and in each action's properties (``matomoType``).
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any

from trackbridge.domain.channels import CAMPAIGN, DIRECT, ORGANIC_SEARCH, REFERRAL, SOCIAL, campaign_from_url, classify
from trackbridge.domain.countries import country_name
from trackbridge.domain.enrichment import Device, Location, Source
from trackbridge.domain.events import Campaign, EventType
from trackbridge.domain.matomo_visits import ImportedAction, ImportedVisit

JsonObject = dict[str, Any]

UNKNOWN = frozenset({"", "unknown", "unk", "xx", "n/a", "none", "null"})
CHANNEL_OF_TYPE = {"direct": DIRECT, "search": ORGANIC_SEARCH, "social": SOCIAL, "website": REFERRAL}
DEVICE_TYPES = {
    "desktop": "desktop",
    "smartphone": "smartphone",
    "phablet": "smartphone",
    "feature phone": "smartphone",
    "tablet": "tablet",
    "console": "console",
    "tv": "tv",
}
ACTION_TYPES: dict[str, EventType] = {
    "action": EventType.PAGE_VIEW,
    "search": EventType.SEARCH,
    "download": EventType.DOWNLOAD,
    "outlink": EventType.OUTLINK,
    "event": EventType.MATOMO_EVENT,
    "goal": EventType.GOAL,
    "ecommerceOrder": EventType.ECOMMERCE_ORDER,
    "ecommerceAbandonedCart": EventType.SET_CART,
    "13": EventType.CONTENT,
}
"""Matomo action codes (``type``; content impressions and interactions are the integer 13) → trackbridge types.
Anything else is kept as a custom event with its code."""
_CAMPAIGN_FIELDS = {
    "id": "campaignId",
    "source": "campaignSource",
    "medium": "campaignMedium",
    "name": "campaignName",
    "term": "campaignKeyword",
    "content": "campaignContent",
}


def map_visit(visit: JsonObject) -> ImportedVisit:
    """One Live API visit as trackbridge keeps it. Raises ValueError when the visit lacks its ids or times."""
    site_id, id_visit = int(visit["idSite"]), int(visit["idVisit"])
    started = _moment(visit.get("firstActionTimestamp") or visit.get("serverTimestamp"))
    last = _moment(visit.get("lastActionTimestamp") or visit.get("serverTimestamp"))
    actions = map_actions(visit.get("actionDetails") or [], site_id, id_visit)
    entry_url = next((a.url for a in actions if a.url and a.type is EventType.PAGE_VIEW), None)
    campaign = campaign_of(visit, entry_url)
    raw = {key: value for key, value in visit.items() if key != "actionDetails"}
    return ImportedVisit(
        site_id=site_id,
        id_visit=id_visit,
        visitor_id=str(visit.get("visitorId") or "").lower()[:16],
        user_id=_text(visit.get("userId")),
        started_at=min(started, last),
        last_action_at=max(started, last),
        duration_seconds=max(_int(visit.get("visitDuration")) or 0, 0),
        campaign=campaign,
        source=source_of(visit, campaign, entry_url),
        location=location_of(visit),
        device=device_of(visit),
        ip=_text(visit.get("visitIp")),
        actions=tuple(actions),
        raw=raw,
        content_hash=hashlib.sha256(json.dumps(visit, sort_keys=True, default=str).encode()).hexdigest(),
    )


def campaign_of(visit: JsonObject, entry_url: str | None) -> Campaign:
    """The six UTM codes: the plugin's ``campaign*`` fields, else core's name and keyword of a campaign visit, the
    gaps filled from the landing URL when Matomo left codes in it."""
    is_campaign = str(visit.get("referrerType") or "") == "campaign"
    values = {name: _text(visit.get(key)) for name, key in _CAMPAIGN_FIELDS.items()}
    if is_campaign:
        values["name"] = values["name"] or _text(visit.get("referrerName"))
        values["term"] = values["term"] or _text(visit.get("referrerKeyword"))
    landing = campaign_from_url(entry_url)
    for name in _CAMPAIGN_FIELDS:
        values[name] = values[name] or getattr(landing, name)
    return Campaign(**values)


def source_of(visit: JsonObject, campaign: Campaign, entry_url: str | None) -> Source:
    """Matomo's referrer as it reported it, with the channel trackbridge's rules give it."""
    referrer_type = str(visit.get("referrerType") or "direct")
    referrer_url = _text(visit.get("referrerUrl"))
    if referrer_type == "campaign" or (referrer_type not in CHANNEL_OF_TYPE and not campaign.is_empty()):
        channel = classify(campaign, referrer_url, entry_url).channel if not campaign.is_empty() else CAMPAIGN
    elif referrer_type in CHANNEL_OF_TYPE:
        channel = CHANNEL_OF_TYPE[referrer_type]
    else:
        channel = classify(campaign, referrer_url, entry_url).channel
    return Source(
        referrer_type=referrer_type,
        channel=channel,
        referrer_name=_text(visit.get("referrerName")),
        referrer_keyword=_text(visit.get("referrerKeyword")),
        referrer_url=referrer_url,
    )


def location_of(visit: JsonObject) -> Location | None:
    """Country from trackbridge's country list (not expanded); region and city only with a known country."""
    code = _known(visit.get("countryCode"))
    name = country_name(code) if code else None
    latitude, longitude = _float(visit.get("latitude")), _float(visit.get("longitude"))
    if name is None:
        if latitude is None or longitude is None:
            return None
        return Location(latitude=latitude, longitude=longitude)
    assert code is not None
    return Location(
        country_code=code.lower(),
        country_name=name,
        region_code=_known(visit.get("regionCode")),
        region_name=_known(visit.get("region")),
        city=_known(visit.get("city")),
        latitude=latitude,
        longitude=longitude,
    )


def device_of(visit: JsonObject) -> Device:
    kind = (_known(visit.get("deviceType")) or "").lower()
    return Device(
        os_name=_known(visit.get("operatingSystemName")),
        os_version=_known(visit.get("operatingSystemVersion")),
        device_type=DEVICE_TYPES.get(kind, "other"),
        browser_name=_known(visit.get("browserName")),
        browser_version=_known(visit.get("browserVersion")),
        device_brand=_known(visit.get("deviceBrand")),
        device_model=_known(visit.get("deviceModel")),
    )


def map_actions(details: list[JsonObject], site_id: int, id_visit: int) -> list[ImportedAction]:
    """Every action, in Matomo's order; a page view with product-view fields also gives a product view, as a
    tracked hit does."""
    actions: list[ImportedAction] = []
    for detail in details:
        code = str(detail.get("type"))
        kind = ACTION_TYPES.get(code, EventType.CUSTOM_EVENT)
        moment = _moment(detail.get("timestamp"))
        url, title = _text(detail.get("url")), _text(detail.get("pageTitle"))
        base = {"matomoType": code, "source": "matomo", "matomoVisit": f"{site_id}:{id_visit}"}
        actions.append(
            ImportedAction(len(actions), kind, code, moment, url, title, {**base, **_properties(kind, detail)})
        )
        if kind is EventType.PAGE_VIEW and _text(detail.get("productViewSku")):
            product = _product_view(detail)
            actions.append(
                ImportedAction(len(actions), EventType.PRODUCT_VIEW, code, moment, url, title, {**base, **product})
            )
    return actions


def _properties(kind: EventType, d: JsonObject) -> JsonObject:
    if kind is EventType.PAGE_VIEW:
        return _drop_none(
            {
                "timeSpent": _int(d.get("timeSpent")),
                "pageLoadMs": _int(d.get("pageLoadTimeMilliseconds")),
                "idPageview": _text(d.get("idpageview")),
                "position": _int(d.get("pageviewPosition")),
            }
        )
    if kind is EventType.SEARCH:
        return {
            "query": _text(d.get("siteSearchKeyword")),
            "category": _text(d.get("siteSearchCategory")),
            "count": _int(d.get("siteSearchCount")),
        }
    if kind in (EventType.DOWNLOAD, EventType.OUTLINK):
        return {"url": _text(d.get("url"))}
    if kind is EventType.MATOMO_EVENT:
        return {
            "category": _text(d.get("eventCategory")),
            "action": _text(d.get("eventAction")),
            "name": _text(d.get("eventName")),
            "value": _number(d.get("eventValue")),
        }
    if kind is EventType.GOAL:
        return {
            "goalId": _int(d.get("goalId")),
            "goalName": _text(d.get("goalName")),
            "revenue": _number(d.get("revenue")),
            "referrerType": _text(d.get("referrerType")),
            "referrerName": _text(d.get("referrerName")),
            "referrerKeyword": _text(d.get("referrerKeyword")),
        }
    if kind is EventType.ECOMMERCE_ORDER:
        return {
            "orderId": _text(d.get("orderId")),
            "revenue": _number(d.get("revenue")),
            "subtotal": _number(d.get("revenueSubTotal")),
            "tax": _number(d.get("revenueTax")),
            "shipping": _number(d.get("revenueShipping")),
            "discount": _number(d.get("revenueDiscount")),
            "items": _items(d.get("itemDetails")),
        }
    if kind is EventType.SET_CART:
        items = _items(d.get("itemDetails"))
        return {"abandoned": True, "total": _number(d.get("revenue")), "size": _int(d.get("items")), "items": items}
    if kind is EventType.CONTENT:
        return {
            "name": _text(d.get("contentName")),
            "piece": _text(d.get("contentPiece")),
            "target": _text(d.get("contentTarget")),
            "interaction": _text(d.get("contentInteraction")),
        }
    return {"name": _text(d.get("title")) or str(d.get("type"))}


def _product_view(d: JsonObject) -> JsonObject:
    sku = str(d.get("productViewSku"))
    categories = d.get("productViewCategories")
    return {
        "productId": sku,
        "sku": sku,
        "name": _text(d.get("productViewName")),
        "categories": [str(c) for c in categories][:5] if isinstance(categories, list) else [],
        "price": _number(d.get("productViewPrice")),
    }


def _items(raw: Any) -> list[JsonObject]:
    items: list[JsonObject] = []
    for item in raw if isinstance(raw, list) else []:
        sku = _text(item.get("itemSKU")) if isinstance(item, dict) else None
        if sku is None:
            continue
        categories = item.get("categories")
        items.append(
            {
                "productId": sku,
                "sku": sku,
                "name": _text(item.get("itemName")),
                "categories": [str(c) for c in categories][:5] if isinstance(categories, list) else [],
                "price": _number(item.get("price")),
                "quantity": _int(item.get("quantity")) or 1,
            }
        )
    return items


def _moment(value: Any) -> datetime:
    number = _int(value)
    if number is None:
        raise ValueError(f"not a unix timestamp: {value!r}")
    return datetime.fromtimestamp(number, UTC)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _known(value: Any) -> str | None:
    text = _text(value)
    return None if text is None or text.lower() in UNKNOWN else text


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _number(value: Any) -> int | float | None:
    """Matomo sends numbers as numbers or numeric strings (``"3"``, ``"48.850000"``)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _float(value: Any) -> float | None:
    number = _number(value)
    return None if number is None else float(number)


def _drop_none(values: JsonObject) -> JsonObject:
    return {key: value for key, value in values.items() if value is not None}
