"""Signing in and out of the web UI in a real browser; refusals (wrong password, forged form, a viewer on an admin page)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from tests.e2e.web_support import ConsoleErrors, WebServer, project_url, screenshot, sign_in
from trackbridge.entrypoints.web.pages import AdminPage, page_router, render


def test_root_leads_a_stranger_to_the_sign_in_form(web_server: WebServer, new_page: Any) -> None:
    page = new_page()
    page.goto(web_server.url + "/")
    assert page.url == web_server.url + "/sign-in"
    assert page.locator("h1").inner_text() == "Sign in"
    screenshot(page, "sign-in")


def test_admin_signs_in_lands_on_dashboard_and_signs_out(web_server: WebServer, new_page: Any) -> None:
    page = new_page()
    sign_in(page, web_server.url, web_server.admin_email, web_server.admin_password)
    assert page.url == project_url(web_server)
    assert page.locator("h1").inner_text() == "Dashboard"
    assert web_server.admin_email in page.locator(".userbox").inner_text()
    with page.expect_navigation():
        page.click("#sign-out")
    assert page.url == web_server.url + "/sign-in"
    page.goto(project_url(web_server))
    assert page.url.startswith(web_server.url + "/sign-in")


def test_sign_in_returns_to_the_page_asked_for(web_server: WebServer, new_page: Any) -> None:
    page = new_page()
    page.goto(project_url(web_server) + "?from=2026-01-01&to=2026-01-31")
    assert "/sign-in?next=" in page.url
    page.fill("#email", web_server.viewer_email)
    page.fill("#password", web_server.viewer_password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == project_url(web_server) + "?from=2026-01-01&to=2026-01-31"


def test_wrong_password_is_refused_with_a_message(
    web_server: WebServer, new_page: Any, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 401")
    page = new_page()
    sign_in(page, web_server.url, web_server.admin_email, "not the password")
    assert page.url == web_server.url + "/sign-in"
    assert "wrong e-mail or password" in page.locator("[role=alert]").inner_text()
    assert page.context.cookies() == [c for c in page.context.cookies() if c["name"] != "tb_session"]
    screenshot(page, "sign-in-refused")


def test_a_form_without_the_csrf_token_is_refused_with_403(
    web_server: WebServer, web_page: Any, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 403")
    web_page.evaluate("document.querySelector('form[action=\"/sign-out\"] input[name=csrf_token]').value = 'forged'")
    with web_page.expect_navigation():
        web_page.click("#sign-out")
    assert web_page.locator("h1").inner_text() == "Not allowed"
    assert "The form expired" in web_page.locator("[role=alert]").inner_text()
    web_page.goto(project_url(web_server))
    assert web_page.locator("h1").inner_text() == "Dashboard"  # still signed in: the forged sign-out did nothing


def _admin_only_router() -> Any:
    router = page_router()

    @router.get("/p/{project}/test-admin-only")
    async def admin_only(request: Request, page: AdminPage) -> Response:
        return render(request, "error.html", page, title="Admin only", message="an admin page")

    return router


def test_a_viewer_cannot_open_an_admin_only_page(
    app: FastAPI, web_server: WebServer, viewer_page: Any, web_page: Any, console_errors: ConsoleErrors
) -> None:
    app.include_router(_admin_only_router())
    console_errors.allow(r"status of 403")
    viewer_page.goto(project_url(web_server, "test-admin-only"))
    assert viewer_page.locator("h1").inner_text() == "Not allowed"
    assert "Only an admin" in viewer_page.locator("[role=alert]").inner_text()
    web_page.goto(project_url(web_server, "test-admin-only"))
    assert web_page.locator("h1").inner_text() == "Admin only"


def test_the_console_collector_catches_console_errors_and_uncaught_exceptions(
    web_page: Any, console_errors: ConsoleErrors
) -> None:
    with web_page.expect_event("console"):
        web_page.evaluate("console.error('boom')")
    with web_page.expect_event("pageerror"):
        web_page.evaluate("setTimeout(function () { throw new Error('bang'); }, 0)")
    unexpected = console_errors.unexpected()
    assert any("boom" in m for m in unexpected) and any("bang" in m for m in unexpected)
    console_errors.allow("boom|bang")  # expected here: the collector would fail the test at its end otherwise
    assert console_errors.unexpected() == []


def test_a_missing_page_answers_404_in_the_layout(
    web_server: WebServer, web_page: Any, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 404")
    answer = web_page.goto(project_url(web_server, project="no such project"))
    assert answer is not None and answer.status == 404
    assert web_page.locator("h1").inner_text() == "Not found"
    assert web_page.locator(".topbar .userbox").count() == 1  # still in the signed-in layout
