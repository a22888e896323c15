"""GET /tracker.js?token=...: the script configured for the project, cacheable, and a readable refusal otherwise."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from tests.support.signing import SEED_TOKEN
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.http.tracker_js import CONFIG_PLACEHOLDER, load_template, render

CONFIG_LINE = re.compile(r"\}\)\(window, document, (\{.*\})\);\s*$")


def _config(script: str) -> dict[str, object]:
    match = CONFIG_LINE.search(script)
    assert match, script[-200:]
    parsed: dict[str, object] = json.loads(match.group(1))
    return parsed


def test_tracker_js_is_javascript_configured_with_token_base_url_and_site_id(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    answer = client.get(f"/tracker.js?token={SEED_TOKEN}")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/javascript")
    assert answer.headers["cache-control"] == "public, max-age=300"
    assert re.fullmatch(r'"[0-9a-f]{32}"', answer.headers["etag"])
    assert CONFIG_PLACEHOLDER not in answer.text
    assert _config(answer.text) == {
        "token": SEED_TOKEN,
        "base": "http://testserver",
        "siteId": seed_project.project.site_id,
    }
    for name in ("identify", "customerDetails", "viewPage", "viewArticle", "viewCategory", "viewProduct", "search",
                 "addToCart", "removeFromCart", "setCart", "checkout", "applyTags", "customEvent", "integrateForm"):  # fmt: skip
        assert f"    {name}: function" in answer.text


def test_tracker_js_answers_304_when_the_browser_holds_the_current_copy(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    etag = client.get(f"/tracker.js?token={SEED_TOKEN}").headers["etag"]

    again = client.get(f"/tracker.js?token={SEED_TOKEN}", headers={"If-None-Match": etag})
    stale = client.get(f"/tracker.js?token={SEED_TOKEN}", headers={"If-None-Match": '"0000"'})

    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert stale.status_code == 200


def test_tracker_js_for_an_unknown_token_is_a_404_javascript_comment(
    client: TestClient, seed_project: ProjectCredentials
) -> None:
    answer = client.get("/tracker.js?token=no-such-token")

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/javascript")
    assert answer.headers["cache-control"] == "no-store"
    assert answer.text.startswith("/* trackbridge: no project has this token")
    assert answer.text.rstrip().endswith("*/")


def test_tracker_js_without_a_token_is_a_400_javascript_comment(client: TestClient) -> None:
    answer = client.get("/tracker.js")

    assert answer.status_code == 400
    assert "needs ?token=" in answer.text and answer.text.startswith("/*")


def test_rendered_configuration_cannot_close_a_script_element() -> None:
    script = render(load_template(), token="a</script>b", base_url="http://shop.example/", site_id=3)

    assert "</script>" not in script
    assert _config(script) == {"token": "a</script>b", "base": "http://shop.example", "siteId": 3}
