"""Importing identified customers' Matomo visits (issue 5 item 2, seed 000) against the fake Matomo."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.identity_support import SERVER, customer_id, send
from tests.integration.matomo_import_support import (
    FIXED_NOW,
    actions_of,
    add_matomo,
    count,
    jobs,
    later_than_now,
    rows,
    run_jobs,
    sessions_of,
    snapshot,
    use_fake,
)
from tests.integration.matomo_push_support import add_catalogue, signed
from tests.support.fake_matomo import AUTH_MESSAGE, TOKEN, FakeMatomo, fixture_visits
from trackbridge.adapters.db.matomo_import_tables import action_types, matomo_visits, referral_sources, web_pages
from trackbridge.adapters.db.order_tables import order_links
from trackbridge.adapters.db.tracking_tables import sessions
from trackbridge.domain.outbound import ConnectorState
from trackbridge.domain.privacy import anonymize_ip
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain
from trackbridge.services import customers as customer_service
from trackbridge.services import matomo_import

VISITOR = "b3dd2f8741405f42"  # the rich visit's Matomo visitor id
EMAIL = "lead@example.com"
FORM_AT = datetime(2026, 11, 23, 10, 0, tzinfo=FIXED_NOW.tzinfo)
IMPORT = matomo_import.IMPORT_JOB


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def submit_form(
    client: TestClient, container: Container, *, visitor: str = VISITOR, email: str = EMAIL, at: datetime = FORM_AT
) -> None:
    form = {
        "id": f"form-{visitor}-{ms(at)}",
        "type": "form_submit",
        "time": ms(at),
        "url": "https://shop.example.com/contact",
        "properties": {"form": "#contact", "email": email},
    }
    send(client, [form], visitor=visitor)
    drain(container)


def moved(visit: dict[str, Any], last_action: datetime, **changes: Any) -> dict[str, Any]:
    """The visit shifted in time so that its last action is at ``last_action`` (as a visit still going on)."""
    shifted = copy.deepcopy(visit)
    delta = int(last_action.timestamp()) - shifted["lastActionTimestamp"]
    for key in ("firstActionTimestamp", "lastActionTimestamp", "serverTimestamp"):
        shifted[key] += delta
    for action in shifted["actionDetails"]:
        action["timestamp"] += delta
    shifted.update(changes)
    return shifted


def imported_sessions(container: Container) -> list[dict[str, Any]]:
    return rows(
        container, sessions.select().where(sessions.c.origin == "matomo_import").order_by(sessions.c.started_at)
    )


@pytest.fixture
def now() -> datetime:
    return later_than_now()


@pytest.fixture
def fake(container: Container, now: datetime) -> FakeMatomo:
    matomo = FakeMatomo(now=now)
    use_fake(container, matomo)
    return matomo


def test_form_identification_imports_the_customers_visits_into_the_timeline(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, now: datetime
) -> None:
    fake.update_visit(6, visitorId=VISITOR)  # the located visit is theirs too
    connector = add_matomo(container, seed_project.project, now)
    submit_form(client, container)
    lead = customer_id(container, EMAIL)
    assert [(j["state"], j["payload"]) for j in jobs(container, IMPORT)] == [("pending", {"customerId": lead})]

    run_jobs(container, now)

    [request] = fake.api_requests()
    assert request.params["segment"] == f"visitorId=={VISITOR}"
    assert "token_auth" not in request.query and "segment" not in request.query
    with container.uow.read() as tx:
        [logged] = tx.outbound_log.requests(connector.id, before_id=None, limit=10)
    assert (logged.record.method, logged.record.status) == ("POST", 200)
    assert "Live.getLastVisitsDetails" in logged.record.url and TOKEN not in logged.record.url
    answer = client.get(f"/api/v1/customers/{lead}/timeline", headers=SERVER)
    assert answer.status_code == 200, answer.text
    timeline = answer.json()["sessions"]
    assert [s["startedAt"] for s in timeline] == sorted((s["startedAt"] for s in timeline), reverse=True)
    form_visit, located, rich = timeline
    assert form_visit["actions"][0]["type"] == "form_submit"
    assert located["location"] == {
        "countryCode": "fr",
        "countryName": "France",
        "regionCode": "IDF",
        "regionName": "Île-de-France",
        "city": "Paris",
        "latitude": 48.85,
        "longitude": 2.35,
    }
    assert rich["durationSeconds"] == 161
    assert rich["startedAt"] == 1795335719000 and rich["lastActionAt"] == 1795335849000
    assert rich["source"]["referrerType"] == "campaign"
    assert (rich["source"]["referrerName"], rich["source"]["referrerKeyword"]) == ("brand", "shoes")
    assert rich["source"]["referrerUrl"] == "https://www.google.com/"
    assert rich["source"]["utm"]["campaign"] == "brand" and rich["source"]["utm"]["term"] == "shoes"
    assert rich["source"]["leadSource"] == "brand"
    assert rich["device"] == {
        "type": "desktop",
        "brand": None,
        "model": "Generic Desktop",
        "os": "Windows",
        "osVersion": "10",
        "browser": "Chrome",
        "browserVersion": "121.0",
    }
    assert rich["location"]["countryCode"] is None
    assert [a["type"] for a in rich["actions"]] == [
        "page_view",
        "search",
        "page_view",
        "product_view",
        "set_cart",
        "download",
        "outlink",
        "content",
        "page_view",
        "goal",
    ]
    home = rich["actions"][0]
    assert (home["url"], home["title"], home["properties"]["timeSpent"]) == ("https://shop.example.com/", "Home", 70)
    assert rich["actionCount"] == 10 and rich["entryUrl"] == "https://shop.example.com/"
    [stored] = rows(container, sessions.select().where(sessions.c.id == rich["id"]))
    assert stored["ip"] == anonymize_ip("81.2.69.160", container.settings.anonymize_ip)  # as tracked IPs are
    assert count(container, matomo_visits) == 2
    assert ("campaign", "brand") in {
        (r["referrer_type"], r["name"]) for r in rows(container, referral_sources.select())
    }
    assert {r["matomo_code"] for r in rows(container, action_types.select())} >= {"action", "search", "13", "goal"}
    assert "https://shop.example.com/signup/done" in {r["url"] for r in rows(container, web_pages.select())}


def test_importing_again_changes_nothing(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, now: datetime
) -> None:
    rich = fake.visit(5)
    fake.visits.remove(rich)
    fake.add_visit(moved(rich, now - timedelta(minutes=10)))  # still recent: the incremental import sees it again
    connector = add_matomo(container, seed_project.project, now)
    submit_form(client, container)
    run_jobs(container, now)
    first = snapshot(container)
    assert len(first["visits"]) == 1

    later = now + timedelta(minutes=5)
    lead = customer_id(container, EMAIL) or 0
    with container.uow.transaction() as tx:
        matomo_import.request_import(tx, seed_project.project.id, [lead], later)
    run_jobs(container, later)

    second_request = fake.api_requests()[-1]
    assert second_request.params["minTimestamp"] == str(int((now - timedelta(hours=1)).timestamp()))
    assert snapshot(container) == first
    with container.uow.read() as tx:
        assert tx.matomo_import.last_success(connector.id, lead) == later


def test_a_visit_whose_visitor_id_changed_is_updated_not_duplicated(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, now: datetime
) -> None:
    rich = fake.visit(5)
    fake.visits.remove(rich)
    fake.add_visit(moved(rich, now - timedelta(minutes=20), userId=EMAIL))
    add_matomo(container, seed_project.project, now, userIdFrom="email")
    submit_form(client, container)
    run_jobs(container, now)
    [before] = imported_sessions(container)
    assert fake.api_requests()[0].params["segment"] == f"userId==lead%40example.com,visitorId=={VISITOR}"

    visit = fake.visit(5)
    extra = {
        **visit["actionDetails"][0],
        "timestamp": visit["lastActionTimestamp"] + 60,
        "url": "https://shop.example.com/more",
    }
    fake.update_visit(
        5,
        visitorId="c0ffee0000000001",
        lastActionTimestamp=visit["lastActionTimestamp"] + 60,
        visitDuration=visit["visitDuration"] + 60,
        actionDetails=[*visit["actionDetails"], extra],
    )
    later = now + timedelta(minutes=5)
    lead = customer_id(container, EMAIL) or 0
    with container.uow.transaction() as tx:
        matomo_import.request_import(tx, seed_project.project.id, [lead], later)
    run_jobs(container, later)

    [after] = imported_sessions(container)
    assert after["id"] == before["id"]
    assert after["visitor_id"] == "c0ffee0000000001"
    assert after["action_count"] == before["action_count"] + 1
    assert after["duration_seconds"] == before["duration_seconds"] + 60
    assert {a["visitor_id"] for a in actions_of(container, after["id"])} == {"c0ffee0000000001"}
    assert count(container, matomo_visits) == 1


def test_visits_are_fetched_page_by_page(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, now: datetime
) -> None:
    base = fixture_visits("live_visit_with_geo_overrides")[0]
    for number in range(5):
        fake.add_visit(moved(base, now - timedelta(days=number + 1), idVisit=100 + number, visitorId=VISITOR))
    add_matomo(container, seed_project.project, now, pageSize=2)
    submit_form(client, container)
    run_jobs(container, now)

    assert [r.params["filter_offset"] for r in fake.api_requests()] == ["0", "2", "4", "6"]
    assert {r.params["filter_limit"] for r in fake.api_requests()} == {"2"}
    assert count(container, matomo_visits) == 6
    assert len(imported_sessions(container)) == 6


def test_a_customer_identified_by_an_email_link_is_imported_by_the_scheduled_run(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, now: datetime
) -> None:
    project = seed_project.project
    connector = add_matomo(container, project, now, schedule="0 2 * * *")
    token = customer_service.email_link_token(container.uow, container.box, project, "reader@example.com")
    click = {
        "id": "click",
        "type": "email_link",
        "time": ms(FORM_AT),
        "url": "https://shop.example.com/?tb_r=x",
        "properties": {"token": token},
    }
    send(client, [click], visitor=VISITOR)
    drain(container)
    run_jobs(container, now)
    assert jobs(container, IMPORT) == [] and imported_sessions(container) == []

    assert connector.next_run_at is not None and connector.next_run_at > now
    scheduled = connector.next_run_at + timedelta(minutes=1)
    run_jobs(container, scheduled)

    assert [j["state"] for j in jobs(container, matomo_import.SCHEDULED_RUN_JOB)] == ["done"]
    reader = customer_id(container, "reader@example.com")
    assert [(j["state"], j["payload"]) for j in jobs(container, IMPORT)] == [("done", {"customerId": reader})]
    [imported] = imported_sessions(container)
    assert imported["customer_id"] == reader and imported["visitor_id"] == VISITOR


def test_a_visit_trackbridge_tracked_too_is_merged_not_counted_twice(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, now: datetime
) -> None:
    buyer = "7263243b7caaba5b"  # visit 1: page view, event and order at 09:19:43 on 2026-11-22
    seen = datetime.fromtimestamp(1795339183, FIXED_NOW.tzinfo)
    page = {"id": "p1", "type": "page_view", "time": ms(seen), "url": "https://shop.example.com/products/widget"}
    send(client, [page], visitor=buyer)
    add_matomo(container, seed_project.project, now)
    submit_form(client, container, visitor=buyer, email="buyer@example.com", at=seen + timedelta(seconds=5))
    run_jobs(container, now)

    [visit] = sessions_of(container, buyer)
    assert visit["origin"] != "matomo_import"
    assert sorted(a["type"] for a in actions_of(container, visit["id"])) == [
        "ecommerce_order",
        "form_submit",
        "matomo_event",
        "page_view",
    ]
    assert visit["action_count"] == 4
    assert visit["has_checkout"] and visit["order_ids"] == ["ORDER-1001"]
    [record] = rows(container, matomo_visits.select())
    assert (record["merged"], record["session_id"], record["id_visit"]) == (True, visit["id"], 1)


def test_a_refused_token_marks_the_connector_failing_with_matomos_message(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, now: datetime
) -> None:
    connector = add_matomo(container, seed_project.project, now, token="not-the-right-token")
    submit_form(client, container)
    run_jobs(container, now)

    with container.uow.read() as tx:
        stored = tx.connectors.by_id(connector.id)
    assert stored is not None
    assert (stored.state, stored.state_message) == (ConnectorState.FAILING, AUTH_MESSAGE)
    assert [j["state"] for j in jobs(container, IMPORT)] == ["pending"]
    assert imported_sessions(container) == []
    assert len(fake.api_requests()) == 1  # no hammering


def test_the_look_back_limits_a_first_import_on_a_frozen_clock(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    fake = FakeMatomo(now=FIXED_NOW)
    use_fake(container, fake)
    old = fixture_visits("live_visit_with_geo_overrides")[0]
    fake.add_visit(moved(old, FIXED_NOW - timedelta(days=400), idVisit=50, visitorId=VISITOR))
    connector = add_matomo(container, seed_project.project, FIXED_NOW, lookbackDays=365)
    identify = {"id": "i1", "type": "identify", "time": ms(FORM_AT), "properties": {"email": EMAIL}}
    send(client, [identify], visitor=VISITOR)
    drain(container)
    lead = customer_id(container, EMAIL) or 0
    with container.uow.transaction() as tx:
        assert matomo_import.request_import(tx, seed_project.project.id, [lead], FIXED_NOW) == 1
    run_jobs(container, FIXED_NOW)

    [request] = fake.api_requests()
    assert request.params["minTimestamp"] == str(int((FIXED_NOW - timedelta(days=365)).timestamp()))
    assert [r["id_visit"] for r in rows(container, matomo_visits.select())] == [5]
    with container.uow.read() as tx:
        assert tx.matomo_import.last_success(connector.id, lead) == FIXED_NOW


def test_an_imported_order_visit_becomes_the_link_of_that_order(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, now: datetime
) -> None:
    buyer = "7263243b7caaba5b"  # visit 1 holds ORDER-1001, at 09:19:43 on 2026-11-22
    placed = datetime.fromtimestamp(1795339183 + 60, FIXED_NOW.tzinfo)
    add_catalogue(client)
    signed(client, "/v2/customer", {"email": "buyer@example.com"})
    order = {
        "id": "ORDER-1001",
        "createdAt": ms(placed),
        "amount": "50.48",
        "status": "completed",
        "email": "buyer@example.com",
        "products": [{"productId": "p-1", "quantity": 2, "price": "19.99"}],
    }
    signed(client, "/v2/order", order)
    add_matomo(container, seed_project.project, now, pushOrders=False)
    submit_form(client, container, visitor=buyer, email="buyer@example.com")  # a day later: not the same visit
    run_jobs(container, now)

    [imported] = imported_sessions(container)
    assert imported["order_ids"] == ["ORDER-1001"] and imported["has_checkout"]
    [link] = rows(container, order_links.select().where(order_links.c.order_id == "ORDER-1001"))
    assert link["session_id"] == imported["id"]


def test_an_unavailable_matomo_is_retried_later_and_the_import_then_completes(
    client: TestClient, container: Container, seed_project: ProjectCredentials, fake: FakeMatomo, now: datetime
) -> None:
    add_matomo(container, seed_project.project, now)
    submit_form(client, container)
    fake.fault("503", times=1, endpoint="api")
    run_jobs(container, now)
    [waiting] = jobs(container, IMPORT)
    assert (waiting["state"], waiting["attempts"]) == ("pending", 1)
    assert "503" in waiting["last_error"] and imported_sessions(container) == []

    run_jobs(container, now + timedelta(minutes=5))
    assert [j["state"] for j in jobs(container, IMPORT)] == ["done"]
    assert len(imported_sessions(container)) == 1
