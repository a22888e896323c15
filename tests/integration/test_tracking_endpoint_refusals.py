"""Every kind of bad input to POST /t gets the right 4xx with a clear message, never a 500; browsers get CORS."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.support.signing import SEED_API_KEY, SEED_TOKEN
from trackbridge.domain.projects import ProjectCredentials

VISITOR = "0123456789abcdef"


def body(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "token": SEED_TOKEN,
        "visitorId": VISITOR,
        "events": [{"id": "e1", "type": "page_view"}],
    }
    document.update(changes)
    return document


def post(client: TestClient, content: bytes, **headers: str) -> Any:
    return client.post("/t", content=content, headers={"Content-Type": "text/plain", **headers})


@pytest.mark.parametrize(
    ("content", "status", "field", "words"),
    [
        (b"{not json", 400, None, "malformed JSON"),
        (b"", 400, None, "empty"),
        (b"[1, 2]", 400, None, "JSON object"),
        (orjson.dumps(body(token="unknown-token")), 401, None, "token"),
        (orjson.dumps(body(token=None)), 401, None, "token"),
        (orjson.dumps(body(token=5)), 400, "token", "string"),
        (orjson.dumps(body(visitorId="ABCDEF0123456789")), 400, "visitorId", "16 lower-case"),
        (orjson.dumps(body(visitorId="123")), 400, "visitorId", "16 lower-case"),
        (orjson.dumps(body(visitorId=None)), 400, "visitorId", "16 lower-case"),
        (orjson.dumps(body(events="nope")), 400, "events", "list"),
        (orjson.dumps(body(events=[])), 400, "events", "at least one"),
        (orjson.dumps(body(events=[5])), 400, "events[0]", "object"),
        (orjson.dumps(body(events=[{"type": "page_view"}])), 400, "events[0].id", "non-empty"),
        (orjson.dumps(body(events=[{"id": "x" * 101, "type": "page_view"}])), 400, "events[0].id", "100"),
        (orjson.dumps(body(events=[{"id": "a", "type": "teleport"}])), 400, "events[0].type", "page_view"),
        (orjson.dumps(body(events=[{"id": "a", "type": ["page_view"]}])), 400, "events[0].type", "one of"),
        (orjson.dumps(body(events=[{"id": "a", "type": "page_view", "time": "yesterday"}])), 400, "events[0].time", ""),
        (orjson.dumps(body(events=[{"id": "a", "type": "page_view", "time": 1e30}])), 400, "events[0].time", ""),
        (orjson.dumps(body(events=[{"id": "a", "type": "page_view", "url": 5}])), 400, "events[0].url", "string"),
        (orjson.dumps(body(events=[{"id": "a", "type": "search", "properties": []}])), 400, "events[0].properties", ""),
        (orjson.dumps(body(events=[{"id": "a", "type": "page_view", "campaign": "x"}])), 400, "events[0].campaign", ""),
        (
            orjson.dumps(body(events=[{"id": "a", "type": "page_view", "campaign": {"source": 1}}])),
            400,
            "events[0].campaign.source",
            "string",
        ),
        (
            orjson.dumps(body(events=[{"id": "a", "type": "page_view", "newVisit": "yes"}])),
            400,
            "events[0].newVisit",
            "",
        ),
        (orjson.dumps({"token": SEED_TOKEN, "visitorId": VISITOR}), 400, "events", "type"),
        (orjson.dumps(body(events=[{"id": "a\u0000", "type": "page_view"}])), 400, None, "NUL"),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    client: TestClient, seed_project: ProjectCredentials, content: bytes, status: int, field: str | None, words: str
) -> None:
    answer = post(client, content)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["field"] == field
    assert words in error["message"]
    assert answer.headers["access-control-allow-origin"] == "*"


def test_an_event_over_32_kb_is_refused_naming_it(client: TestClient, seed_project: ProjectCredentials) -> None:
    events = [{"id": "small", "type": "page_view"}, {"id": "big", "type": "page_view", "title": "x" * 33_000}]
    answer = post(client, orjson.dumps(body(events=events)))
    assert answer.status_code == 413
    assert "events[1]" in answer.json()["error"]["message"]


def test_a_request_over_500_kb_is_refused(client: TestClient, seed_project: ProjectCredentials) -> None:
    events = [{"id": f"e{i}", "type": "page_view", "title": "x" * 20_000} for i in range(30)]
    answer = post(client, orjson.dumps(body(events=events)))
    assert answer.status_code == 413
    assert "limit" in answer.json()["error"]["message"]


def test_an_unaccepted_content_type_gets_415(client: TestClient, seed_project: ProjectCredentials) -> None:
    answer = client.post("/t", content=b"a=b", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 415


def test_a_wrong_api_key_gets_401_and_a_key_of_another_project_403(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    content = orjson.dumps(body())
    assert post(client, content, Authorization="Bearer tbk_wrong").status_code == 401
    assert post(client, content, Authorization="Basic abc").status_code == 401
    other = orjson.dumps(body(token="another-token"))
    assert post(client, other, Authorization=f"Bearer {SEED_API_KEY}").status_code == 403


def test_preflight_allows_a_browser_to_post(client: TestClient) -> None:
    answer = client.options("/t", headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"})
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"]


def test_accepted_answer_carries_cors_and_the_count(client: TestClient, seed_project: ProjectCredentials) -> None:
    answer = client.post("/t", json=body(), headers={"Origin": "https://shop.example"})
    assert answer.status_code == 202
    assert answer.json() == {"accepted": 1}
    assert answer.headers["access-control-allow-origin"] == "*"
