"""The report pages through HTTP, signed in: each report's table with the shop's numbers, filters and attribution
models, the CSV export byte for byte the reports API's, and every page on an empty project.

The shop's day is tests/integration/report_support.py's (google / cpc / spring buys O1 for 120.00 EUR, refund 20.50).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.integration.report_support import AUTH, Shop, build_shop
from tests.support.web_sessions import WebClient, web_client
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web.templating import project_path
from trackbridge.services import projects as project_service

REPORTS = ("order-sources", "goals", "pages", "products", "devices", "geo")


@pytest.fixture
def shop(client: TestClient, container: Container, seed_project: ProjectCredentials) -> Shop:
    return build_shop(client, container, seed_project)


@pytest.fixture
def admin(app: FastAPI, container: Container) -> WebClient:
    return web_client(app, container, "admin@example.com")


def day(shop: Shop) -> dict[str, str]:
    return {"from": shop.day.isoformat(), "to": shop.day.isoformat()}


def page(admin: WebClient, report: str, **query: Any) -> str:
    answer = admin.client.get(project_path("seed shop", "reports", report, **query))
    assert answer.status_code == 200, answer.text
    return answer.text


def test_order_sources_shows_the_reports_numbers_under_one_model_or_several(admin: WebClient, shop: Shop) -> None:
    html = page(admin, "order-sources", **day(shop))
    row = html[html.index("<td>google</td>") :].split("</tr>")[0]
    for shown in ("4", "2", "1", "120.00 EUR", "20.50 EUR", "99.50 EUR", "29.50 EUR", "50.00 %"):
        assert f">{shown}</td>" in row
    assert '<option value="last_non_direct" selected>' in html
    assert 'data-testid="report-chart"' in html and "plotly.min.js" in html
    compared = page(admin, "order-sources", model="last", compare=["first"], **day(shop))
    assert "Last visit: Revenue" in compared and "First visit: Revenue" in compared
    assert '<option value="last" selected>' in compared
    assert "models=last%2Cfirst" in compared  # the CSV link asks the API's way


def test_filters_narrow_every_report(admin: WebClient, shop: Shop) -> None:
    google = page(admin, "order-sources", source="google", **day(shop))
    assert "<td>google</td>" in google and "blog.example" not in google.split('data-testid="report-table"')[1]
    assert '<option value="google" selected>' in google
    phones = page(admin, "devices", device="smartphone", **day(shop))
    table = phones.split('data-testid="report-table"')[1]
    assert "<td>smartphone</td>" in table and "<td>desktop</td>" not in table
    by_os = page(admin, "devices", dimension="os", **day(shop))
    assert "<td>iOS</td>" in by_os and "<td>Windows</td>" in by_os


@pytest.mark.parametrize(
    ("report", "params"),
    [
        ("order-sources", {}),
        ("order-sources", {"models": "last_non_direct,last,first", "dimension": "channel"}),
        ("order-sources", {"model": "linear", "source": "google"}),
        ("goals", {}),
        ("goals", {"by": "source"}),
        ("pages", {}),
        ("products", {"limit": "5"}),
        ("devices", {"dimension": "browser"}),
        ("geo", {"dimension": "city", "device": "desktop"}),
    ],
)
def test_the_csv_export_is_the_reports_api_csv(
    admin: WebClient, client: TestClient, shop: Shop, report: str, params: dict[str, str]
) -> None:
    query = {**day(shop), **params}
    exported = admin.client.get(project_path("seed shop", "reports", f"{report}.csv", **query))
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    api = client.get(f"/api/v1/reports/{report}", params={**query, "format": "csv"}, headers=AUTH)
    assert api.status_code == 200, api.text
    assert exported.text == api.text
    assert exported.headers["content-disposition"] == api.headers["content-disposition"]
    assert len(exported.text.splitlines()) > 1


def test_every_report_page_renders_for_an_empty_project(admin: WebClient, container: Container) -> None:
    project_service.create_project(container.uow, container.box, "empty shop")
    index = admin.client.get(project_path("empty shop", "reports"))
    assert index.status_code == 200
    for report in REPORTS:
        answer = admin.client.get(project_path("empty shop", "reports", report))
        assert answer.status_code == 200, (report, answer.text)
        assert 'data-testid="report-empty"' in answer.text
        assert 'data-testid="report-chart"' not in answer.text
        csv = admin.client.get(project_path("empty shop", "reports", f"{report}.csv"))
        assert csv.status_code == 200 and csv.text.count("\r\n") == 1  # the header only


def test_mistakes_are_html_pages(admin: WebClient, container: Container, seed_project: ProjectCredentials) -> None:
    unknown = admin.client.get(project_path("seed shop", "reports", "nonsense"))
    assert unknown.status_code == 404 and "text/html" in unknown.headers["content-type"]
    bad = admin.client.get(project_path("seed shop", "reports", "devices", dimension="planet"))
    assert bad.status_code == 400 and "dimension" in bad.text
    backwards = admin.client.get(
        project_path("seed shop", "reports", "goals", **{"from": "2026-02-01", "to": "2026-01-01"})
    )
    assert backwards.status_code == 400
    model = admin.client.get(project_path("seed shop", "reports", "order-sources", model="best"))
    assert model.status_code == 400 and "unknown model" in model.text
