"""The uploads pages: an admin sends a CRM file, follows its progress, and reads the result line by line."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient

from tests.integration.web_signing import sign_in_as
from trackbridge.domain.users import Role
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import projects as project_service

CUSTOMERS = (
    b"uniq_id,name,emails\n"
    b"c-1,Anna Petrova,anna@example.com\n"
    b",Nobody,nobody@example.com\n"
    b"c-3,Ben Okafor,ben@example.com\n"
)


def _wait_until_done(client: TestClient, state_url: str) -> dict[str, object]:
    for _ in range(400):
        state: dict[str, object] = client.get(state_url).json()
        if not state["running"]:
            return state
        time.sleep(0.05)
    raise AssertionError("the upload never finished")


def test_an_admin_uploads_customers_and_sees_each_rejected_line(client: TestClient, container: Container) -> None:
    project_service.create_project(container.uow, container.box, "shop")
    csrf = sign_in_as(client, container, "admin@example.com")
    assert 'enctype="multipart/form-data"' in client.get("/p/shop/uploads").text

    sent = client.post(
        "/p/shop/uploads",
        data={"csrf_token": csrf, "kind": "customers", "merge": "UPDATE"},
        files={"file": ("crm.csv", CUSTOMERS, "text/csv")},
        follow_redirects=False,
    )

    assert sent.status_code == 303, sent.text
    page_url = sent.headers["location"]
    assert re.fullmatch(r"/p/shop/uploads/\d+", page_url)
    state = _wait_until_done(client, page_url + ".json")
    assert (state["status"], state["rowsRead"], state["rowsStored"], state["rowsRejected"]) == ("done", 3, 2, 1)
    assert state["rejected"] == [{"line": 3, "reason": state["rejected"][0]["reason"]}]  # type: ignore[index]
    page = client.get(page_url).text
    assert "crm.csv" in page and "uniq_id" in page and '<td class="num">3</td>' in page
    listed = client.get("/p/shop/uploads").text
    assert "crm.csv" in listed and page_url in listed


def test_an_upload_without_a_file_or_with_a_bad_mapping_is_answered_on_the_form(
    client: TestClient, container: Container
) -> None:
    project_service.create_project(container.uow, container.box, "shop")
    csrf = sign_in_as(client, container, "admin@example.com")

    no_file = client.post("/p/shop/uploads", data={"csrf_token": csrf, "kind": "orders"}, files={"x": ("", b"")})
    bad_mapping = client.post(
        "/p/shop/uploads",
        data={"csrf_token": csrf, "kind": "customers", "columns": "{not json"},
        files={"file": ("crm.csv", CUSTOMERS, "text/csv")},
    )

    assert no_file.status_code == 400 and "Choose a file" in no_file.text
    assert bad_mapping.status_code == 400 and "upload-problem" in bad_mapping.text
    assert "no-uploads" in client.get("/p/shop/uploads").text


def test_uploads_are_refused_without_the_csrf_token_and_to_viewers(client: TestClient, container: Container) -> None:
    project_service.create_project(container.uow, container.box, "shop")
    sign_in_as(client, container, "admin@example.com")
    forged = client.post(
        "/p/shop/uploads", data={"kind": "customers"}, files={"file": ("crm.csv", CUSTOMERS, "text/csv")}
    )
    viewer_csrf = sign_in_as(client, container, "viewer@example.com", role=Role.VIEWER, project="shop")
    page = client.get("/p/shop/uploads")
    by_viewer = client.post(
        "/p/shop/uploads",
        data={"csrf_token": viewer_csrf, "kind": "customers"},
        files={"file": ("crm.csv", CUSTOMERS, "text/csv")},
    )

    assert forged.status_code == 403
    assert page.status_code == 200 and "Only an admin" in page.text and "upload-form" not in page.text
    assert by_viewer.status_code == 403
    assert "no-uploads" in client.get("/p/shop/uploads").text
