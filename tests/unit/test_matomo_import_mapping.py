"""Matomo Live visits (the recorded real payloads in tests/fixtures/matomo/) → trackbridge's imported visits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from trackbridge.adapters.connectors.matomo.import_mapping import map_visit
from trackbridge.domain.events import Campaign, EventType

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "matomo"


def visits(name: str) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_recorded_visit_maps_with_its_keys_times_and_every_action(path: Path) -> None:
    for raw in json.loads(path.read_text(encoding="utf-8")):
        visit = map_visit(raw)
        assert (visit.site_id, visit.id_visit, visit.visitor_id) == (raw["idSite"], raw["idVisit"], raw["visitorId"])
        assert visit.started_at == at(raw["firstActionTimestamp"])
        assert visit.last_action_at == at(raw["lastActionTimestamp"])
        assert visit.duration_seconds == raw["visitDuration"]
        product_views = sum(1 for a in raw["actionDetails"] if a.get("productViewSku"))
        assert len(visit.actions) == len(raw["actionDetails"]) + product_views
        assert [a.matomo_type for a in visit.actions if a.type is not EventType.PRODUCT_VIEW] == [
            str(a["type"]) for a in raw["actionDetails"]
        ]
        assert "actionDetails" not in visit.raw and visit.raw["visitIp"] == raw["visitIp"]
        assert visit.ip == raw["visitIp"]


def test_rich_visit_maps_each_matomo_action_type() -> None:
    visit = map_visit(visits("live_getLastVisitsDetails_rich_visit")[0])
    assert [a.type for a in visit.actions] == [
        EventType.PAGE_VIEW,
        EventType.SEARCH,
        EventType.PAGE_VIEW,
        EventType.PRODUCT_VIEW,
        EventType.SET_CART,
        EventType.DOWNLOAD,
        EventType.OUTLINK,
        EventType.CONTENT,
        EventType.PAGE_VIEW,
        EventType.GOAL,
    ]
    home, search, shoe, product, cart, download, outlink, content, signup, goal = visit.actions
    assert (home.url, home.title, home.properties["timeSpent"], home.properties["pageLoadMs"]) == (
        "https://shop.example.com/",
        "Home",
        70,
        480,
    )
    assert home.occurred_at == at(1795335719)
    assert search.url is None
    assert (search.properties["query"], search.properties["category"], search.properties["count"]) == (
        "shoe",
        "All",
        12,
    )
    assert product.properties["sku"] == "SKU-9" and product.properties["categories"] == ["Footwear"]
    assert product.properties["price"] == 59.9 and shoe.properties["timeSpent"] == 50
    assert cart.properties["abandoned"] is True and cart.properties["total"] == 59.9
    assert cart.properties["items"] == [
        {"productId": "SKU-9", "sku": "SKU-9", "name": "Shoe", "categories": ["Footwear"], "price": 59.9, "quantity": 1}
    ]
    assert download.properties["url"] == "https://shop.example.com/files/manual.pdf"
    assert outlink.url == "https://partner.example.org/"
    assert content.matomo_type == "13"
    assert content.properties["name"] == "Banner" and content.properties["piece"] == "/img/b.png"
    assert content.properties["interaction"] is None
    assert signup.properties["timeSpent"] == 31
    assert (goal.properties["goalId"], goal.properties["goalName"], goal.properties["revenue"]) == (1, "Signup", 10)
    assert all(a.properties["source"] == "matomo" for a in visit.actions)


def test_core_campaign_visit_gives_utm_campaign_and_term_from_referrer_name_and_keyword() -> None:
    visit = map_visit(visits("live_getLastVisitsDetails_rich_visit")[0])
    assert visit.campaign == Campaign(name="brand", term="shoes")
    assert visit.source.referrer_type == "campaign"
    assert (visit.source.referrer_name, visit.source.referrer_keyword) == ("brand", "shoes")
    assert visit.source.referrer_url == "https://www.google.com/"
    assert visit.source.channel == "campaign"


def test_marketing_campaigns_plugin_fields_fill_all_six_codes() -> None:
    raw = visits("visit_with_order_event")[0]
    raw.update(
        campaignId="c-7",
        campaignSource="newsletter",
        campaignMedium="email",
        campaignName="spring",
        campaignKeyword="widgets",
        campaignContent="hero",
    )
    visit = map_visit(raw)
    assert visit.campaign == Campaign("c-7", "newsletter", "email", "spring", "widgets", "hero")
    assert visit.source.channel == "email"


def test_unknown_location_is_none_and_device_fields_are_kept() -> None:
    visit = map_visit(visits("live_getLastVisitsDetails_rich_visit")[0])
    assert visit.location is None
    device = visit.device
    assert device is not None
    assert (device.os_name, device.os_version, device.device_type) == ("Windows", "10", "desktop")
    assert (device.browser_name, device.browser_version, device.device_brand) == ("Chrome", "121.0", None)
    assert device.device_model == "Generic Desktop"


def test_location_overrides_give_country_region_city_and_numeric_coordinates() -> None:
    visit = map_visit(visits("live_visit_with_geo_overrides")[0])
    location = visit.location
    assert location is not None
    assert (location.country_code, location.country_name) == ("fr", "France")
    assert (location.region_code, location.region_name, location.city) == ("IDF", "Île-de-France", "Paris")
    assert (location.latitude, location.longitude) == (48.85, 2.35)
    assert visit.source.referrer_type == "direct" and visit.source.channel == "direct"
    assert visit.source.referrer_name is None and visit.campaign.is_empty()
    assert visit.device is not None and visit.device.device_type == "other" and visit.device.os_name is None


def test_country_missing_from_the_country_list_is_not_added() -> None:
    raw = visits("live_visit_with_geo_overrides")[0]
    raw.update(countryCode="zz", country="Atlantis")
    location = map_visit(raw).location
    assert location is not None
    assert (location.country_code, location.region_name, location.city) == (None, None, None)
    assert location.latitude == 48.85


def test_order_visit_maps_order_with_amounts_items_and_event() -> None:
    visit = map_visit(visits("visit_with_order_event")[0])
    order, page, event = visit.actions
    assert order.type is EventType.ECOMMERCE_ORDER
    assert order.properties["orderId"] == "ORDER-1001"
    assert (order.properties["revenue"], order.properties["subtotal"], order.properties["tax"]) == (50.48, 45.48, 3)
    assert (order.properties["shipping"], order.properties["discount"]) == (5, 3)
    assert [(i["sku"], i["quantity"], i["categories"]) for i in order.properties["items"]] == [
        ("SKU-1", 2, ["Gadgets"]),
        ("SKU-2", 1, ["Gadgets", "Tools"]),
    ]
    assert visit.order_ids == ["ORDER-1001"]
    assert page.type is EventType.PAGE_VIEW and visit.entry_url == "https://shop.example.com/products/widget"
    assert event.properties == {
        "matomoType": "event",
        "source": "matomo",
        "matomoVisit": "1:1",
        "category": "Video",
        "action": "Play",
        "name": "Intro",
        "value": 12.5,
    }
    assert visit.user_id == "crm-user-42"
    assert visit.campaign == Campaign(name="spring", term="widgets")


def test_day_of_visits_maps_direct_and_unknown_values() -> None:
    mapped = {v["idVisit"]: map_visit(v) for v in visits("live_getLastVisitsDetails_day1")}
    assert set(mapped) == {1, 2, 3, 4}
    for visit in mapped.values():
        assert visit.location is None
        assert visit.actions
    assert mapped[2].user_id is None


def test_content_hash_changes_with_the_visit_and_only_then() -> None:
    raw = visits("visit_with_order_event")[0]
    first, again = map_visit(raw), map_visit(json.loads(json.dumps(raw)))
    assert first.content_hash == again.content_hash
    raw["visitorId"] = "0123456789abcdef"
    assert map_visit(raw).content_hash != first.content_hash


def test_unknown_action_code_is_kept_as_a_custom_event() -> None:
    raw = visits("visit_with_order_event")[0]
    raw["actionDetails"] = [{"type": "somethingNew", "timestamp": 1795339183, "title": "New"}]
    (action,) = map_visit(raw).actions
    assert (action.type, action.matomo_type, action.properties["name"]) == (
        EventType.CUSTOM_EVENT,
        "somethingNew",
        "New",
    )


def test_visit_without_timestamps_is_refused() -> None:
    raw = visits("visit_with_order_event")[0]
    for key in ("firstActionTimestamp", "lastActionTimestamp", "serverTimestamp"):
        raw.pop(key)
    with pytest.raises(ValueError, match="timestamp"):
        map_visit(raw)
