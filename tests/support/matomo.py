"""Requests built as Matomo's trackers build them (matomo.js, the PHP SDK), and reading back what was accepted."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from sqlalchemy import select

from trackbridge.adapters.db.event_codec import decode_events
from trackbridge.adapters.db.tracking_tables import inbox
from trackbridge.domain.events import TrackedEvent
from trackbridge.entrypoints.bootstrap import Container

VISITOR = "5f2c1a9b0d3e4f67"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
GIF_SIZE = 43
ORDER_ITEMS = [["SKU-1", "Widget", "Gadgets", 19.99, 2], ["SKU-2", "Gizmo", ["Gadgets", "Tools"], 5.5, 1]]


def matomo_js(**extra: str) -> dict[str, str]:
    """The parameters matomo.js 5 sends with a page view (trackPageView), before ``extra``."""
    params = {
        "action_name": "Widget page",
        "idsite": "1",
        "rec": "1",
        "r": "482913",
        "h": "10",
        "m": "5",
        "s": "3",
        "url": "https://shop.example.com/products/widget?utm_source=google&utm_campaign=spring",
        "urlref": "https://www.google.com/search?q=widgets",
        "_id": VISITOR,
        "_idn": "0",
        "_refts": "0",
        "pv_id": "abc123",
        "pf_net": "12",
        "pf_srv": "30",
        "cookie": "1",
        "res": "1920x1080",
    }
    params.update(extra)
    return params


def php_sdk_order(order_id: str, *, token: str | None = None, **extra: str) -> dict[str, str]:
    """The parameters of the PHP SDK's doTrackEcommerceOrder, as seed 001's server-side module sends them."""
    params = {
        "idsite": "1",
        "rec": "1",
        "apiv": "1",
        "r": "918273",
        "_id": VISITOR,
        "cid": VISITOR,
        "url": "https://shop.example.com/checkout/done",
        "urlref": "",
        "ua": BROWSER_UA,
        "lang": "de",
        "_rcn": "spring",
        "_rck": "widgets",
        "_ref": "https://www.google.com/search?q=widgets",
        "_refts": "1795339000",
        "idgoal": "0",
        "ec_id": order_id,
        "revenue": "50.48",
        "ec_st": "45.48",
        "ec_tx": "3",
        "ec_sh": "5",
        "ec_dt": "3",
        "ec_items": json.dumps(ORDER_ITEMS),
        "send_image": "0",
    }
    if token is not None:
        params["token_auth"] = token
        params["cip"] = "198.51.100.23"
    params.update(extra)
    return params


def query(params: dict[str, str]) -> str:
    return "?" + urlencode(params)


def accepted_events(container: Container) -> list[TrackedEvent]:
    """Every event in the inbox, in the order accepted."""
    with container.engine.connect() as connection:
        rows = connection.execute(select(inbox.c.payload, inbox.c.source).order_by(inbox.c.id)).all()
    assert all(row.source == "matomo" for row in rows)
    return [event for row in rows for event in decode_events(row.payload)]
