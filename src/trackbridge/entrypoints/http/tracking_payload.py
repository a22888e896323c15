"""Reading a POST /t body into TrackedEvents: shape, types, limits and the clock rule. Every mistake is a ClientError
that names the field; nothing here touches storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from trackbridge.domain.errors import InvalidInput, PayloadTooLarge
from trackbridge.domain.events import Campaign, EventType, TrackedEvent
from trackbridge.domain.values import check_visitor_id, parse_timestamp

MAX_EVENT_BYTES = 32 * 1024
MAX_REQUEST_BYTES = 500 * 1024
MAX_EVENT_ID = 100
CLOCK_TOLERANCE = timedelta(minutes=10)
_TYPES = {t.value: t for t in EventType}
_TYPE_NAMES = ", ".join(sorted(_TYPES))
_CAMPAIGN_KEYS = ("id", "source", "medium", "name", "term", "content")
_ENVELOPE_KEYS = frozenset({"token", "visitorId", "userAgent", "ip"})


@dataclass(frozen=True)
class TrackCall:
    """The envelope of a call: who sends, for which visitor, and the raw events."""

    token: str | None
    visitor_id: str
    events: list[Any]
    user_agent: str | None
    ip: str | None


def parse_json(body: bytes) -> dict[str, Any]:
    if not body.strip():
        raise InvalidInput("the body is empty; send a JSON object")
    if b"\\u0000" in body:
        raise InvalidInput("NUL characters (\\u0000) are not allowed")
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise InvalidInput(f"malformed JSON: {error}") from None
    if not isinstance(document, dict):
        raise InvalidInput(f"the body must be a JSON object, not {type(document).__name__}")
    return document


def read_call(document: dict[str, Any]) -> TrackCall:
    token = document.get("token")
    if token is not None and not isinstance(token, str):
        raise InvalidInput("must be a string", "token")
    visitor_id = check_visitor_id(document.get("visitorId"), "visitorId")
    if "events" in document:
        events = document["events"]
        if not isinstance(events, list):
            raise InvalidInput("must be a list of events", "events")
        if not events:
            raise InvalidInput("must hold at least one event", "events")
    elif "type" in document:
        events = [{k: v for k, v in document.items() if k not in _ENVELOPE_KEYS}]
    else:
        raise InvalidInput("send an event (with 'type') or 'events', a list of them", "events")
    return TrackCall(
        token=token or None,
        visitor_id=visitor_id,
        events=events,
        user_agent=_optional_text(document, "userAgent", "userAgent"),
        ip=_optional_text(document, "ip", "ip"),
    )


def check_event_sizes(call: TrackCall, body_size: int) -> None:
    if body_size <= MAX_EVENT_BYTES:
        return  # no event can be larger than the body
    for index, raw in enumerate(call.events):
        size = len(orjson.dumps(raw))
        if size > MAX_EVENT_BYTES:
            raise PayloadTooLarge(f"events[{index}] is {size} bytes; the limit is {MAX_EVENT_BYTES} bytes per event")


def build_events(
    call: TrackCall,
    *,
    now: datetime,
    trust_time: bool,
    ip: str | None,
    user_agent: str | None,
) -> list[TrackedEvent]:
    """The events of a call. A client time more than 10 minutes from ``now`` is replaced by ``now`` unless
    ``trust_time`` (an authenticated server)."""
    return [
        _event(raw, f"events[{index}]", call.visitor_id, now, trust_time, ip, user_agent)
        for index, raw in enumerate(call.events)
    ]


def _event(
    raw: object,
    where: str,
    visitor_id: str,
    now: datetime,
    trust_time: bool,
    ip: str | None,
    user_agent: str | None,
) -> TrackedEvent:
    if not isinstance(raw, dict):
        raise InvalidInput("must be an object", where)
    event_id = raw.get("id")
    if not isinstance(event_id, str) or not event_id.strip():
        raise InvalidInput("must be a non-empty string", f"{where}.id")
    if len(event_id) > MAX_EVENT_ID:
        raise InvalidInput(f"must be at most {MAX_EVENT_ID} characters", f"{where}.id")
    type_name = raw.get("type")
    kind = _TYPES.get(type_name) if isinstance(type_name, str) else None
    if kind is None:
        raise InvalidInput(f"must be one of {_TYPE_NAMES}", f"{where}.type")
    properties = raw.get("properties")
    if properties is None:
        properties = {}
    elif not isinstance(properties, dict):
        raise InvalidInput("must be an object", f"{where}.properties")
    new_visit = raw.get("newVisit", False)
    if not isinstance(new_visit, bool):
        raise InvalidInput("must be true or false", f"{where}.newVisit")
    return TrackedEvent(
        event_id=event_id,
        type=kind,
        visitor_id=visitor_id,
        occurred_at=_moment(raw.get("time"), f"{where}.time", now, trust_time),
        url=_optional_text(raw, "url", f"{where}.url"),
        referrer=_optional_text(raw, "referrer", f"{where}.referrer"),
        title=_optional_text(raw, "title", f"{where}.title"),
        properties=properties,
        campaign=_campaign(raw.get("campaign"), f"{where}.campaign"),
        ip=ip,
        user_agent=user_agent,
        new_visit=new_visit,
    )


def _moment(value: object, field: str, now: datetime, trust_time: bool) -> datetime:
    if value is None:
        return now
    moment = parse_timestamp(value, field)
    if not trust_time and abs(moment - now) > CLOCK_TOLERANCE:
        return now
    return moment


def _campaign(value: object, field: str) -> Campaign:
    if value is None:
        return Campaign()
    if not isinstance(value, dict):
        raise InvalidInput("must be an object", field)
    return Campaign(**{key: _optional_text(value, key, f"{field}.{key}") for key in _CAMPAIGN_KEYS})


def _optional_text(container: dict[str, Any], key: str, field: str) -> str | None:
    value = container.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput("must be a string", field)
    return value
