"""POST /t → inbox → worker → visits and actions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.signing import SEED_API_KEY, SEED_TOKEN
from trackbridge.adapters.db.tracking_tables import actions, bot_hits, inbox, sessions
from trackbridge.domain.events import EventType, TrackedEvent
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain
from trackbridge.services.ingest import append_events

VISITOR = "a1b2c3d4e5f60718"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SERVER = {"Authorization": f"Bearer {SEED_API_KEY}"}


def reader(container: Container) -> sa.Connection:
    return container.engine.execution_options(sqlite_read_only=True).connect()


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def send(client: TestClient, events: list[dict[str, Any]], *, visitor: str = VISITOR, **headers: str) -> None:
    body = {"token": SEED_TOKEN, "visitorId": visitor, "events": events}
    answer = client.post("/t", json=body, headers={"User-Agent": CHROME, **headers})
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"accepted": len(events)}


def visits(container: Container, visitor: str = VISITOR) -> list[dict[str, Any]]:
    with reader(container) as connection:
        rows = connection.execute(
            sa.select(sessions).where(sessions.c.visitor_id == visitor).order_by(sessions.c.started_at)
        )
        return [dict(row) for row in rows.mappings()]


def action_ids(container: Container) -> list[str]:
    with reader(container) as connection:
        return list(connection.execute(sa.select(actions.c.event_id).order_by(actions.c.occurred_at)).scalars())


def test_a_landing_with_utm_codes_and_a_referrer_gives_the_visit_its_source(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    landing = "https://shop.example/spring?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
    campaign = {"source": "newsletter", "medium": "email", "name": "spring", "content": "hero"}
    send(
        client,
        [
            {
                "id": "l1",
                "type": "page_view",
                "url": landing,
                "referrer": "https://mail.example.org/",
                "campaign": campaign,
            },
            {"id": "l2", "type": "product_view", "url": "https://shop.example/p/2", "properties": {"productId": "2"}},
            {"id": "l3", "type": "add_to_cart", "url": "https://shop.example/p/2", "properties": {"productId": "2"}},
        ],
    )
    drain(container)
    [visit] = visits(container)
    assert visit["action_count"] == 3
    assert visit["entry_url"] == landing
    assert (visit["utm_source"], visit["utm_medium"], visit["utm_campaign"], visit["utm_content"]) == (
        "newsletter",
        "email",
        "spring",
        "hero",
    )
    assert visit["referrer_url"] == "https://mail.example.org/"
    assert visit["channel"] == "email"
    assert visit["lead_source"] == "newsletter"
    assert visit["user_agent"] == CHROME
    assert visit["origin"] == "tracker"
    assert action_ids(container) == ["l1", "l2", "l3"]


def test_thirty_minutes_of_inactivity_and_a_new_campaign_split_visits(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    cpc = {"source": "google", "medium": "cpc", "name": "brand"}
    send(
        client,
        [
            {"id": "a", "type": "page_view", "time": ms(start), "url": "https://shop.example/"},
            {
                "id": "b",
                "type": "page_view",
                "time": ms(start + timedelta(minutes=20)),
                "url": "https://shop.example/b",
            },
            {
                "id": "c",
                "type": "page_view",
                "time": ms(start + timedelta(minutes=51)),
                "url": "https://shop.example/c",
            },
            {"id": "d", "type": "page_view", "time": ms(start + timedelta(minutes=55)), "campaign": cpc},
        ],
        **SERVER,
    )
    drain(container)
    found = visits(container)
    assert [v["action_count"] for v in found] == [2, 1, 1]
    assert [v["utm_source"] for v in found] == [None, None, "google"]
    assert found[0]["duration_seconds"] == 20 * 60
    assert found[0]["origin"] == "server"


def test_late_events_land_in_the_visit_they_belong_to(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    start = datetime.now(UTC) - timedelta(days=2)
    send(
        client,
        [
            {"id": "p1", "type": "page_view", "time": ms(start), "url": "https://shop.example/later-entry"},
            {"id": "p2", "type": "page_view", "time": ms(start + timedelta(minutes=10))},
            {"id": "q1", "type": "page_view", "time": ms(start + timedelta(hours=5))},
        ],
        **SERVER,
    )
    drain(container)
    landing = "https://shop.example/real-landing?utm_source=ads"
    send(
        client,
        [
            {"id": "late-entry", "type": "page_view", "time": ms(start - timedelta(minutes=15)), "url": landing},
            {"id": "late-middle", "type": "checkout", "time": ms(start + timedelta(minutes=5))},
        ],
        **SERVER,
    )
    drain(container)
    first, second = visits(container)
    assert first["action_count"] == 4
    assert first["started_at"] == (start - timedelta(minutes=15)).replace(microsecond=first["started_at"].microsecond)
    assert first["entry_url"] == landing
    assert first["duration_seconds"] == 25 * 60
    assert first["has_checkout"]
    assert second["action_count"] == 1


def test_an_event_id_counts_once_for_good_across_batches(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send(client, [{"id": "same", "type": "page_view"}, {"id": "same", "type": "page_view"}])
    drain(container)
    send(client, [{"id": "same", "type": "page_view"}, {"id": "other", "type": "search", "properties": {"q": "x"}}])
    drain(container)
    assert sorted(action_ids(container)) == ["other", "same"]
    assert visits(container)[0]["action_count"] == 2


def test_bots_are_counted_per_day_and_not_sessionized(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send(
        client, [{"id": "bot1", "type": "page_view"}, {"id": "bot2", "type": "page_view"}], **{"User-Agent": GOOGLEBOT}
    )
    send(client, [{"id": "human", "type": "page_view"}], visitor="ffffffffffffffff")
    drain(container)
    assert visits(container) == []
    assert len(visits(container, "ffffffffffffffff")) == 1
    with reader(container) as connection:
        counts = connection.execute(sa.select(bot_hits.c.day, bot_hits.c["count"])).all()
    assert [(day, count) for day, count in counts] == [(datetime.now(UTC).date(), 2)]


def test_a_single_event_body_and_a_ping_are_accepted(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    single = {"token": SEED_TOKEN, "visitorId": VISITOR, "id": "one", "type": "page_view", "url": "https://s.example/"}
    answer = client.post("/t", content=orjson.dumps(single), headers={"Content-Type": "text/plain"})
    assert answer.json() == {"accepted": 1}
    send(client, [{"id": "ping", "type": "ping"}])
    drain(container)
    [visit] = visits(container)
    assert visit["action_count"] == 1
    assert action_ids(container) == ["one"]


def test_client_times_far_from_the_server_clock_are_not_trusted_without_a_key(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    send(client, [{"id": "old", "type": "page_view", "time": ms(old)}])
    drain(container)
    assert visits(container)[0]["started_at"] > datetime.now(UTC) - timedelta(minutes=5)


def test_lookup_mappings_set_lead_source_and_channel_and_visits_keep_raw_values(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    put = client.put(
        "/api/v1/lookups/lead-sources",
        json={"items": [{"field": "utm_source", "value": "google", "target": "Google Ads"}]},
        headers=SERVER,
    )
    assert put.status_code == 200, put.text
    put = client.put(
        "/api/v1/lookups/channels",
        json={"items": [{"field": "utm_medium", "value": "cpc", "target": "Paid"}]},
        headers=SERVER,
    )
    assert put.status_code == 200, put.text
    assert client.get("/api/v1/lookups/channels", headers=SERVER).json()["items"] == [
        {"field": "utm_medium", "value": "cpc", "target": "Paid"}
    ]
    bad = client.put(
        "/api/v1/lookups/channels",
        json={"items": [{"field": "utm_source", "value": "x", "target": "y"}]},
        headers=SERVER,
    )
    assert bad.status_code == 400
    send(client, [{"id": "m1", "type": "page_view", "campaign": {"source": "google", "medium": "cpc"}}])
    drain(container)
    [visit] = visits(container)
    assert (visit["lead_source"], visit["channel"], visit["utm_source"], visit["utm_medium"]) == (
        "Google Ads",
        "Paid",
        "google",
        "cpc",
    )


def test_the_inbox_holds_a_batch_as_soon_as_it_is_answered(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send(client, [{"id": f"e{i}", "type": "page_view"} for i in range(50)])
    with reader(container) as connection:
        assert connection.execute(sa.select(sa.func.sum(inbox.c.event_count))).scalar() == 50
    assert drain(container) == 1
    with reader(container) as connection:
        assert connection.execute(sa.select(sa.func.count()).where(inbox.c.processed_at.is_(None))).scalar() == 0
    assert len(action_ids(container)) == 50


def test_overlong_campaign_values_are_cut_to_fit_rather_than_failing_the_batch(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send(client, [{"id": "long", "type": "page_view", "campaign": {"source": "s" * 1000, "name": "n" * 1000}}])
    drain(container)
    [visit] = visits(container)
    assert (len(visit["utm_source"]), len(visit["utm_campaign"])) == (200, 500)


def test_a_batch_that_cannot_be_processed_is_set_aside_and_the_others_go_through(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    send(client, [{"id": "before", "type": "page_view"}])
    with container.engine.begin() as connection:
        connection.execute(
            sa.insert(inbox).values(
                project_id=seed_project.project.id,
                received_at=datetime.now(UTC),
                source="tracker",
                event_count=1,
                payload=b"not a batch",
            )
        )
    send(client, [{"id": "after", "type": "page_view"}])
    drain(container)
    assert sorted(action_ids(container)) == ["after", "before"]
    with reader(container) as connection:
        rows = connection.execute(sa.select(inbox.c.payload, inbox.c.processed_at, inbox.c.error)).all()
    [bad] = [row for row in rows if row.payload == b"not a batch"]
    assert bad.processed_at is not None
    assert "unreadable payload" in bad.error
    assert all(row.processed_at is not None for row in rows)


def test_events_appended_in_a_callers_transaction_vanish_with_its_rollback(
    container: Container, seed_project: ProjectCredentials
) -> None:
    event = TrackedEvent("rolled-back", EventType.PAGE_VIEW, VISITOR, datetime.now(UTC))
    with pytest.raises(RuntimeError), container.uow.transaction() as tx:
        append_events(tx, seed_project.project, [event], source="matomo", received_at=datetime.now(UTC))
        raise RuntimeError("the caller's other write failed")
    with reader(container) as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(inbox)).scalar() == 0
