"""The settings pages in a real browser: rotate the signing secret, create and revoke an API key, copy the tracker
snippet; every settings and uploads page renders with demo data and with an empty project, without console errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.web_support import PHONE, WebServer, project_url, screenshot
from trackbridge.domain.outbound import ConnectorKind, NewJob
from trackbridge.entrypoints.worker import drain
from trackbridge.services import connectors as connector_service
from trackbridge.services import demo
from trackbridge.services import projects as project_service
from trackbridge.services.outbox import enqueue, utc_now

PAGES = [
    ("settings",),
    ("settings", "mappings"),
    ("settings", "connectors"),
    ("settings", "dead-letters"),
    ("uploads",),
]


def _accept_dialogs(page: Any) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def test_an_admin_reveals_and_rotates_the_signing_secret(web_server: WebServer, web_page: Any) -> None:
    _accept_dialogs(web_page)
    web_page.goto(project_url(web_server, "settings"))
    with web_page.expect_navigation():
        web_page.click("#reveal-secret")
    before = web_page.locator("#signing-secret").inner_text()

    with web_page.expect_navigation():
        web_page.click("#rotate-secret")

    after = web_page.locator("#signing-secret").inner_text()
    assert after != before
    assert "rotated" in web_page.locator("[data-testid=settings-done]").inner_text()
    stored = project_service.signing_secret(web_server.container.uow, web_server.container.box, web_server.project)
    assert stored == after
    screenshot(web_page, "settings-secret-rotated")


def test_an_admin_creates_an_api_key_shown_once_and_revokes_it(web_server: WebServer, web_page: Any) -> None:
    _accept_dialogs(web_page)
    web_page.goto(project_url(web_server, "settings"))
    web_page.fill("#key-name", "shop backend")
    web_page.select_option("#key-scope", "read")
    with web_page.expect_navigation():
        web_page.click("#create-key")

    plain = web_page.locator("#new-api-key").inner_text()
    assert plain.startswith("tbk_")
    screenshot(web_page, "settings-api-key-created")
    row = web_page.locator("#api-key-table tr", has_text="shop backend")
    with web_page.expect_navigation():
        row.locator("button", has_text="Revoke").click()

    assert plain not in web_page.content()
    assert "revoked" in web_page.locator("#api-key-table tr", has_text="shop backend").inner_text()


def test_the_tracker_snippet_has_the_token_and_a_copy_button(web_server: WebServer, web_page: Any) -> None:
    web_page.goto(project_url(web_server, "settings"))
    snippet = web_page.locator("#tracker-snippet").inner_text()
    assert f"/tracker.js?token={web_server.project.token}" in snippet and snippet.startswith("<script")

    web_page.click("#copy-snippet")

    copied = "document.querySelector('#copy-snippet').textContent === 'Copied'"
    selected = "window.getSelection().toString().includes('tracker.js')"
    web_page.wait_for_function(f"{copied} || {selected}")


@pytest.mark.parametrize("project", ["shop", "demo"])
def test_every_settings_and_uploads_page_renders(web_server: WebServer, web_page: Any, project: str) -> None:
    if project == "demo":
        container = web_server.container
        demo.fill_demo(container.uow, container.box, lambda: drain(container), days=7)
    for parts in PAGES:
        answer = web_page.goto(project_url(web_server, *parts, project=project))
        assert answer is not None and answer.status == 200, parts
        assert web_page.locator("h1").count() == 1
        screenshot(web_page, f"{'-'.join(parts)}-{project}")
    web_page.set_viewport_size(PHONE)
    web_page.goto(project_url(web_server, "settings", project=project))
    screenshot(web_page, f"settings-phone-{project}")


def test_an_admin_retries_a_dead_letter(web_server: WebServer, web_page: Any) -> None:
    container, project = web_server.container, web_server.project
    connector = connector_service.add_connector(
        container.uow, container.box, project, ConnectorKind.WEBHOOK, "orders hook", {}, None, lambda raw, _c: raw
    )
    with container.uow.transaction() as tx:
        job = NewJob(project_id=project.id, kind="webhook.send", subject="order 1001", connector_id=connector.id)
        job_id = enqueue(tx, job, utc_now())
        assert job_id is not None
        tx.outbox.bury(job_id, "HTTP 422: the record was refused", utc_now())
    web_page.goto(project_url(web_server, "settings", "connectors"))
    assert "orders hook" in web_page.locator("[data-testid=connector-table]").inner_text()
    web_page.goto(project_url(web_server, "settings", "dead-letters"))
    assert "HTTP 422" in web_page.locator("[data-testid=dead-letters]").inner_text()
    screenshot(web_page, "settings-dead-letters-one")

    web_page.check(f"input[name=job][value='{job_id}']")
    with web_page.expect_navigation():
        web_page.click("#retry-selected")

    assert "1 job put back" in web_page.locator("[data-testid=retried]").inner_text()
    assert web_page.locator("[data-testid=no-dead-letters]").is_visible()
    with container.uow.read() as tx:
        revived = tx.outbox.by_id(job_id)
    assert revived is not None and revived.state.value == "pending"
