"""Matomo trackers → /matomo.php → inbox → worker: the visit, its actions and the order appear (issue 3, "Done when")."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.matomo import BROWSER_UA, VISITOR, matomo_js, php_sdk_order, query
from tests.support.signing import SEED_API_KEY
from trackbridge.adapters.db.tables import orders, products
from trackbridge.adapters.db.tracking_tables import actions, sessions
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.worker import drain


def _rows(container: Container, statement: Any) -> list[dict[str, Any]]:
    with container.engine.connect() as connection:
        return [dict(row) for row in connection.execute(statement).mappings()]


def test_browsing_and_a_server_side_order_become_a_visit_with_actions_and_an_order(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    browser = {"User-Agent": BROWSER_UA}
    single = [
        matomo_js(),
        matomo_js(_pks="SKU-1", _pkn="Widget", _pkc='["Gadgets"]', _pkp="19.99", pv_id="def456"),
        matomo_js(e_c="Video", e_a="Play", e_n="Intro", e_v="12.5", ca="1"),
    ]
    for params in single:
        assert client.get("/matomo.php" + query(params), headers=browser).status_code == 200
    bulk = {
        "requests": [
            query(matomo_js(search="red widget", search_count="3")),
            {**matomo_js(link="https://partner.example.org/"), "idsite": 1},
            query(matomo_js(idgoal="0", revenue="39.98", ec_items='[["SKU-1","Widget","Gadgets",19.99,2]]')),
        ],
        "token_auth": SEED_API_KEY,
    }
    answer = client.post("/matomo.php", content=json.dumps(bulk), headers=browser)
    assert answer.json() == {"status": "success", "tracked": 3, "invalid": 0, "invalid_indices": []}
    order_hit = php_sdk_order("ORDER-1001", token=SEED_API_KEY)
    assert client.get("/matomo.php" + query(order_hit)).status_code == 204

    assert drain(container) >= 1

    (visit,) = _rows(container, sa.select(sessions).where(sessions.c.visitor_id == VISITOR))
    assert (visit["utm_source"], visit["utm_campaign"]) == ("google", "spring")
    assert visit["referrer_url"] == "https://www.google.com/search?q=widgets"
    assert visit["entry_url"].startswith("https://shop.example.com/products/widget")
    kinds = [row["type"] for row in _rows(container, sa.select(actions).order_by(actions.c.occurred_at, actions.c.id))]
    assert sorted(kinds) == sorted(
        [
            "page_view",
            "page_view",
            "product_view",
            "matomo_event",
            "search",
            "outlink",
            "set_cart",
            "ecommerce_order",
        ]
    )
    (order,) = _rows(container, sa.select(orders))
    assert (order["id"], order["amount"], order["visitor_id"]) == ("ORDER-1001", Decimal("50.48"), VISITOR)
    placeholders = {row["id"]: row["is_placeholder"] for row in _rows(container, sa.select(products))}
    assert placeholders == {"SKU-1": True, "SKU-2": True}
