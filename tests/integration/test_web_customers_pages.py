"""The customer pages through HTTP, signed in: the list's search and filters, a customer's page, merges and their undo
(admins only, with the CSRF token), and both pages on an empty project."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from tests.support.customer_shop import CustomerShop, build_customer_shop
from tests.support.web_sessions import WebClient, web_client
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.domain.users import Role
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web.templating import project_path
from trackbridge.services import customer_directory as directory
from trackbridge.services import projects as project_service
from trackbridge.services.customer_directory_ports import CustomerQuery


@pytest.fixture
def shop(container: Container, seed_project: ProjectCredentials) -> CustomerShop:
    return build_customer_shop(container, seed_project.project)


@pytest.fixture
def admin(app: FastAPI, container: Container) -> WebClient:
    return web_client(app, container, "admin@example.com")


def listed(admin: WebClient, project: str, **query: str) -> list[str]:
    answer = admin.client.get(project_path(project, "customers", **query))
    assert answer.status_code == 200, answer.text
    return re.findall(r">([a-z]+@example\.com)</a>", answer.text)


def test_the_list_searches_and_filters_by_tag_source_lead_source_and_orders(
    admin: WebClient, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    name = seed_project.project.name
    assert listed(admin, name) == ["carl@example.com", "bob@example.com", "ann@example.com"]
    assert listed(admin, name, q="archer") == ["ann@example.com"]
    assert listed(admin, name, tag="b2b") == ["bob@example.com"]
    assert listed(admin, name, source="google") == ["bob@example.com"]
    assert listed(admin, name, lead_source="newsletter") == ["ann@example.com"]
    assert listed(admin, name, ordered="yes") == ["carl@example.com", "ann@example.com"]
    assert listed(admin, name, ordered="no", q="bob") == ["bob@example.com"]
    nothing = admin.client.get(project_path(name, "customers", tag="vip", source="google"))
    assert "No customer matches these filters." in nothing.text
    page = admin.client.get(project_path(name, "customers", tag="b2b")).text
    assert '<option value="b2b" selected>' in page and '<option value="wholesale" >' in page


def test_the_customer_page_shows_the_timeline_devices_sources_and_products(
    admin: WebClient, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    answer = admin.client.get(project_path(seed_project.project.name, "customers", shop.ann))
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert 'data-testid="customer-name">Ann Archer<' in html
    assert html.count('data-testid="timeline-visit"') == 2
    assert "Order O-100" in html and "120.00 EUR" in html
    history = html[html.index('data-testid="status-history"') :]
    assert history.index("pending") < history.index("paid")
    assert "Identified</strong> by form submission" in html and "a1a1a1a1a1a1a1a1" in html
    assert "newsletter / email / spring</summary>" in html
    assert "Windows" in html and "Chrome" in html
    assert html.count("Green widget") >= 2  # viewed and bought
    assert 'data-testid="merge-form"' in html  # an admin may merge


def test_every_customer_page_renders_for_an_empty_project(admin: WebClient, container: Container) -> None:
    project_service.create_project(container.uow, container.box, "empty shop")
    listing = admin.client.get(project_path("empty shop", "customers"))
    assert listing.status_code == 200 and "No customers yet." in listing.text
    missing = admin.client.get(project_path("empty shop", "customers", 1))
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


def test_an_admin_merges_by_e_mail_and_undoes_the_merge(
    admin: WebClient, container: Container, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    project = seed_project.project
    merge = project_path(project.name, "customers", shop.ann, "merge")
    answer = admin.client.post(merge, data={"other": "bob@example.com", "csrf_token": admin.csrf})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(project_path(project.name, "customers", shop.ann) + "?done=")
    assert listed(admin, project.name) == ["carl@example.com", "ann@example.com"]
    kept = admin.client.get(answer.headers["location"]).text
    assert "Done: merged" in kept and "by user admin@example.com" in kept
    [merge_id] = re.findall(r'data-testid="undo-merge-(\d+)"', kept)
    bob_page = admin.client.get(project_path(project.name, "customers", shop.bob)).text
    assert 'data-testid="merged-into"' in bob_page

    again = admin.client.post(merge, data={"other": str(shop.bob), "csrf_token": admin.csrf})
    assert again.status_code == 303 and "error=" in again.headers["location"]
    assert "merged already" in admin.client.get(again.headers["location"]).text

    undo = project_path(project.name, "customers", shop.ann, "merges", merge_id, "undo")
    assert admin.client.post(undo, data={"csrf_token": admin.csrf}).status_code == 303
    assert listed(admin, project.name) == ["carl@example.com", "bob@example.com", "ann@example.com"]
    assert "undone" in admin.client.get(project_path(project.name, "customers", shop.ann)).text


def test_a_viewer_sees_customers_but_may_not_merge_and_a_form_needs_its_csrf_token(
    app: FastAPI, admin: WebClient, container: Container, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    project = seed_project.project
    viewer = web_client(app, container, "viewer@example.com", role=Role.VIEWER, project=project.name)
    page = viewer.client.get(project_path(project.name, "customers", shop.ann))
    assert page.status_code == 200 and 'data-testid="merge-form"' not in page.text
    merge = project_path(project.name, "customers", shop.ann, "merge")
    refused = viewer.client.post(merge, data={"other": "bob@example.com", "csrf_token": viewer.csrf})
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    forged = admin.client.post(merge, data={"other": "bob@example.com"})
    assert forged.status_code == 403
    everyone = directory.list_customers(container.uow, project, CustomerQuery())
    assert everyone.total == 3  # nothing was merged


def test_a_signed_out_browser_is_sent_to_the_sign_in_form(
    app: FastAPI, seed_project: ProjectCredentials, shop: CustomerShop
) -> None:
    from fastapi.testclient import TestClient

    stranger = TestClient(app, follow_redirects=False)
    answer = stranger.get(project_path(seed_project.project.name, "customers", shop.ann))
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in?next=")
