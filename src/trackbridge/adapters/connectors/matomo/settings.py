"""Settings of a Matomo connector: where Matomo is, what to import and push, and when.

The auth token is the connector's credential, stored encrypted apart from these settings and never returned.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from trackbridge.adapters.connectors.setting_values import bounded_int, choice, flag, positive_int
from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.schedules import check_cron

DEFAULT_SCHEDULE = "0 2 * * *"
DEFAULT_LOOKBACK_DAYS = 365
DEFAULT_SKIP_STATUSES = ("cancelled", "failed", "pending", "refunded")
USER_ID_SOURCES = ("id", "email")

DEFAULTS: dict[str, Any] = {
    "schedule": DEFAULT_SCHEDULE,
    "lookbackDays": DEFAULT_LOOKBACK_DAYS,
    "skipStatuses": list(DEFAULT_SKIP_STATUSES),
    "userIdFrom": "id",
    "importVisits": True,
    "pushOrders": True,
    "pushCarts": True,
    "pushMatomoCartHits": True,
    "pageSize": 100,
}


def parse_settings(raw: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """Complete, checked settings from what a user sent (over ``current`` when changing a connector)."""
    merged = {**DEFAULTS, **(current or {}), **{k: v for k, v in raw.items() if v is not None}}
    unknown = sorted(set(merged) - set(DEFAULTS) - {"url", "siteId"})
    if unknown:
        raise InvalidInput(f"unknown setting(s) {', '.join(unknown)}", "settings")
    return {
        "url": _url(merged.get("url")),
        "siteId": positive_int(merged.get("siteId"), "siteId"),
        "schedule": check_cron(str(merged["schedule"]), "schedule"),
        "lookbackDays": bounded_int(merged["lookbackDays"], "lookbackDays", 1, 3650),
        "skipStatuses": _statuses(merged["skipStatuses"]),
        "userIdFrom": choice(merged["userIdFrom"], "userIdFrom", USER_ID_SOURCES),
        "importVisits": flag(merged["importVisits"], "importVisits"),
        "pushOrders": flag(merged["pushOrders"], "pushOrders"),
        "pushCarts": flag(merged["pushCarts"], "pushCarts"),
        "pushMatomoCartHits": flag(merged["pushMatomoCartHits"], "pushMatomoCartHits"),
        "pageSize": bounded_int(merged["pageSize"], "pageSize", 1, 1000),
    }


def base_url(settings: dict[str, Any]) -> str:
    """The Matomo root URL with a trailing slash (``https://matomo.example.com/``)."""
    return str(settings["url"]).rstrip("/") + "/"


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("the Matomo URL is required, e.g. https://matomo.example.com", "url")
    text = value.strip()
    for suffix in ("index.php", "matomo.php", "piwik.php"):
        if text.endswith("/" + suffix):
            text = text[: -len(suffix)]
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InvalidInput(f"{value!r} is not an http(s) URL", "url")
    if parts.query or parts.fragment:
        raise InvalidInput("give the Matomo root URL without a query (the token goes in --token)", "url")
    return text.rstrip("/")


def _statuses(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("a list of order status names", "skipStatuses")
    return sorted({v.strip().lower() for v in value if v.strip()})
