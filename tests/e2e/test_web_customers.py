"""The customer pages in a real browser: the list and its filters, a customer's page with the engagement timeline,
a merge and its undo by an admin, a viewer without the merge form, and both pages on an empty project. Any console
error fails the test (web_support); screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.web_support import PHONE, WebServer, project_url, screenshot, sign_in
from tests.support.customer_shop import CustomerShop, build_customer_shop
from trackbridge.services import projects as project_service

pytestmark = pytest.mark.e2e


@pytest.fixture
def shop(web_server: WebServer) -> CustomerShop:
    return build_customer_shop(web_server.container, web_server.project)


def rows(page: Any) -> list[str]:
    return page.locator("[data-testid=customer-table] tbody tr td:first-child a").all_inner_texts()


def test_the_list_filters_by_tag_search_and_orders(web_server: WebServer, web_page: Any, shop: CustomerShop) -> None:
    web_page.goto(project_url(web_server, "customers"))
    assert rows(web_page) == ["carl@example.com", "bob@example.com", "ann@example.com"]
    screenshot(web_page, "customers-list")

    web_page.select_option("select[name=tag]", "b2b")
    with web_page.expect_navigation():
        web_page.click("[data-testid=customer-filters] button[type=submit]")
    assert rows(web_page) == ["bob@example.com"]
    assert "tag=b2b" in web_page.url

    web_page.goto(project_url(web_server, "customers"))
    web_page.fill("input[name=q]", "archer")
    web_page.select_option("select[name=ordered]", "yes")
    with web_page.expect_navigation():
        web_page.click("[data-testid=customer-filters] button[type=submit]")
    assert rows(web_page) == ["ann@example.com"]


def test_a_customer_page_shows_the_engagement_timeline(
    web_server: WebServer, web_page: Any, new_page: Any, shop: CustomerShop
) -> None:
    web_page.goto(project_url(web_server, "customers"))
    with web_page.expect_navigation():
        web_page.click("text=ann@example.com")
    assert web_page.locator("[data-testid=customer-name]").inner_text() == "Ann Archer"
    assert web_page.locator("[data-testid=timeline-visit]").count() == 2
    assert "vip" in web_page.locator("[data-testid=customer-tags]").inner_text()
    order = web_page.locator("[data-testid=timeline-order]").inner_text()
    assert "O-100" in order and "pending" in order and "paid" in order
    assert "form submission" in web_page.locator("[data-testid=timeline-link]").inner_text()
    web_page.locator("[data-testid=timeline-visit] summary").last.click()
    assert "Product view" in web_page.locator("[data-testid=timeline-visit]").last.inner_text()
    assert "Green widget" in web_page.locator("[data-testid=customer-products-bought]").inner_text()
    assert "Windows" in web_page.locator("[data-testid=customer-devices]").inner_text()
    screenshot(web_page, "customer-page")

    phone = new_page(viewport=PHONE)
    sign_in(phone, web_server.url, web_server.admin_email, web_server.admin_password)
    phone.goto(project_url(web_server, "customers", str(shop.ann)))
    assert phone.locator("[data-testid=customer-name]").is_visible()
    screenshot(phone, "customer-page-phone")


def test_an_admin_merges_two_customers_and_undoes_it(web_server: WebServer, web_page: Any, shop: CustomerShop) -> None:
    web_page.on("dialog", lambda dialog: dialog.accept())
    web_page.goto(project_url(web_server, "customers", str(shop.ann)))
    web_page.fill("[data-testid=merge-form] input[name=other]", "bob@example.com")
    with web_page.expect_navigation():
        web_page.click("[data-testid=merge-form] button[type=submit]")
    assert "merged" in web_page.locator("[data-testid=customer-done]").inner_text()
    assert web_page.locator("[data-testid=timeline-visit]").count() == 3  # Bob's visit joined Ann's
    assert "b2b" in web_page.locator("[data-testid=customer-tags]").inner_text()
    screenshot(web_page, "customer-merged")

    with web_page.expect_navigation():
        web_page.click("[data-testid^=undo-merge-]")
    assert "undone" in web_page.locator("[data-testid=customer-done]").inner_text()
    assert web_page.locator("[data-testid=timeline-visit]").count() == 2
    web_page.goto(project_url(web_server, "customers"))
    assert rows(web_page) == ["carl@example.com", "bob@example.com", "ann@example.com"]


def test_a_viewer_reads_a_customer_page_without_the_merge_form(
    web_server: WebServer, viewer_page: Any, shop: CustomerShop
) -> None:
    viewer_page.goto(project_url(web_server, "customers", str(shop.ann)))
    assert viewer_page.locator("[data-testid=customer-name]").inner_text() == "Ann Archer"
    assert viewer_page.locator("[data-testid=merge-form]").count() == 0


def test_the_customer_pages_render_for_an_empty_project(web_server: WebServer, web_page: Any) -> None:
    project_service.create_project(web_server.container.uow, web_server.container.box, "empty shop")
    web_page.goto(project_url(web_server, "customers", project="empty shop"))
    assert "No customers yet" in web_page.locator(".empty").inner_text()
    assert web_page.locator("[data-testid=customer-total]").inner_text().startswith("0")
    screenshot(web_page, "customers-empty")
