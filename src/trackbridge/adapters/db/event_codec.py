"""The inbox's storage format: TrackedEvents as one JSON array (orjson, dataclasses serialized natively)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from trackbridge.domain.events import Campaign, EventType, LocationOverride, TrackedEvent


def encode_events(events: Sequence[TrackedEvent]) -> bytes:
    return orjson.dumps(list(events))


def decode_events(payload: bytes) -> list[TrackedEvent]:
    return [_event(item) for item in orjson.loads(payload)]


def _event(item: dict[str, Any]) -> TrackedEvent:
    location = item.get("location")
    return TrackedEvent(
        event_id=item["event_id"],
        type=EventType(item["type"]),
        visitor_id=item["visitor_id"],
        occurred_at=datetime.fromisoformat(item["occurred_at"]),
        url=item.get("url"),
        referrer=item.get("referrer"),
        title=item.get("title"),
        properties=item.get("properties") or {},
        campaign=Campaign(**item["campaign"]) if item.get("campaign") else Campaign(),
        ip=item.get("ip"),
        user_agent=item.get("user_agent"),
        user_id=item.get("user_id"),
        new_visit=bool(item.get("new_visit")),
        location=LocationOverride(**location) if location else None,
        attribution=item.get("attribution"),
    )
