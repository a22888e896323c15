"""tracker.js in a real headless Chromium: a shop on its own origin loads it from trackbridge and POSTs to /t cross-origin.

The story test is issue 3's first "done when": anonymous browsing with UTM codes and a referrer, then a newsletter form
bound with integrateForm; the customer, their timeline and the session are then read back through the HTTP API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tests.e2e.conftest import DESKTOP_USER_AGENT
from tests.e2e.pipeline import drive_worker, make_email_link, read_story_back
from tests.e2e.shop_site import build_shop
from tests.e2e.tracker_capture import TrackerCapture
from tests.support.live_server import serve
from tests.support.signing import SEED_TOKEN
from trackbridge.domain.projects import ProjectCredentials

pytestmark = pytest.mark.e2e

HEX16 = re.compile(r"^[0-9a-f]{16}$")
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass
class Servers:
    trackbridge: str
    shop: str
    capture: TrackerCapture


@pytest.fixture
def servers(app: FastAPI, seed_project: ProjectCredentials) -> Iterator[Servers]:
    """trackbridge and the shop: two origins on 127.0.0.1; what reaches POST /t is recorded on the way in."""
    capture = TrackerCapture(app)
    with serve(capture) as trackbridge_base:  # type: ignore[arg-type]
        shop = build_shop(f"{trackbridge_base}/tracker.js?token={SEED_TOKEN}")
        with serve(shop) as shop_base:  # type: ignore[arg-type]
            yield Servers(trackbridge_base, shop_base, capture)


@pytest.fixture
def page(browser_context: Any) -> Any:
    return browser_context.new_page()


def test_anonymous_browsing_then_form_submission_identifies_the_visitor_with_campaign_and_device(
    app: FastAPI, servers: Servers, page: Any, browser_context: Any, artifacts: Path
) -> None:
    shop, capture = servers.shop, servers.capture
    email = "johnybravo@gmail.com"

    page.goto(f"{shop}/?utm_source=google&utm_medium=cpc&utm_campaign=spring", referer="https://www.google.com/")
    page.screenshot(path=str(artifacts / "tracker-story-1-landing.png"))
    page.click("text=Clothing")
    page.click("text=T-shirt")
    page.click("#add-to-cart")
    page.fill("input[name=q]", "a plant")
    page.click("#search button")
    page.wait_for_url(re.compile(r"/search\?q=a\+plant"))
    page.click("text=Newsletter")
    page.fill("input[name='newsletter[fields][0][first]']", "Johny")
    page.fill("input[name='newsletter[fields][1]']", email)
    page.check("input[name='newsletter[fields][2][]']")
    page.screenshot(path=str(artifacts / "tracker-story-2-form.png"))
    page.click("#subscribe")
    page.wait_for_url(re.compile(r"/thanks"))
    capture.wait_for_types(page, "form_submit", "custom_event")
    page.screenshot(path=str(artifacts / "tracker-story-3-thanks.png"))

    # What the browser sent: one visitor, every event with the landing's campaign and referrer.
    visitor_ids = {body["visitorId"] for body in capture.bodies}
    assert len(visitor_ids) == 1 and HEX16.match(visitor_ids.pop())
    assert {body["token"] for body in capture.bodies} == {SEED_TOKEN}
    types = [event["type"] for event in capture.events]
    for expected in ("page_view", "category_view", "product_view", "add_to_cart", "search", "identify"):
        assert expected in types, types
    assert types.index("add_to_cart") < types.index("search") < types.index("identify")
    assert capture.of_type("category_view")[0]["properties"] == {"categoryId": "1"}
    assert capture.of_type("product_view")[0]["properties"] == {"productId": "2"}
    assert capture.of_type("add_to_cart")[0]["properties"] == {"productId": "2", "quantity": 1}
    assert capture.of_type("search")[0]["properties"] == {"query": "a plant"}
    assert capture.of_type("identify")[0]["properties"] == {"email": email}
    assert capture.of_type("apply_tags")[0]["properties"] == {"tags": ["newsletter-subscriber"]}
    assert capture.of_type("custom_event")[0]["properties"] == {"name": "newsletter-subscribed"}
    submitted = capture.of_type("form_submit")[0]["properties"]
    assert submitted == {"form": "#newsletter-form", "email": email, "firstName": "Johny", "subscribed": True}
    for event in capture.events:
        assert event["campaign"] == {"source": "google", "medium": "cpc", "name": "spring"}
        assert event["referrer"] == "https://www.google.com/"
        assert isinstance(event["time"], int) and event["id"]
    assert len({event["id"] for event in capture.events}) == len(capture.events)
    assert all(len(body["events"]) <= 10 for body in capture.bodies)
    for headers in capture.headers:  # a cross-origin POST from the shop's page, as a desktop browser
        assert headers["content-type"].startswith("text/plain")
        assert headers["origin"] == shop
        assert headers["user-agent"] == DESKTOP_USER_AGENT

    # What trackbridge made of it, read through the HTTP API once the worker has run.
    browser_context.close()
    drive_worker(app)
    assert set(capture.statuses) == {202}, capture.statuses
    story = read_story_back(app, email)
    assert story.customer["email"] == email and story.customer["firstName"] == "Johny"
    assert {"page_view", "category_view", "product_view", "add_to_cart", "search"} <= story.action_types
    assert len(story.sessions) == 1, story.sessions
    session = story.sessions[0]
    source, device = session["source"], session["device"]
    assert source["utm"]["source"] == "google" and source["utm"]["medium"] == "cpc"
    assert source["utm"]["campaign"] == "spring"
    assert source["referrerUrl"] == "https://www.google.com/"
    assert source["channel"] == "paid_search"
    assert device["type"] == "desktop"
    assert device["os"] == "Windows"
    assert [form["email"] for form in story.form_submissions] == [email]


@SQLITE_ONLY
def test_calls_queued_before_the_script_loads_are_sent_in_order(servers: Servers, page: Any) -> None:
    shop, capture = servers.shop, servers.capture

    page.goto(f"{shop}/queue-only")
    page.evaluate("window.trackbridge.flush()")
    capture.wait_for_types(page, "category_view")

    sent = [(event["type"], event["properties"]) for event in capture.events]
    assert sent == [
        ("product_view", {"productId": "7"}),
        ("add_to_cart", {"productId": "7", "quantity": 3}),
        ("custom_event", {"name": "queued-through-metrilo"}),
        ("category_view", {"categoryId": "9"}),
    ]  # and no automatic page_view: the script tag says data-auto-page-view="false"


@SQLITE_ONLY
def test_matomo_visitor_cookie_is_reused_as_the_visitor_id(servers: Servers, page: Any, browser_context: Any) -> None:
    shop, capture = servers.shop, servers.capture
    matomo_id = "0a1b2c3d4e5f6789"
    browser_context.add_cookies([{"name": "_pk_id.1.1fff", "value": f"{matomo_id}.1718000000.", "url": shop}])

    page.goto(f"{shop}/")
    page.evaluate("window.trackbridge.flush()")
    capture.wait_for_types(page, "page_view")

    assert page.evaluate("window.trackbridge.getVisitorId()") == matomo_id
    assert page.evaluate("window.metrilo.getVisitorId()") == matomo_id
    assert capture.bodies[0]["visitorId"] == matomo_id
    own = {cookie["name"]: cookie for cookie in browser_context.cookies(shop)}["_tb_vid"]
    assert own["value"] == matomo_id
    assert own["sameSite"] == "Lax" and own["path"] == "/"


@SQLITE_ONLY
def test_visitor_id_is_kept_in_a_first_party_cookie_across_pages(
    servers: Servers, page: Any, browser_context: Any
) -> None:
    shop, capture = servers.shop, servers.capture

    page.goto(f"{shop}/")
    first = page.evaluate("window.trackbridge.getVisitorId()")
    page.goto(f"{shop}/product/2")
    page.evaluate("window.trackbridge.flush()")
    capture.wait_for_types(page, "product_view")

    assert HEX16.match(first)
    assert page.evaluate("window.trackbridge.getVisitorId()") == first
    assert {body["visitorId"] for body in capture.bodies} == {first}
    cookie = {cookie["name"]: cookie for cookie in browser_context.cookies(shop)}["_tb_vid"]
    assert cookie["value"] == first
    assert cookie["expires"] > 0  # persistent, not a session cookie


@SQLITE_ONLY
def test_debug_mode_logs_each_call_and_each_send_to_the_console(servers: Servers, page: Any) -> None:
    shop, capture = servers.shop, servers.capture
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))

    page.goto(f"{shop}/product/2#tb_debug")
    page.evaluate("window.trackbridge.flush()")
    capture.wait_for_types(page, "product_view")

    assert any(text.startswith("[trackbridge] viewProduct") for text in messages), messages
    assert any(text.startswith("[trackbridge] send") for text in messages), messages


@SQLITE_ONLY
def test_debug_mode_is_silent_without_the_hash(servers: Servers, page: Any) -> None:
    shop, capture = servers.shop, servers.capture
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))

    page.goto(f"{shop}/product/2")
    page.evaluate("window.trackbridge.flush()")
    capture.wait_for_types(page, "product_view")

    assert not [text for text in messages if text.startswith("[trackbridge]")]


@SQLITE_ONLY
def test_form_submit_that_navigates_away_still_delivers_its_events(servers: Servers, page: Any) -> None:
    shop, capture = servers.shop, servers.capture

    page.goto(f"{shop}/newsletter")
    page.fill("input[name='newsletter[fields][1]']", "Ann@Example.com")
    page.click("#subscribe")
    page.wait_for_url(re.compile(r"/thanks"))
    capture.wait_for_types(page, "identify", "form_submit")

    assert capture.of_type("identify")[0]["properties"] == {"email": "Ann@Example.com"}
    assert capture.of_type("form_submit")[0]["properties"] == {
        "form": "#newsletter-form",
        "email": "Ann@Example.com",
        "subscribed": False,
    }


@SQLITE_ONLY
def test_email_link_parameter_on_landing_is_sent_once(servers: Servers, page: Any) -> None:
    shop, capture = servers.shop, servers.capture

    page.goto(f"{shop}/?tb_r=signed-recipient-token")
    page.reload()
    page.evaluate("window.trackbridge.flush()")
    capture.wait_for(page, lambda c: len(c.of_type("page_view")) == 2, "two page views")

    assert [event["properties"] for event in capture.of_type("email_link")] == [{"token": "signed-recipient-token"}]


@SQLITE_ONLY
def test_set_cart_sends_the_whole_basket_and_batches_hold_at_most_ten_events(servers: Servers, page: Any) -> None:
    shop, capture = servers.shop, servers.capture

    page.goto(f"{shop}/")
    page.evaluate(
        """() => {
        window.trackbridge.setCart({
            cartId: 'c-981', total: 31.26, size: 3, currency: 'EUR', url: location.origin + '/cart',
            items: [{productId: '2', quantity: 3, price: 10.42, sku: 'TS-2-M', name: 'Awesome T-Shirt', extra: 'dropped'}]
        });
        for (let i = 0; i < 12; i++) { window.trackbridge.viewProduct(String(i)); }
        window.trackbridge.flush();
    }"""
    )
    capture.wait_for(page, lambda c: len(c.of_type("product_view")) == 12, "twelve product views")

    sizes = [len(body["events"]) for body in capture.bodies]
    assert sum(sizes) == 14 and max(sizes) == 10, sizes  # page_view, set_cart, 12 product views: flushed at ten
    assert capture.of_type("set_cart")[0]["properties"] == {
        "cartId": "c-981",
        "total": 31.26,
        "size": 3,
        "currency": "EUR",
        "url": f"{shop}/cart",
        "items": [{"productId": "2", "quantity": 3, "price": 10.42, "sku": "TS-2-M", "name": "Awesome T-Shirt"}],
    }


@SQLITE_ONLY
def test_signed_email_link_identifies_the_visitor_who_clicks_it(
    app: FastAPI, servers: Servers, page: Any, browser_context: Any
) -> None:
    shop, capture = servers.shop, servers.capture
    email = "reader@example.com"
    link = make_email_link(app, email, f"{shop}/product/2?utm_source=newsletter&utm_medium=email")

    page.goto(link)
    page.evaluate("window.trackbridge.flush()")
    capture.wait_for_types(page, "email_link", "product_view")
    browser_context.close()
    drive_worker(app)

    story = read_story_back(app, email)
    assert {"page_view", "product_view"} <= story.action_types
    assert [session["source"]["channel"] for session in story.sessions] == ["email"]
    assert [link["how"] for link in story.identity_links] == ["email_link"]


@SQLITE_ONLY
def test_matomo_cookie_set_after_the_tracker_loaded_is_used_from_the_next_send(servers: Servers, page: Any) -> None:
    shop, capture = servers.shop, servers.capture
    matomo_id = "fedcba9876543210"

    page.goto(f"{shop}/")
    page.evaluate("window.trackbridge.flush()")
    capture.wait_for_types(page, "page_view")
    page.evaluate(f"document.cookie = '_pk_id.1.1fff={matomo_id}.1718000000.; path=/'")
    page.evaluate("window.trackbridge.viewProduct('3'); window.trackbridge.flush()")
    capture.wait_for_types(page, "product_view")

    assert capture.bodies[0]["visitorId"] != matomo_id
    assert capture.bodies[-1]["visitorId"] == matomo_id
    assert page.evaluate("window.trackbridge.getVisitorId()") == matomo_id


@SQLITE_ONLY
def test_without_send_beacon_the_tracker_posts_with_fetch_and_trackbridge_allows_the_origin(
    servers: Servers, page: Any
) -> None:
    shop, capture = servers.shop, servers.capture
    page.add_init_script(
        """
        Object.defineProperty(Navigator.prototype, 'sendBeacon', {value: undefined});
        window.__fetched = [];
        const original = window.fetch.bind(window);
        window.fetch = (...args) => {
            const answer = original(...args);
            answer.then((r) => window.__fetched.push('answered ' + r.status), (e) => window.__fetched.push('failed ' + e));
            return answer;
        };
        """
    )

    page.goto(f"{shop}/product/2")
    page.evaluate("window.trackbridge.flush()")
    page.wait_for_function("window.__fetched.length > 0")

    assert capture.statuses == [202]
    # A cross-origin fetch the page can read: trackbridge's CORS answer allowed the shop's origin.
    assert page.evaluate("window.__fetched") == ["answered 202"]
    assert [event["type"] for event in capture.events] == ["page_view", "product_view"]
