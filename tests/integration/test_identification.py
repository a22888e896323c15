"""Identification through the real pipeline (POST /t → inbox → worker → identification), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.integration.identity_support import (
    OTHER_VISITOR,
    at,
    customer,
    customer_id,
    event,
    forms,
    links,
    rows,
    send_and_process,
    session_owners,
    tags,
    visitor_customer,
)
from tests.support.matomo import matomo_js
from tests.support.signing import SEED_SECRET
from trackbridge.adapters.db.tables import customers
from trackbridge.domain.email_links import make_token
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain
from trackbridge.services import customers as customer_service

LANDING = "https://shop.example/spring?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
CAMPAIGN = {"source": "newsletter", "medium": "email", "name": "spring"}


def test_identify_joins_the_anonymous_history_and_later_sessions(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send_and_process(client, container, [event("a1", "page_view", 0), event("a2", "product_view", 2)])
    send_and_process(client, container, [event("a3", "page_view", 120)])
    assert session_owners(container) == [None, None]
    send_and_process(client, container, [event("a4", "identify", 121, properties={"email": "Jane@Example.com"})])
    jane = customer_id(container, "jane@example.com")
    assert jane is not None
    assert session_owners(container) == [jane, jane]
    assert visitor_customer(container) == jane
    [link] = links(container)
    assert (link["how"], link["strength"], link["valid_from"], link["event_id"]) == ("identify", 3, None, "a4")
    assert link["linked_at"].timestamp() * 1000 == at(121)
    send_and_process(client, container, [event("a5", "page_view", 400)])
    assert session_owners(container) == [jane, jane, jane]


def test_a_form_identifies_and_is_stored_with_the_visits_tracking_data(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    landing = event("f1", "page_view", 0, url=LANDING, referrer="https://mail.example.org/", campaign=CAMPAIGN)
    form = event(
        "f2",
        "form_submit",
        3,
        url="https://shop.example/contact",
        properties={
            "form": "#contact",
            "email": "lead@example.com",
            "firstName": "Lea",
            "phoneNumber": "+49 30 1234",
            "fields": {"message": "call me"},
            "tags": ["lead"],
        },
    )
    send_and_process(client, container, [landing, form])
    lead = customer_id(container, "lead@example.com")
    assert session_owners(container) == [lead]
    [submission] = forms(container)
    assert submission["customer_id"] == lead
    assert submission["form"] == "#contact"
    assert submission["fields"]["message"] == "call me"
    assert submission["fields"]["email"] == "lead@example.com"
    assert submission["landing_page"] == LANDING
    assert submission["referrer_url"] == "https://mail.example.org/"
    assert (submission["utm_source"], submission["utm_medium"], submission["utm_campaign"]) == (
        "newsletter",
        "email",
        "spring",
    )
    assert submission["page_url"] == "https://shop.example/contact"
    stored = customer(container, "lead@example.com")
    assert (stored["first_name"], stored["phone_normalized"]) == ("Lea", "49301234")
    assert tags(container, stored["id"]) == ["lead"]
    assert links(container)[0]["how"] == "form"


def test_earliest_submission_in_one_session_keeps_the_session(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send_and_process(
        client,
        container,
        [
            event("s1", "page_view", 0),
            event("s2", "form_submit", 2, properties={"email": "first@example.com"}),
            event("s3", "form_submit", 5, properties={"email": "second@example.com"}),
        ],
    )
    first, second = customer_id(container, "first@example.com"), customer_id(container, "second@example.com")
    assert second is not None  # both contacts exist; the session is the earliest's
    assert session_owners(container) == [first]
    assert [f["customer_id"] for f in forms(container)] == [first, second]
    assert [link["how"] for link in links(container)] == ["form"]


def test_an_earlier_submission_processed_late_still_wins_its_session(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send_and_process(
        client,
        container,
        [event("l1", "page_view", 0), event("l3", "form_submit", 6, properties={"email": "later@example.com"})],
    )
    send_and_process(client, container, [event("l2", "form_submit", 2, properties={"email": "earlier@example.com"})])
    earlier = customer_id(container, "earlier@example.com")
    assert session_owners(container) == [earlier]
    assert visitor_customer(container) == earlier
    first, second = links(container)
    assert first["ended_at"] is not None and second["ended_at"] is None


def test_a_login_as_someone_else_later_switches_the_device_from_then_on(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send_and_process(
        client, container, [event("d1", "page_view", 0), event("d2", "identify", 1, properties={"email": "a@x.com"})]
    )
    send_and_process(
        client,
        container,
        [event("d3", "page_view", 180), event("d4", "identify", 182, properties={"email": "b@x.com"})],
    )
    send_and_process(client, container, [event("d5", "page_view", 600)])
    a, b = customer_id(container, "a@x.com"), customer_id(container, "b@x.com")
    assert session_owners(container) == [a, b, b]
    assert visitor_customer(container) == b
    old, new = links(container)
    assert old["customer_id"] == a and old["ended_at"] is not None
    assert new["customer_id"] == b and new["valid_from"].timestamp() * 1000 == at(182)
    assert rows(container, sa.select(customers.c.id).where(customers.c.id.in_([a, b]))) == [{"id": a}, {"id": b}]


def test_a_weaker_form_does_not_move_a_logged_in_visitor(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send_and_process(client, container, [event("w1", "identify", 0, properties={"email": "owner@x.com"})])
    send_and_process(client, container, [event("w2", "form_submit", 300, properties={"email": "friend@x.com"})])
    owner = customer_id(container, "owner@x.com")
    assert session_owners(container) == [owner, owner]
    assert forms(container)[0]["customer_id"] == customer_id(container, "friend@x.com")


def test_placeholders_and_bad_emails_never_link(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send_and_process(
        client,
        container,
        [
            event("p1", "identify", 0, properties={"email": "undefined"}),
            event("p2", "identify", 1, properties={"email": "null"}),
            event("p3", "form_submit", 2, properties={"email": "not an email"}),
            event("p4", "identify", 3, properties={}),
        ],
    )
    answer = client.get("/matomo.php", params=matomo_js(uid="guest"))
    assert answer.status_code == 200
    drain(container)
    assert rows(container, sa.select(customers.c.id)) == []
    assert links(container) == []
    assert session_owners(container) == [None]
    assert len(forms(container)) == 1  # the submission is kept, without a customer


def test_matomo_uid_identifies_the_visitor(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    assert client.get("/matomo.php", params=matomo_js(uid="shop-customer-77")).status_code == 200
    drain(container)
    [owner] = rows(container, sa.select(customers.c.id).where(customers.c.external_id == "shop-customer-77"))
    [row] = rows(container, sa.text("SELECT visitor_id, customer_id FROM visitors"))
    assert row["customer_id"] == owner["id"]
    assert [link["how"] for link in links(container, row["visitor_id"])] == ["matomo_uid"]


def test_an_email_link_identifies_an_anonymous_visitor_but_never_moves_an_identified_one(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    project = seed_project.project
    token = customer_service.email_link_token(container.uow, container.box, project, "reader@example.com")
    send_and_process(client, container, [event("e1", "email_link", 0, properties={"token": token})])
    reader = customer_id(container, "reader@example.com")
    assert session_owners(container) == [reader]
    assert [(link["how"], link["strength"]) for link in links(container)] == [("email_link", 1)]

    send_and_process(
        client,
        container,
        [event("e2", "identify", 0, properties={"email": "friend@example.com"})],
        visitor=OTHER_VISITOR,
    )
    send_and_process(
        client, container, [event("e3", "email_link", 200, properties={"token": token})], visitor=OTHER_VISITOR
    )
    friend = customer_id(container, "friend@example.com")
    assert session_owners(container, OTHER_VISITOR) == [friend, friend]
    assert [link["how"] for link in links(container, OTHER_VISITOR)] == ["identify"]


def test_forged_or_expired_email_link_tokens_are_ignored(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    project = seed_project.project
    customer_service.email_link_token(container.uow, container.box, project, "x@example.com")
    owner = customer_id(container, "x@example.com")
    assert owner is not None
    expired = make_token(SEED_SECRET, project.id, owner, datetime.now(UTC) - timedelta(seconds=1))
    forged = make_token("not-the-secret", project.id, owner, datetime.now(UTC) + timedelta(days=1))
    send_and_process(
        client,
        container,
        [
            event("x1", "email_link", 0, properties={"token": expired}),
            event("x2", "email_link", 1, properties={"token": forged}),
            event("x3", "email_link", 2, properties={"token": "garbage"}),
        ],
    )
    assert links(container) == []
    assert session_owners(container) == [None]


def test_tags_and_details_of_an_anonymous_visitor_wait_for_the_customer(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send_and_process(
        client,
        container,
        [
            event("t1", "apply_tags", 0, properties={"tags": ["vip", "newsletter"]}),
            event("t2", "customer_details", 1, properties={"lastName": "Bravo", "subscribed": True}),
        ],
    )
    send_and_process(client, container, [event("t3", "identify", 2, properties={"email": "johnny@example.com"})])
    johnny = customer(container, "johnny@example.com")
    assert tags(container, johnny["id"]) == ["newsletter", "vip"]
    assert (johnny["last_name"], johnny["subscribed"]) == ("Bravo", True)
    send_and_process(client, container, [event("t4", "customer_details", 3, properties={"firstName": "Johnny"})])
    assert customer(container, "johnny@example.com")["first_name"] == "Johnny"


def integrate_form(prefix: str, minutes: float, email: str, first_name: str) -> list[dict[str, object]]:
    """What tracker.js's integrateForm sends on submit: identify, details, tags, a custom event and the form."""
    fields = {"email": email, "firstName": first_name}
    return [
        event(f"{prefix}1", "identify", minutes, properties={"email": email}),
        event(f"{prefix}2", "customer_details", minutes, properties=fields),
        event(f"{prefix}3", "apply_tags", minutes, properties={"tags": ["form"]}),
        event(f"{prefix}4", "custom_event", minutes, properties={"name": "signed up"}),
        event(f"{prefix}5", "form_submit", minutes + 0.001, properties={"form": "#signup", **fields}),
    ]


def test_forms_bound_by_tracker_js_identify_with_form_strength_and_the_earliest_wins(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send_and_process(
        client,
        container,
        [
            event("g0", "page_view", 0),
            *integrate_form("ga", 1, "ann@example.com", "Ann"),
            *integrate_form("gb", 4, "bea@example.com", "Bea"),
        ],
    )
    ann, bea = customer(container, "ann@example.com"), customer(container, "bea@example.com")
    assert session_owners(container) == [ann["id"]]
    assert [(link["how"], link["strength"]) for link in links(container)] == [("form", 2)]
    assert (ann["first_name"], bea["first_name"]) == ("Ann", "Bea")
    assert [f["customer_id"] for f in forms(container)] == [ann["id"], bea["id"]]
