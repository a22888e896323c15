"""The web UI's pages over HTTP (no browser): sign-in, CSRF, roles, error pages, the dashboard's figures, static files."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.responses import Response

from tests.integration.identity_support import event
from tests.integration.report_support import build_shop, ms, order, send
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.domain.users import Role
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web.pages import AdminPost, page_router, redirect_to
from trackbridge.entrypoints.worker import drain
from trackbridge.services import projects as project_service
from trackbridge.services import users as user_service

PASSWORD = "a long enough password"


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next_path: str = "/") -> Any:
    form = client.get("/sign-in")
    token = re.search(r'name="signin_token" value="([^"]+)"', form.text)
    assert token is not None, form.text
    data = {"email": email, "password": password, "signin_token": token.group(1), "next": next_path}
    return client.post("/sign-in", data=data, follow_redirects=False)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


@pytest.fixture
def admin(container: Container) -> str:
    user_service.create_user(container.uow, container.passwords, "boss@example.com", password=PASSWORD)
    return "boss@example.com"


def test_root_sends_a_stranger_to_sign_in_and_a_user_to_the_first_project(
    client: TestClient, container: Container, admin: str
) -> None:
    project_service.create_project(container.uow, container.box, "zeta shop")
    project_service.create_project(container.uow, container.box, "alpha shop")
    assert client.get("/", follow_redirects=False).headers["location"] == "/sign-in"
    answer = sign_in(client, admin)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "tb_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/", follow_redirects=False).headers["location"] == "/p/alpha%20shop/"


def test_sign_in_refuses_a_wrong_password_and_a_form_from_elsewhere(client: TestClient, admin: str) -> None:
    refused = sign_in(client, admin, "wrong password!")
    assert refused.status_code == 401 and "wrong e-mail or password" in refused.text
    assert "tb_session" not in client.cookies
    forged = client.post("/sign-in", data={"email": admin, "password": PASSWORD, "signin_token": "forged"})
    assert forged.status_code == 403 and "The form expired" in forged.text
    assert "tb_session" not in client.cookies


def test_sign_in_follows_only_paths_on_this_server(client: TestClient, container: Container, admin: str) -> None:
    project_service.create_project(container.uow, container.box, "shop")
    assert sign_in(client, admin, next_path="https://evil.example/").headers["location"] == "/"
    client.cookies.clear()
    assert sign_in(client, admin, next_path="//evil.example/x").headers["location"] == "/"
    client.cookies.clear()
    assert (
        sign_in(client, admin, next_path="/p/shop/?from=2026-01-01").headers["location"] == "/p/shop/?from=2026-01-01"
    )


def test_a_post_without_the_sessions_csrf_token_is_refused(
    client: TestClient, container: Container, admin: str
) -> None:
    project_service.create_project(container.uow, container.box, "shop")
    sign_in(client, admin)
    page = client.get("/p/shop/").text
    for data in ({}, {"csrf_token": "forged"}):
        refused = client.post("/sign-out", data=data, follow_redirects=False)
        assert refused.status_code == 403 and "The form expired" in refused.text
    assert client.get("/p/shop/").status_code == 200  # still signed in
    signed_out = client.post("/sign-out", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert signed_out.status_code == 303
    assert client.get("/p/shop/", follow_redirects=False).headers["location"] == "/sign-in?next=%2Fp%2Fshop%2F"


def _admin_action_router() -> Any:
    router = page_router()

    @router.post("/p/{project}/test-admin-action")
    async def act(request: Request, page: AdminPost) -> Response:
        return redirect_to("/done")

    return router


def test_a_viewer_sees_their_project_only_and_cannot_post_admin_forms(
    app: FastAPI, client: TestClient, container: Container, admin: str
) -> None:
    app.include_router(_admin_action_router())
    project_service.create_project(container.uow, container.box, "shop")
    project_service.create_project(container.uow, container.box, "blog")
    user_service.create_user(
        container.uow, container.passwords, "eve@example.com", password=PASSWORD, role=Role.VIEWER, project_name="shop"
    )
    sign_in(client, "eve@example.com")
    page = client.get("/p/shop/")
    assert page.status_code == 200 and "blog" not in page.text
    hidden = client.get("/p/blog/")
    assert hidden.status_code == 404 and "There is no project named “blog” that you may see." in hidden.text
    refused = client.post("/p/shop/test-admin-action", data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403 and "Only an admin" in refused.text
    client.cookies.clear()
    sign_in(client, admin)
    page = client.get("/p/shop/").text
    done = client.post("/p/shop/test-admin-action", data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert done.headers["location"] == "/done"


def test_the_project_switcher_keeps_the_section(client: TestClient, container: Container, admin: str) -> None:
    project_service.create_project(container.uow, container.box, "shop")
    project_service.create_project(container.uow, container.box, "blog")
    sign_in(client, admin)
    page = client.get("/p/shop/").text
    assert 'id="project-switcher"' in page
    moved = client.get("/switch", params={"project": "blog", "section": "customers"}, follow_redirects=False)
    assert moved.headers["location"] == "/p/blog/customers"
    assert client.get("/switch", params={"project": "nope"}).status_code == 404


def test_bad_dates_answer_a_page_that_says_why(client: TestClient, container: Container, admin: str) -> None:
    project_service.create_project(container.uow, container.box, "shop")
    sign_in(client, admin)
    backwards = client.get("/p/shop/", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 400 and "from must not be after to" in backwards.text
    assert "text/html" in backwards.headers["content-type"]
    garbled = client.get("/p/shop/", params={"from": "yesterday"})
    assert garbled.status_code == 400 and "from" in garbled.text and "text/html" in garbled.headers["content-type"]


def stat(page: str, name: str) -> str:
    found = re.search(rf'id="stat-{name}"><span class="stat-value">([^<]*)<', page)
    assert found is not None, name
    return found.group(1)


def test_an_empty_project_has_a_dashboard_of_zeros(client: TestClient, container: Container, admin: str) -> None:
    project_service.create_project(container.uow, container.box, "shop")
    sign_in(client, admin)
    page = client.get("/p/shop/").text
    assert [stat(page, n) for n in ("visits", "identified", "orders", "revenue", "paid-revenue")] == [
        "0",
        "0",
        "0",
        "0.00 USD",
        "0.00 USD",
    ]
    assert "Nothing recorded in these days yet" in page
    charts = json.loads(re.search(r'id="dashboard-data">([^<]*)<', page).group(1))  # type: ignore[union-attr]
    assert len(charts["days"]) == 30 and set(charts["visits"]) == {0}


def test_the_dashboard_shows_a_days_figures(
    client: TestClient, container: Container, seed_project: ProjectCredentials, admin: str
) -> None:
    shop = build_shop(client, container, seed_project)
    # An order not paid yet (revenue, but not paid revenue), and a visitor identified by e-mail on day D.
    order(client, "O6", "a000000000000001", shop.at(13), "40.00", status="pending")
    identify = event("a9", "identify", 0, properties={"email": "a@example.com"})
    send(client, "a000000000000001", [{**identify, "time": ms(shop.at(12) + timedelta(minutes=1))}])
    drain(container)
    sign_in(client, admin)
    day = shop.day.isoformat()
    page = client.get("/p/seed%20shop/", params={"from": day, "to": day}).text
    assert (stat(page, "visits"), stat(page, "identified"), stat(page, "orders")) == ("7", "1", "5")
    assert (stat(page, "revenue"), stat(page, "paid-revenue")) == ("220.00 EUR", "180.00 EUR")
    charts = json.loads(re.search(r'id="dashboard-data">([^<]*)<', page).group(1))  # type: ignore[union-attr]
    assert (charts["days"], charts["visits"], charts["revenue"], charts["paidRevenue"]) == (
        [day],
        [7],
        ["220.00"],
        ["180.00"],
    )
    sources = re.findall(r"<tr>\s*<td>([^<]*)</td>", page)
    assert sources[:2] == ["google", "blog.example"]
    # The same customer identified again the next day, on another device: once in a two-day total, once each day.
    again = event("b9", "identify", 0, properties={"email": "a@example.com"})
    send(client, "b000000000000002", [{**again, "time": ms(shop.at(12, 1))}])
    drain(container)
    next_day = (shop.day + timedelta(days=1)).isoformat()
    both = client.get("/p/seed%20shop/", params={"from": day, "to": next_day}).text
    assert stat(both, "identified") == "1"
    both_charts = json.loads(re.search(r'id="dashboard-data">([^<]*)<', both).group(1))  # type: ignore[union-attr]
    assert both_charts["identified"] == [1, 1]
    the_day_before = (shop.day - timedelta(days=1)).isoformat()
    earlier = client.get("/p/seed%20shop/", params={"from": the_day_before, "to": the_day_before}).text
    assert stat(earlier, "visits") == "0"


def test_plotly_is_served_from_the_installed_wheel_gzipped(client: TestClient) -> None:
    answer = client.get("/ui/static/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers["content-encoding"] == "gzip"
    assert answer.content.startswith(b"/**") or b"plotly" in answer.content[:2000]
    raw = client.get("/ui/static/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers and len(raw.content) > 1_000_000
    assert not raw.content.startswith(b"\x1f\x8b")  # plain JavaScript, not gzip
    assert client.get("/ui/static/app.css").headers["content-type"].startswith("text/css")
    assert client.get("/ui/static/../pages.py").status_code == 404
    assert client.get("/ui/static/nothing.css").status_code == 404
