"""The report pages in a real browser: every report with the shop's day (tests/integration/report_support.py) and on an
empty project, a filter and the attribution model changed, models side by side, and a CSV export compared with the
reports API's answer. Any console error fails the test (web_support); screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.e2e.web_support import PHONE, WebServer, project_url, screenshot, sign_in
from tests.integration.report_support import AUTH, Shop, build_shop
from trackbridge.domain.projects import ProjectCredentials

pytestmark = pytest.mark.e2e

REPORTS = ("order-sources", "goals", "pages", "products", "devices", "geo")
SEED = "seed shop"


@pytest.fixture
def shop(client: TestClient, web_server: WebServer, seed_project: ProjectCredentials) -> Shop:
    return build_shop(client, web_server.container, seed_project)


def report_url(server: WebServer, report: str, shop: Shop | None, project: str = SEED) -> str:
    url = project_url(server, "reports", report, project=project)
    return url if shop is None else f"{url}?from={shop.day.isoformat()}&to={shop.day.isoformat()}"


def head(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("[data-testid=report-table] thead th").all_text_contents()]


def test_every_report_shows_a_table_and_a_chart(
    web_server: WebServer, web_page: Any, new_page: Any, shop: Shop
) -> None:
    for report in REPORTS:
        web_page.goto(report_url(web_server, report, shop))
        assert web_page.locator("[data-testid=report-table] tbody tr").count() > 0, report
        web_page.wait_for_selector("[data-testid=report-chart] .main-svg")
        screenshot(web_page, f"report-{report}")
    phone = new_page(viewport=PHONE)
    sign_in(phone, web_server.url, web_server.admin_email, web_server.admin_password)
    phone.goto(report_url(web_server, "order-sources", shop))
    phone.wait_for_selector("[data-testid=report-chart] .main-svg")
    assert phone.locator("[data-testid=csv-export]").is_visible()
    screenshot(phone, "report-order-sources-phone")


def test_a_filter_and_the_attribution_model_change_the_order_sources(
    web_server: WebServer, web_page: Any, shop: Shop
) -> None:
    web_page.goto(report_url(web_server, "order-sources", shop))
    sources = web_page.locator("[data-testid=report-table] tbody td:first-child").all_inner_texts()
    assert "google" in sources and "blog.example" in sources

    with web_page.expect_navigation():
        web_page.select_option("select[name=source]", "google")  # a filter applies as soon as it changes
    assert "source=google" in web_page.url
    assert web_page.locator("[data-testid=report-table] tbody td:first-child").all_inner_texts() == ["google"]

    with web_page.expect_navigation():
        web_page.select_option("[data-testid=attribution-model]", "first")
    assert "model=first" in web_page.url and "source=google" in web_page.url
    assert web_page.locator("[data-testid=attribution-model]").input_value() == "first"

    web_page.check("[data-testid=compare-models] input[value=last]")
    web_page.check("[data-testid=compare-models] input[value=linear]")
    with web_page.expect_navigation():
        web_page.click("[data-testid=report-filters] button[type=submit]")
    columns = head(web_page)
    assert "First visit: Revenue" in columns and "Last visit: Revenue" in columns and "Linear: Revenue" in columns
    screenshot(web_page, "report-order-sources-models")


def test_the_csv_export_has_the_reports_api_numbers(
    web_server: WebServer, web_page: Any, shop: Shop, tmp_path: Path
) -> None:
    web_page.goto(report_url(web_server, "order-sources", shop))
    with web_page.expect_navigation():
        web_page.select_option("[data-testid=attribution-model]", "last")
    web_page.check("[data-testid=compare-models] input[value=first]")
    with web_page.expect_navigation():
        web_page.click("[data-testid=report-filters] button[type=submit]")
    with web_page.expect_download() as started:
        web_page.click("[data-testid=csv-export]")
    download = started.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    exported = saved.read_bytes().decode("utf-8")

    query = {"from": shop.day.isoformat(), "to": shop.day.isoformat(), "models": "last,first", "format": "csv"}
    api = httpx.get(f"{web_server.url}/api/v1/reports/order-sources", params=query, headers=AUTH)
    assert api.status_code == 200, api.text
    assert exported == api.text
    lines = list(csv.DictReader(io.StringIO(exported)))
    [google] = [line for line in lines if line["source"] == "google" and line["currency"] == "EUR"]
    assert google["first.revenue"] == "120.00"


def test_every_report_renders_for_an_empty_project(web_server: WebServer, web_page: Any) -> None:
    web_page.goto(project_url(web_server, "reports"))
    assert web_page.locator("[data-testid=report-index] a").count() == len(REPORTS)
    for report in REPORTS:
        web_page.goto(report_url(web_server, report, None, project="shop"))
        assert web_page.locator("[data-testid=report-empty]").is_visible(), report
    screenshot(web_page, "report-empty")
