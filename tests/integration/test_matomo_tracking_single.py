"""/matomo.php and /piwik.php with single hits, as matomo.js and the PHP SDK send them: Matomo 5's answers."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.support.matomo import BROWSER_UA, GIF_SIZE, VISITOR, accepted_events, matomo_js, query
from tests.support.signing import SEED_API_KEY
from trackbridge.domain.credentials import Scope
from trackbridge.domain.events import EventType
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import projects as project_service

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}


def assert_gif(answer: object, status: int = 200) -> None:
    assert answer.status_code == status  # type: ignore[attr-defined]
    assert answer.headers["content-type"] == "image/gif"  # type: ignore[attr-defined]
    assert answer.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
    assert len(answer.content) == GIF_SIZE  # type: ignore[attr-defined]
    assert answer.content.startswith(b"GIF89a")  # type: ignore[attr-defined]


def test_page_view_by_get_answers_the_gif_and_is_accepted(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    answer = client.get("/matomo.php" + query(matomo_js()), headers={"User-Agent": BROWSER_UA})
    assert_gif(answer)
    (event,) = accepted_events(container)
    assert event.type is EventType.PAGE_VIEW
    assert (event.visitor_id, event.title, event.user_agent) == (VISITOR, "Widget page", BROWSER_UA)
    assert event.referrer == "https://www.google.com/search?q=widgets"
    assert (event.campaign.source, event.campaign.name) == ("google", "spring")
    assert event.properties["pageLoadTimeMs"] == 42
    assert event.ip is None  # the test client's peer is not an IP address


def test_forwarded_for_counts_only_from_a_trusted_proxy(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    container.settings.trusted_proxies = ["127.0.0.1/32"]
    with TestClient(client.app, client=("127.0.0.1", 5000)) as proxied:
        proxied.get("/matomo.php" + query(matomo_js()), headers={"X-Forwarded-For": "203.0.113.5"})
    container.settings.trusted_proxies = []
    with TestClient(client.app, client=("127.0.0.1", 5000)) as direct:
        direct.get("/matomo.php" + query(matomo_js()), headers={"X-Forwarded-For": "203.0.113.5"})
    assert [event.ip for event in accepted_events(container)] == ["203.0.113.5", "127.0.0.1"]


def test_piwik_php_is_the_same_endpoint(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    assert_gif(client.get("/piwik.php" + query(matomo_js())))
    assert len(accepted_events(container)) == 1


def test_send_image_0_answers_204_empty(client: TestClient, seed_project: ProjectCredentials) -> None:
    answer = client.get("/matomo.php" + query(matomo_js(send_image="0")))
    assert (answer.status_code, answer.content) == (204, b"")


def test_post_form_answers_with_cors_for_the_origin(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    body = urlencode(matomo_js(e_c="Video", e_a="Play", e_n="Intro", e_v="12.5", send_image="0"))
    answer = client.post("/matomo.php", content=body, headers={**FORM, "Origin": "https://shop.example.com"})
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "https://shop.example.com"
    assert answer.headers["access-control-allow-credentials"] == "true"
    (event,) = accepted_events(container)
    assert event.properties["category"] == "Video"


def test_post_without_origin_allows_any(client: TestClient, seed_project: ProjectCredentials) -> None:
    answer = client.post("/matomo.php", content=urlencode(matomo_js()), headers=FORM)
    assert_gif(answer)
    assert answer.headers["access-control-allow-origin"] == "*"


def test_query_wins_over_form_for_the_same_name(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    answer = client.post("/matomo.php?action_name=From+query", content=urlencode(matomo_js()), headers=FORM)
    assert answer.status_code == 200
    assert accepted_events(container)[0].title == "From query"


def test_preflight_is_answered(client: TestClient) -> None:
    answer = client.options(
        "/matomo.php",
        headers={"Origin": "https://shop.example.com", "Access-Control-Request-Method": "POST"},
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "https://shop.example.com"
    assert "POST" in answer.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    ("extra", "types"),
    [
        ({"e_c": "Video", "e_a": "Play"}, [EventType.MATOMO_EVENT]),
        ({"search": "red widget", "search_cat": "Gadgets", "search_count": "3"}, [EventType.SEARCH]),
        ({"link": "https://partner.example.org/"}, [EventType.OUTLINK]),
        ({"download": "https://shop.example.com/manual.pdf"}, [EventType.DOWNLOAD]),
        ({"c_n": "Banner", "c_p": "spring.png"}, [EventType.CONTENT]),
        (
            {"_pks": "SKU-1", "_pkn": "Widget", "_pkc": '["Gadgets"]', "_pkp": "19.99"},
            [EventType.PAGE_VIEW, EventType.PRODUCT_VIEW],
        ),
        ({"idgoal": "2", "revenue": "10"}, [EventType.GOAL]),
        ({"idgoal": "0", "revenue": "25", "ec_items": '[["SKU-1","Widget","",12.5,2]]'}, [EventType.SET_CART]),
        ({"ping": "1"}, [EventType.PING]),
    ],
)
def test_each_kind_of_hit_becomes_its_event(
    client: TestClient,
    container: Container,
    seed_project: ProjectCredentials,
    extra: dict[str, str],
    types: list[EventType],
) -> None:
    assert_gif(client.get("/matomo.php" + query(matomo_js(**extra))))
    assert [event.type for event in accepted_events(container)] == types


def test_plain_get_answers_the_endpoint_text(client: TestClient) -> None:
    answer = client.get("/matomo.php")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "trackbridge" in answer.text


def test_empty_post_answers_400_with_the_text(client: TestClient) -> None:
    answer = client.post("/matomo.php", content=b"", headers=FORM)
    assert answer.status_code == 400
    assert "trackbridge" in answer.text


def test_unknown_idsite_is_400_with_the_text(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    answer = client.get("/matomo.php" + query(matomo_js(idsite="99")))
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert accepted_events(container) == []


def test_missing_rec_answers_the_gif_and_records_nothing(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    params = matomo_js()
    del params["rec"]
    assert_gif(client.get("/matomo.php" + query(params)))
    assert accepted_events(container) == []


@pytest.mark.parametrize("cid", ["abc", "0123456789abcdefff", "zzzzzzzzzzzzzzzz"])
def test_cid_that_is_not_16_hex_is_400_gif(
    client: TestClient, container: Container, seed_project: ProjectCredentials, cid: str
) -> None:
    assert_gif(client.get("/matomo.php" + query(matomo_js(cid=cid))), status=400)
    assert accepted_events(container) == []


def test_refused_hit_with_send_image_0_is_400_empty(client: TestClient, seed_project: ProjectCredentials) -> None:
    answer = client.get("/matomo.php" + query(matomo_js(cid="abc", send_image="0")))
    assert (answer.status_code, answer.content) == (400, b"")


@pytest.mark.parametrize("override", [{"cip": "198.51.100.7"}, {"country": "fr"}, {"cdt": "2020-01-01 10:00:00"}])
def test_overrides_without_a_token_are_400(
    client: TestClient, container: Container, seed_project: ProjectCredentials, override: dict[str, str]
) -> None:
    assert_gif(client.get("/matomo.php" + query(matomo_js(**override))), status=400)
    assert accepted_events(container) == []


def test_wrong_or_read_only_token_does_not_authorise_cip(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    _info, read_key = project_service.create_api_key(container.uow, seed_project.project, "reader", Scope.READ)
    for token in ("tbk_wrong", read_key):
        assert client.get("/matomo.php" + query(matomo_js(cip="198.51.100.7", token_auth=token))).status_code == 400
    assert accepted_events(container) == []


def test_cip_country_and_old_cdt_with_a_write_token_are_honoured(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    params = matomo_js(
        cip="198.51.100.7",
        country="fr",
        region="IDF",
        city="Paris",
        lat="48.85",
        long="2.35",
        cdt="2026-01-05 10:00:00",
        token_auth=SEED_API_KEY,
    )
    assert_gif(client.get("/matomo.php" + query(params)))
    (event,) = accepted_events(container)
    assert event.ip == "198.51.100.7"
    assert event.location is not None and (event.location.country_code, event.location.city) == ("fr", "Paris")
    assert event.occurred_at.isoformat() == "2026-01-05T10:00:00+00:00"


def test_body_over_5_mb_is_413(client: TestClient, seed_project: ProjectCredentials) -> None:
    answer = client.post("/matomo.php", content=b"a" * (5 * 1024 * 1024 + 1), headers=FORM)
    assert answer.status_code == 413


def test_token_auth_is_not_logged(
    client: TestClient, seed_project: ProjectCredentials, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="trackbridge")
    client.get("/matomo.php" + query(matomo_js(cid="abc", token_auth=SEED_API_KEY)))
    client.get("/matomo.php" + query(matomo_js(token_auth=SEED_API_KEY)))
    assert SEED_API_KEY not in caplog.text
    assert all(SEED_API_KEY not in str(record.__dict__) for record in caplog.records)
