"""After a browser story: run trackbridge's worker over the inbox, then read the result back through the HTTP API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.signing import SEED_API_KEY

TIMELINE_PATH = "/api/v1/customers/{customer_id}/timeline"


def _has_route(app: FastAPI, path: str, method: str) -> bool:
    return method.lower() in app.openapi()["paths"].get(path, {})


def drive_worker(app: FastAPI) -> None:
    """Processes everything the browser's requests put in the inbox (what `trackbridge serve` does in the background)."""
    if not _has_route(app, "/t", "POST"):
        pytest.skip("API-side checks wait for POST /t; the browser's payloads were checked")
    from trackbridge.entrypoints.worker import drain

    drain(app.state.container)


@dataclass
class StoredStory:
    customer: dict[str, Any]
    sessions: list[dict[str, Any]]
    form_submissions: list[dict[str, Any]]
    identity_links: list[dict[str, Any]]

    @property
    def action_types(self) -> set[str]:
        return {action["type"] for session in self.sessions for action in session["actions"]}


def read_story_back(app: FastAPI, email: str) -> StoredStory:
    """The customer with ``email`` and their timeline, as the read API answers them."""
    client = TestClient(app)  # no lifespan: the server under test is already running
    client.headers["Authorization"] = f"Bearer {SEED_API_KEY}"
    found = client.get("/api/v1/customers", params={"email": email})
    assert found.status_code == 200, found.text
    items = found.json()["items"]
    assert len(items) == 1, f"expected one customer {email}, the API lists {items}"
    if not _has_route(app, TIMELINE_PATH, "GET"):
        pytest.skip("the customer exists; the timeline checks wait for GET /api/v1/customers/{id}/timeline")
    timeline = client.get(TIMELINE_PATH.format(customer_id=items[0]["id"]))
    assert timeline.status_code == 200, timeline.text
    body = timeline.json()
    return StoredStory(
        customer=body["customer"],
        sessions=body["sessions"],
        form_submissions=body["formSubmissions"],
        identity_links=body["identityLinks"],
    )


def make_email_link(app: FastAPI, email: str, url: str) -> str:
    """A signed per-recipient link, made through the API as a bulk-mail tool would."""
    if not _has_route(app, "/api/v1/email-links", "POST"):
        pytest.skip("waits for POST /api/v1/email-links")
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {SEED_API_KEY}"
    answer = client.post("/api/v1/email-links", json={"email": email, "url": url})
    assert answer.status_code == 200, answer.text
    link: str = answer.json()["url"]
    return link
