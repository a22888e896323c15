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
from collections.abc import Callable
from typing import Any

from trackbridge.adapters.connectors.matomo.json_values import (
    as_float,
    as_int,
    as_known,
    as_moment,
    as_number,
    as_text,
    drop_none,
)
from trackbridge.domain.channels import CAMPAIGN, DIRECT, ORGANIC_SEARCH, REFERRAL, SOCIAL, campaign_from_url, classify
from trackbridge.domain.countries import country_name
from trackbridge.domain.enrichment import Device, Location, Source
from trackbridge.domain.events import Campaign, EventType
from trackbridge.domain.matomo_visits import ImportedAction, ImportedVisit

JsonObject = dict[str, Any]

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
    started = as_moment(visit.get("firstActionTimestamp") or visit.get("serverTimestamp"))
    last = as_moment(visit.get("lastActionTimestamp") or visit.get("serverTimestamp"))
    actions = map_actions(visit.get("actionDetails") or [], site_id, id_visit)
    entry_url = next((a.url for a in actions if a.url and a.type is EventType.PAGE_VIEW), None)
    campaign = campaign_of(visit, entry_url)
    raw = {key: value for key, value in visit.items() if key != "actionDetails"}
    return ImportedVisit(
        site_id=site_id,
        id_visit=id_visit,
        visitor_id=str(visit.get("visitorId") or "").lower()[:16],
        user_id=as_text(visit.get("userId")),
        started_at=min(started, last),
        last_action_at=max(started, last),
        duration_seconds=max(as_int(visit.get("visitDuration")) or 0, 0),
        campaign=campaign,
        source=source_of(visit, campaign, entry_url),
        location=location_of(visit),
        device=device_of(visit),
        ip=as_text(visit.get("visitIp")),
        actions=tuple(actions),
        raw=raw,
        content_hash=hashlib.sha256(json.dumps(visit, sort_keys=True, default=str).encode()).hexdigest(),
    )


def campaign_of(visit: JsonObject, entry_url: str | None) -> Campaign:
    """The six UTM codes: the plugin's ``campaign*`` fields, else core's name and keyword of a campaign visit, the
    gaps filled from the landing URL when Matomo left codes in it."""
    is_campaign = str(visit.get("referrerType") or "") == "campaign"
    values = {name: as_text(visit.get(key)) for name, key in _CAMPAIGN_FIELDS.items()}
    if is_campaign:
        values["name"] = values["name"] or as_text(visit.get("referrerName"))
        values["term"] = values["term"] or as_text(visit.get("referrerKeyword"))
    landing = campaign_from_url(entry_url)
    for name in _CAMPAIGN_FIELDS:
        values[name] = values[name] or getattr(landing, name)
    return Campaign(**values)


def source_of(visit: JsonObject, campaign: Campaign, entry_url: str | None) -> Source:
    """Matomo's referrer as it reported it, with the channel trackbridge's rules give it."""
    referrer_type = str(visit.get("referrerType") or "direct")
    referrer_url = as_text(visit.get("referrerUrl"))
    if referrer_type == "campaign" or (referrer_type not in CHANNEL_OF_TYPE and not campaign.is_empty()):
        channel = classify(campaign, referrer_url, entry_url).channel if not campaign.is_empty() else CAMPAIGN
    elif referrer_type in CHANNEL_OF_TYPE:
        channel = CHANNEL_OF_TYPE[referrer_type]
    else:
        channel = classify(campaign, referrer_url, entry_url).channel
    return Source(
        referrer_type=referrer_type,
        channel=channel,
        referrer_name=as_text(visit.get("referrerName")),
        referrer_keyword=as_text(visit.get("referrerKeyword")),
        referrer_url=referrer_url,
    )


def location_of(visit: JsonObject) -> Location | None:
    """Country from trackbridge's country list (not expanded); region and city only with a known country."""
    code = as_known(visit.get("countryCode"))
    name = country_name(code) if code else None
    latitude, longitude = as_float(visit.get("latitude")), as_float(visit.get("longitude"))
    if name is None:
        if latitude is None or longitude is None:
            return None
        return Location(latitude=latitude, longitude=longitude)
    assert code is not None
    return Location(
        country_code=code.lower(),
        country_name=name,
        region_code=as_known(visit.get("regionCode")),
        region_name=as_known(visit.get("region")),
        city=as_known(visit.get("city")),
        latitude=latitude,
        longitude=longitude,
    )


def device_of(visit: JsonObject) -> Device:
    kind = (as_known(visit.get("deviceType")) or "").lower()
    return Device(
        os_name=as_known(visit.get("operatingSystemName")),
        os_version=as_known(visit.get("operatingSystemVersion")),
        device_type=DEVICE_TYPES.get(kind, "other"),
        browser_name=as_known(visit.get("browserName")),
        browser_version=as_known(visit.get("browserVersion")),
        device_brand=as_known(visit.get("deviceBrand")),
        device_model=as_known(visit.get("deviceModel")),
    )


def map_actions(details: list[JsonObject], site_id: int, id_visit: int) -> list[ImportedAction]:
    """Every action, in Matomo's order; a page view with product-view fields also gives a product view, as a
    tracked hit does."""
    actions: list[ImportedAction] = []
    for detail in details:
        code = str(detail.get("type"))
        kind = ACTION_TYPES.get(code, EventType.CUSTOM_EVENT)
        moment = as_moment(detail.get("timestamp"))
        url, title = as_text(detail.get("url")), as_text(detail.get("pageTitle"))
        base = {"matomoType": code, "source": "matomo", "matomoVisit": f"{site_id}:{id_visit}"}
        actions.append(
            ImportedAction(len(actions), kind, code, moment, url, title, {**base, **_properties(kind, detail)})
        )
        if kind is EventType.PAGE_VIEW and as_text(detail.get("productViewSku")):
            product = _product_view(detail)
            actions.append(
                ImportedAction(len(actions), EventType.PRODUCT_VIEW, code, moment, url, title, {**base, **product})
            )
    return actions


def _properties(kind: EventType, d: JsonObject) -> JsonObject:
    """The action's fields as trackbridge names them (``_PROPERTIES``); an unknown kind keeps its title or code."""
    fields = _PROPERTIES.get(kind)
    if fields is None:
        return {"name": as_text(d.get("title")) or str(d.get("type"))}
    values = {name: read(d.get(key)) for name, read, key in fields}
    if kind is EventType.PAGE_VIEW:
        return drop_none(values)
    if kind is EventType.SET_CART:
        return {"abandoned": True, **values}
    return values


def _product_view(d: JsonObject) -> JsonObject:
    sku = str(d.get("productViewSku"))
    return _product(sku, d.get("productViewName"), d.get("productViewCategories"), d.get("productViewPrice"))


def _items(raw: Any) -> list[JsonObject]:
    items: list[JsonObject] = []
    for item in raw if isinstance(raw, list) else []:
        sku = as_text(item.get("itemSKU")) if isinstance(item, dict) else None
        if sku is None:
            continue
        product = _product(sku, item.get("itemName"), item.get("categories"), item.get("price"))
        items.append({**product, "quantity": as_int(item.get("quantity")) or 1})
    return items


def _product(sku: str, name: Any, categories: Any, price: Any) -> JsonObject:
    return {
        "productId": sku,
        "sku": sku,
        "name": as_text(name),
        "categories": [str(c) for c in categories][:5] if isinstance(categories, list) else [],
        "price": as_number(price),
    }


_PROPERTIES: dict[EventType, tuple[tuple[str, Callable[[Any], Any], str], ...]] = {
    EventType.PAGE_VIEW: (
        ("timeSpent", as_int, "timeSpent"),
        ("pageLoadMs", as_int, "pageLoadTimeMilliseconds"),
        ("idPageview", as_text, "idpageview"),
        ("position", as_int, "pageviewPosition"),
    ),
    EventType.SEARCH: (
        ("query", as_text, "siteSearchKeyword"),
        ("category", as_text, "siteSearchCategory"),
        ("count", as_int, "siteSearchCount"),
    ),
    EventType.DOWNLOAD: (("url", as_text, "url"),),
    EventType.OUTLINK: (("url", as_text, "url"),),
    EventType.MATOMO_EVENT: (
        ("category", as_text, "eventCategory"),
        ("action", as_text, "eventAction"),
        ("name", as_text, "eventName"),
        ("value", as_number, "eventValue"),
    ),
    EventType.GOAL: (
        ("goalId", as_int, "goalId"),
        ("goalName", as_text, "goalName"),
        ("revenue", as_number, "revenue"),
        ("referrerType", as_text, "referrerType"),
        ("referrerName", as_text, "referrerName"),
        ("referrerKeyword", as_text, "referrerKeyword"),
    ),
    EventType.ECOMMERCE_ORDER: (
        ("orderId", as_text, "orderId"),
        ("revenue", as_number, "revenue"),
        ("subtotal", as_number, "revenueSubTotal"),
        ("tax", as_number, "revenueTax"),
        ("shipping", as_number, "revenueShipping"),
        ("discount", as_number, "revenueDiscount"),
        ("items", _items, "itemDetails"),
    ),
    EventType.SET_CART: (("total", as_number, "revenue"), ("size", as_int, "items"), ("items", _items, "itemDetails")),
    EventType.CONTENT: (
        ("name", as_text, "contentName"),
        ("piece", as_text, "contentPiece"),
        ("target", as_text, "contentTarget"),
        ("interaction", as_text, "contentInteraction"),
    ),
}
"""Action kind → its properties: (our name, how the value is read, Matomo's field). Placed after the readers."""
