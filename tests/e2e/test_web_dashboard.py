"""The dashboard in a real browser: an empty project, a shop's day of data, the date range picker, a phone's screen."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.web_support import PHONE, WebServer, project_url, screenshot, sign_in
from tests.integration.report_support import build_shop
from trackbridge.domain.projects import ProjectCredentials


def _charts_drawn(page: Any) -> int:
    page.wait_for_selector("#chart-revenue .main-svg")
    return int(page.locator(".chart .main-svg").count())


def test_an_empty_project_shows_zeros_and_how_to_start(web_server: WebServer, web_page: Any) -> None:
    web_page.goto(project_url(web_server))
    assert web_page.locator("#stat-visits .stat-value").inner_text() == "0"
    assert "Nothing recorded in these days yet" in web_page.locator("main").inner_text()
    assert _charts_drawn(web_page) >= 3
    screenshot(web_page, "dashboard-empty")


def test_a_shops_day_is_on_the_dashboard_and_the_range_picker_changes_it(
    web_server: WebServer, web_page: Any, client: TestClient, seed_project: ProjectCredentials
) -> None:
    shop = build_shop(client, web_server.container, seed_project)
    day = shop.day.isoformat()
    web_page.goto(project_url(web_server, project="seed shop"))  # the last 30 days
    assert web_page.locator("#stat-visits .stat-value").inner_text() == "7"
    assert web_page.locator("#stat-revenue .stat-value").inner_text() == "180.00 EUR"
    assert web_page.locator("#top-sources tbody tr").first.locator("td").first.inner_text() == "google"
    assert _charts_drawn(web_page) >= 3
    screenshot(web_page, "dashboard")

    web_page.fill("input[name=from]", day)
    web_page.fill("input[name=to]", day)
    with web_page.expect_navigation():
        web_page.click("form.range button[type=submit]")
    assert f"from={day}&to={day}" in web_page.url
    assert web_page.locator("#stat-visits .stat-value").inner_text() == "7"

    with web_page.expect_navigation():
        web_page.click(".presets a:text-is('Today')")
    assert web_page.locator(".presets a.active").inner_text() == "Today"
    assert web_page.locator("#stat-visits .stat-value").inner_text() == "0"


def test_the_dashboard_reads_on_a_phone(
    web_server: WebServer, new_page: Any, client: TestClient, seed_project: ProjectCredentials
) -> None:
    build_shop(client, web_server.container, seed_project)
    page = new_page(viewport=PHONE)
    sign_in(page, web_server.url, web_server.admin_email, web_server.admin_password)
    page.goto(project_url(web_server, project="seed shop"))
    _charts_drawn(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    assert page.locator(".mainnav a").count() == 5
    screenshot(page, "dashboard-phone")


def test_the_project_switcher_opens_the_other_project(
    web_server: WebServer, web_page: Any, seed_project: ProjectCredentials
) -> None:
    web_page.goto(project_url(web_server))
    with web_page.expect_navigation():
        web_page.select_option("#project-switcher", "seed shop")
    assert web_page.url == project_url(web_server, project="seed shop")
