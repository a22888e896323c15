"""Matomo Tracking API hits → TrackedEvents (reference/matomo.md §1), without I/O."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from trackbridge.domain.events import EventType, LocationOverride
from trackbridge.domain.matomo_hits import (
    AcceptedHit,
    HitContext,
    HitRejection,
    RejectionKind,
    parse_hit,
    site_id_of,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"
BASE = {"idsite": "1", "rec": "1", "_id": "0123456789abcdef", "url": "https://shop.example.com/"}


def _ids() -> object:
    counter = itertools.count(1)
    return lambda: f"ev{next(counter)}"


def hit(params: dict[str, str], *, authenticated: bool = False) -> AcceptedHit:
    context = HitContext(received_at=NOW, ip="203.0.113.9", user_agent=UA, authenticated=authenticated)
    outcome = parse_hit({**BASE, **params}, context, new_event_id=_ids())  # type: ignore[arg-type]
    assert isinstance(outcome, AcceptedHit), outcome
    return outcome


def refusal(params: dict[str, str], *, authenticated: bool = False) -> HitRejection:
    context = HitContext(received_at=NOW, ip="203.0.113.9", user_agent=UA, authenticated=authenticated)
    outcome = parse_hit({**BASE, **params}, context)
    assert isinstance(outcome, HitRejection), outcome
    return outcome


def test_page_view_takes_url_title_referrer_and_campaign_from_the_url() -> None:
    (event,) = hit(
        {
            "url": "https://shop.example.com/?utm_source=google&utm_campaign=spring",
            "action_name": "Home / Spring",
            "urlref": "https://www.google.com/search?q=widgets",
        }
    ).events
    assert event.type is EventType.PAGE_VIEW
    assert event.event_id == "ev1"
    assert event.title == "Home / Spring"
    assert event.referrer == "https://www.google.com/search?q=widgets"
    assert (event.campaign.source, event.campaign.name) == ("google", "spring")
    assert event.occurred_at == NOW
    assert (event.ip, event.user_agent) == ("203.0.113.9", UA)


def test_every_event_gets_a_fresh_uuid_hex_id_by_default() -> None:
    context = HitContext(received_at=NOW)
    first = parse_hit(BASE, context)
    second = parse_hit(BASE, context)
    assert isinstance(first, AcceptedHit) and isinstance(second, AcceptedHit)
    assert len(first.events[0].event_id) == 32
    assert first.events[0].event_id != second.events[0].event_id


def test_event_parameters_become_a_matomo_event() -> None:
    (event,) = hit({"e_c": "Video", "e_a": "Play", "e_n": "Intro", "e_v": "12.5"}).events
    assert event.type is EventType.MATOMO_EVENT
    assert event.properties == {"category": "Video", "action": "Play", "name": "Intro", "value": 12.5}


def test_event_with_blank_category_is_invalid() -> None:
    assert refusal({"e_c": "  ", "e_a": "Play"}).kind is RejectionKind.INVALID


def test_site_search_is_a_search_with_the_query() -> None:
    (event,) = hit({"search": "red widget", "search_cat": "Gadgets", "search_count": "4"}).events
    assert event.type is EventType.SEARCH
    assert event.properties == {"query": "red widget", "category": "Gadgets", "count": 4}


@pytest.mark.parametrize(("name", "kind"), [("link", EventType.OUTLINK), ("download", EventType.DOWNLOAD)])
def test_outlinks_and_downloads_keep_their_target(name: str, kind: EventType) -> None:
    (event,) = hit({name: "https://example.org/file.pdf"}).events
    assert event.type is kind
    assert event.properties == {"url": "https://example.org/file.pdf"}
    assert event.url == BASE["url"]


def test_content_impression_and_interaction() -> None:
    (event,) = hit({"c_n": "Banner", "c_p": "spring.png", "c_t": "/spring", "c_i": "click"}).events
    assert event.type is EventType.CONTENT
    assert event.properties == {"name": "Banner", "piece": "spring.png", "target": "/spring", "interaction": "click"}


def test_product_view_comes_alongside_the_page_view() -> None:
    events = hit({"_pks": "SKU-1", "_pkn": "Widget", "_pkc": '["Gadgets","Tools"]', "_pkp": "19.99"}).events
    assert [e.type for e in events] == [EventType.PAGE_VIEW, EventType.PRODUCT_VIEW]
    assert events[1].properties == {
        "productId": "SKU-1",
        "sku": "SKU-1",
        "name": "Widget",
        "categories": ["Gadgets", "Tools"],
        "price": 19.99,
    }
    assert events[0].event_id != events[1].event_id


def test_goal_conversion_with_revenue() -> None:
    (event,) = hit({"idgoal": "3", "revenue": "10"}).events
    assert event.type is EventType.GOAL
    assert event.properties == {"goalId": 3, "revenue": 10}


def test_ecommerce_order_with_items_and_amounts() -> None:
    items = '[["SKU-1","Widget","Gadgets",19.99,2],["SKU-2","Gizmo",["Gadgets","Tools"],5.5,1],["","No sku","x",1,1]]'
    outcome = hit(
        {
            "idgoal": "0",
            "ec_id": "ORDER-1001",
            "revenue": "50.48",
            "ec_st": "45.48",
            "ec_tx": "3",
            "ec_sh": "5",
            "ec_dt": "3",
            "ec_items": items,
        }
    )
    (event,) = outcome.events
    assert outcome.order is event
    assert event.type is EventType.ECOMMERCE_ORDER
    props = event.properties
    assert (props["orderId"], props["revenue"], props["subtotal"], props["tax"]) == ("ORDER-1001", 50.48, 45.48, 3)
    assert (props["shipping"], props["discount"]) == (5, 3)
    assert [(i["sku"], i["quantity"], i["price"], i["categories"]) for i in props["items"]] == [
        ("SKU-1", 2, 19.99, ["Gadgets"]),
        ("SKU-2", 1, 5.5, ["Gadgets", "Tools"]),
    ]


def test_order_with_invalid_item_json_is_kept_without_items() -> None:
    (event,) = hit({"idgoal": "0", "ec_id": "O-2", "revenue": "5", "ec_items": "[[not json"}).events
    assert event.properties["items"] == []


def test_cart_update_is_set_cart_with_the_revenue_as_total() -> None:
    outcome = hit({"idgoal": "0", "revenue": "25", "ec_items": '[["SKU-1","Widget","",12.5]]'})
    (event,) = outcome.events
    assert outcome.order is None
    assert event.type is EventType.SET_CART
    assert event.properties["total"] == 25
    assert event.properties["size"] == 1
    assert event.properties["items"][0]["quantity"] == 1


def test_ping_only_extends_the_visit() -> None:
    assert [e.type for e in hit({"ping": "1", "action_name": "x"}).events] == [EventType.PING]


def test_new_visit_is_kept() -> None:
    assert hit({"new_visit": "1"}).events[0].new_visit is True
    assert hit({}).events[0].new_visit is False


def test_uid_wins_over_cid_and_id() -> None:
    (event,) = hit({"uid": "crm-user-42", "cid": "aaaaaaaaaaaaaaaa"}).events
    assert event.visitor_id == hashlib.sha1(b"crm-user-42").hexdigest()[:16]
    assert event.user_id == "crm-user-42"


def test_cid_wins_over_id_and_is_lower_cased() -> None:
    assert hit({"cid": "BBBBBBBBBBBBBBBB"}).events[0].visitor_id == "bbbbbbbbbbbbbbbb"


@pytest.mark.parametrize("cid", ["abc", "0123456789abcdef0", "zzzzzzzzzzzzzzzz"])
def test_cid_that_is_not_16_hex_is_invalid(cid: str) -> None:
    assert refusal({"cid": cid}).kind is RejectionKind.INVALID


def test_id_uses_its_first_16_hex_characters_and_ignores_others() -> None:
    assert hit({"_id": "0123456789abcdefEXTRA"}).events[0].visitor_id == "0123456789abcdef"
    fingerprint = hashlib.sha1(f"203.0.113.9|{UA}|1".encode()).hexdigest()[:16]
    assert hit({"_id": "short"}).events[0].visitor_id == fingerprint
    assert hit({"_id": "not-hex-not-hex-"}).events[0].visitor_id == fingerprint


def test_ua_parameter_overrides_the_header() -> None:
    assert hit({"ua": "SDK/1.0"}).events[0].user_agent == "SDK/1.0"


def test_attribution_cookie_values_are_kept() -> None:
    event = hit({"_rcn": "spring", "_rck": "widgets", "_ref": "https://google.com", "_refts": "1700000000"}).events[0]
    assert event.attribution == {
        "_rcn": "spring",
        "_rck": "widgets",
        "_ref": "https://google.com",
        "_refts": 1700000000,
    }
    assert hit({}).events[0].attribution is None


def test_lang_resolution_pageview_id_dimensions_and_timings_are_properties() -> None:
    props = hit(
        {"lang": "de", "res": "1920x1080", "pv_id": "abc123", "dimension3": "gold", "pf_net": "10", "pf_srv": "5"}
    )
    assert props.events[0].properties == {
        "lang": "de",
        "resolution": "1920x1080",
        "pageviewId": "abc123",
        "dimensions": {"3": "gold"},
        "pageLoadTimeMs": 15,
    }


def test_missing_rec_records_nothing() -> None:
    outcome = parse_hit({"idsite": "1", "url": "https://x"}, HitContext(received_at=NOW))
    assert isinstance(outcome, AcceptedHit)
    assert (outcome.recorded, outcome.events) == (False, ())


@pytest.mark.parametrize("idsite", ["", "0", "-1", "abc"])
def test_missing_or_bad_idsite_logs_nothing(idsite: str) -> None:
    assert site_id_of({"idsite": idsite}) is None
    assert refusal({"idsite": idsite}).kind is RejectionKind.NOT_LOGGED


@pytest.mark.parametrize("name", ["cip", "country", "region", "city", "lat", "long"])
def test_overrides_need_a_token(name: str) -> None:
    assert refusal({name: "1"}).kind is RejectionKind.INVALID


def test_overrides_with_a_token_are_honoured() -> None:
    params = {"cip": "198.51.100.7", "country": "FR", "region": "IDF", "city": "Paris", "lat": "48.85", "long": "2.35"}
    (event,) = hit(params, authenticated=True).events
    assert event.ip == "198.51.100.7"
    assert event.location == LocationOverride("fr", "IDF", "Paris", 48.85, 2.35)


def test_recent_cdt_needs_no_token() -> None:
    assert hit({"cdt": "2026-11-24 11:00:00"}).occurred_at == NOW - timedelta(hours=1)
    assert hit({"cdt": str(int((NOW - timedelta(minutes=5)).timestamp()))}).occurred_at == NOW - timedelta(minutes=5)


def test_cdo_is_subtracted() -> None:
    assert hit({"cdt": "2026-11-24 11:00:00", "cdo": "60"}).occurred_at == NOW - timedelta(minutes=61)
    assert hit({"cdo": "30"}).occurred_at == NOW - timedelta(seconds=30)


def test_cdt_older_than_a_day_needs_a_token() -> None:
    assert refusal({"cdt": "2026-11-20 10:00:00"}).kind is RejectionKind.INVALID
    assert hit({"cdt": "2026-11-20 10:00:00"}, authenticated=True).occurred_at == datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.mark.parametrize("cdt", ["2026-11-25 12:00:00", "1990-01-01 00:00:00", "garbage"])
def test_future_ancient_or_unreadable_cdt_means_now(cdt: str) -> None:
    assert hit({"cdt": cdt}).occurred_at == NOW


def test_event_category_without_action_is_a_page_view_as_in_matomo() -> None:
    assert [e.type for e in hit({"e_c": "Video"}).events] == [EventType.PAGE_VIEW]


def test_cip_that_is_not_an_address_is_invalid_even_with_a_token() -> None:
    assert refusal({"cip": "not-an-ip"}, authenticated=True).kind is RejectionKind.INVALID


def test_cip_alone_sets_no_location() -> None:
    assert hit({"cip": "198.51.100.7"}, authenticated=True).events[0].location is None


def test_order_id_longer_than_200_characters_is_invalid() -> None:
    assert refusal({"idgoal": "0", "ec_id": "x" * 201}).kind is RejectionKind.INVALID


def test_items_with_overlong_sku_are_dropped_and_names_cut() -> None:
    items = f'[["{"s" * 201}","a"],["ok","{"n" * 600}"]]'
    (event,) = hit({"idgoal": "0", "revenue": "1", "ec_items": items}).events
    assert [(i["sku"], len(i["name"])) for i in event.properties["items"]] == [("ok", 500)]
