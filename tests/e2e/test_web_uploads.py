"""The uploads pages in a real browser: send a CRM file, watch it being stored, read the result line by line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.web_support import WebServer, project_url, screenshot

CUSTOMERS = (
    "uniq_id,name,emails\n"
    "c-1,Anna Petrova,anna@example.com\n"
    ",Nobody,nobody@example.com\n"
    "c-3,Ben Okafor,ben@example.com\n"
    "c-4,Carla Gómez,not-an-email\n"
)


def test_an_admin_uploads_customers_and_sees_the_result_per_line(
    web_server: WebServer, web_page: Any, tmp_path: Path
) -> None:
    file = tmp_path / "crm-customers.csv"
    file.write_text(CUSTOMERS, encoding="utf-8")
    web_page.goto(project_url(web_server, "uploads"))
    assert web_page.locator("[data-testid=no-uploads]").is_visible()
    web_page.select_option("#upload-kind", "customers")
    web_page.set_input_files("#upload-file", str(file))
    screenshot(web_page, "uploads-form")

    with web_page.expect_navigation():
        web_page.click("#upload-submit")
    web_page.wait_for_selector("[data-testid=rejected-lines]")  # the page polls, then shows the result when done

    assert web_page.locator("[data-testid=upload-status]").inner_text() == "done"
    assert web_page.locator("[data-count=rowsRead]").inner_text() == "4"
    rows = web_page.locator("[data-testid=rejected-lines] tbody tr")
    lines = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert "3" in lines
    assert "uniq_id" in rows.first.inner_text()
    screenshot(web_page, "uploads-result")
    web_page.goto(project_url(web_server, "uploads"))
    assert "crm-customers.csv" in web_page.locator("[data-testid=upload-list]").inner_text()


def test_a_viewer_sees_the_uploads_page_without_the_form(web_server: WebServer, viewer_page: Any) -> None:
    viewer_page.goto(project_url(web_server, "uploads"))

    assert viewer_page.locator("h1").inner_text() == "Uploads"
    assert viewer_page.locator("[data-testid=upload-form]").count() == 0
    assert "Only an admin" in viewer_page.locator("main").inner_text()
