"""Settings of a webhook connector: where batches go, what they carry, and when. The signing secret is the connector's
credential, stored encrypted apart from these settings and never returned. docs/connectors/webhook.md explains them."""

from __future__ import annotations

from typing import Any

from trackbridge.adapters.connectors import export_settings as s
from trackbridge.adapters.connectors import setting_values as v

MAX_BATCH = 100  # the export engine sends at most 100 records a call
MAX_REQUESTS_PER_SECOND = 100.0

DEFAULTS: dict[str, Any] = {
    **s.EXPORT_DEFAULTS,
    "url": None,
    "requestsPerSecond": 10.0,
}


def parse_settings(raw: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """Complete, checked settings from what a user sent (over ``current`` when changing a connector)."""
    merged = s.merged_settings(raw, current, DEFAULTS, "webhook")
    return {
        "kind": "webhook",
        "url": v.http_url(merged["url"], "url"),
        **s.export_common(merged, max_rate=MAX_REQUESTS_PER_SECOND, max_batch=MAX_BATCH),
    }
