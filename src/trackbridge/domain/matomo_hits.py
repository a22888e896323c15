"""One request of Matomo's Tracking API (a GET/POST hit or a bulk element) → TrackedEvents, or Matomo's rejection.

Behaviour matched: reference/matomo.md §1 (Matomo 5.0.2). Choices of trackbridge's own, documented in docs/api.md:

* Visitor id: ``uid`` wins (``sha1(uid)[:16]``, Matomo's ``enable_userid_overwrites_visitorid``), then ``cid``
  (exactly 16 hex, else rejected as Matomo does), then ``_id`` (its first 16 characters when hex, else ignored). Without
  any, Matomo falls back to a fingerprint of the client; trackbridge uses ``sha1("ip|user agent|idsite")[:16]``.
* Every event gets a fresh ``event_id`` (uuid4 hex): Matomo requests carry no id of their own.
* ``cip``, a ``cdt`` older than 24 h and the location overrides need an authenticated request (a write API key of the
  project as ``token_auth``); otherwise the hit is invalid (Matomo's 400).

Pure, no I/O.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from trackbridge.domain.channels import campaign_from_url
from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.events import EventType, LocationOverride, TrackedEvent
from trackbridge.domain.matomo_actions import hit_actions
from trackbridge.domain.matomo_ecommerce import json_number, parse_number
from trackbridge.domain.privacy import parse_ip

Params = Mapping[str, str]
JsonObject = dict[str, Any]

RECENT_WITHOUT_TOKEN = timedelta(seconds=86_400)
"""Matomo's ``tracking_requests_require_authentication_when_custom_timestamp_newer_than``."""
OLDEST_ACCEPTED = timedelta(days=365 * 20)
LOCATION_PARAMS = ("country", "region", "city", "lat", "long")
MAX_ORDER_ID = 200
"""The longest order id trackbridge stores (``orders.id``)."""
_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")
_PERFORMANCE = ("pf_net", "pf_srv", "pf_tfr", "pf_dm1", "pf_dm2", "pf_onl")
_DIMENSION = re.compile(r"^dimension(\d{1,4})$")


class RejectionKind(StrEnum):
    NOT_LOGGED = "not_logged"
    """Nothing could be logged (missing or unknown ``idsite``): Matomo's 400 with its HTML text."""
    INVALID = "invalid"
    """Matomo's ``InvalidRequestParameterException``: 400 with the GIF; in a bulk, an ``invalid`` entry."""


@dataclass(frozen=True, slots=True)
class HitRejection:
    kind: RejectionKind
    reason: str


@dataclass(frozen=True, slots=True)
class HitContext:
    """What the transport knows about a hit: when it arrived, from where, and whether its token_auth was accepted."""

    received_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    accept_language: str | None = None
    authenticated: bool = False


@dataclass(frozen=True, slots=True)
class AcceptedHit:
    """A hit that answers 2xx. ``recorded`` is False when ``rec=1`` was missing: nothing is stored then."""

    occurred_at: datetime
    events: tuple[TrackedEvent, ...] = ()
    recorded: bool = True

    @property
    def order(self) -> TrackedEvent | None:
        """The e-commerce order event of the hit, whose order id must be claimed when it is stored."""
        return next((e for e in self.events if e.type is EventType.ECOMMERCE_ORDER), None)


HitOutcome = AcceptedHit | HitRejection


def _new_event_id() -> str:
    return uuid.uuid4().hex


def site_id_of(params: Params) -> int | None:
    """The positive integer ``idsite``, or None (Matomo then logs nothing)."""
    text = params.get("idsite", "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def parse_hit(
    params: Params, context: HitContext, *, new_event_id: Callable[[], str] = _new_event_id
) -> AcceptedHit | HitRejection:
    """The events of one hit. ``params`` are the hit's parameters (query + form, or one bulk element)."""
    site_id = site_id_of(params)
    if site_id is None:
        return HitRejection(RejectionKind.NOT_LOGGED, "idsite is missing or not a positive integer")
    if params.get("rec", "").strip() != "1":
        return AcceptedHit(occurred_at=context.received_at, recorded=False)
    needs_token = [name for name in ("cip", *LOCATION_PARAMS) if params.get(name, "").strip()]
    if needs_token and not context.authenticated:
        return HitRejection(RejectionKind.INVALID, f"{needs_token[0]} requires a valid token_auth")
    occurred_at = hit_time(params, context.received_at, authenticated=context.authenticated)
    if occurred_at is None:
        return HitRejection(RejectionKind.INVALID, "a cdt older than 24 hours requires a valid token_auth")
    cid = params.get("cid", "").strip()
    if cid and not _HEX16.match(cid):
        return HitRejection(RejectionKind.INVALID, "cid must be exactly 16 hexadecimal characters")
    if params.get("cip", "").strip() and parse_ip(params["cip"]) is None:
        return HitRejection(RejectionKind.INVALID, "cip is not an IP address")
    if len(params.get("ec_id", "").strip()) > MAX_ORDER_ID:
        return HitRejection(RejectionKind.INVALID, f"ec_id is longer than {MAX_ORDER_ID} characters")
    cip = parse_ip(params.get("cip"))
    ip = str(cip) if cip is not None else context.ip
    user_agent = params.get("ua", "").strip() or context.user_agent
    url = params.get("url", "").strip() or None
    user_id = params.get("uid", "").strip() or None
    base = TrackedEvent(
        event_id="",
        type=EventType.PAGE_VIEW,
        visitor_id=visitor_id(params, ip, user_agent, site_id),
        occurred_at=occurred_at,
        url=url,
        referrer=params.get("urlref", "").strip() or None,
        title=params.get("action_name", "").strip() or None,
        campaign=campaign_from_url(url),
        ip=ip,
        user_agent=user_agent,
        user_id=user_id,
        new_visit=params.get("new_visit", "").strip() == "1",
        location=_location(params) if any(params.get(name, "").strip() for name in LOCATION_PARAMS) else None,
        attribution=_attribution(params),
    )
    shared = _shared_properties(params, context)
    try:
        kinds = hit_actions(params)
    except InvalidInput as error:
        return HitRejection(RejectionKind.INVALID, error.message)
    events = tuple(
        replace(base, event_id=new_event_id(), type=kind, properties={**shared, **props}) for kind, props in kinds
    )
    return AcceptedHit(occurred_at=occurred_at, events=events)


def hit_time(params: Params, received_at: datetime, *, authenticated: bool) -> datetime | None:
    """The hit's time from ``cdt`` / ``cdo``: the arrival time when absent, invalid, in the future or over 20 years old;
    None when it is 24 h or more in the past and the request is not authenticated (Matomo's 400)."""
    moment = _requested_time(params, received_at)
    if moment is None:
        return received_at
    if received_at - moment >= RECENT_WITHOUT_TOKEN and not authenticated:
        return None
    return moment


def _requested_time(params: Params, received_at: datetime) -> datetime | None:
    cdt = params.get("cdt", "").strip()
    cdo = parse_number(params.get("cdo"))
    if not cdt and not cdo:
        return None
    moment = _parse_cdt(cdt) if cdt else received_at
    if moment is None:
        return None
    if cdo:
        moment -= timedelta(seconds=abs(cdo))
    if moment > received_at or moment < received_at - OLDEST_ACCEPTED:
        return None
    return moment


def _parse_cdt(text: str) -> datetime | None:
    number = parse_number(text)
    try:
        if number is not None:
            return datetime.fromtimestamp(number, tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def visitor_id(params: Params, ip: str | None, user_agent: str | None, site_id: int) -> str:
    uid = params.get("uid", "").strip()
    if uid:
        return hashlib.sha1(uid.encode()).hexdigest()[:16]  # noqa: S324 - Matomo's id form, not a security hash
    cid = params.get("cid", "").strip()
    if _HEX16.match(cid):
        return cid.lower()
    first = params.get("_id", "").strip()[:16]
    if _HEX16.match(first):
        return first.lower()
    fingerprint = f"{ip or ''}|{user_agent or ''}|{site_id}"
    return hashlib.sha1(fingerprint.encode()).hexdigest()[:16]  # noqa: S324 - a fingerprint, not a security hash


def _location(params: Params) -> LocationOverride:
    country = params.get("country", "").strip().lower()
    return LocationOverride(
        country_code=country if len(country) == 2 and country.isalpha() else None,
        region_code=params.get("region", "").strip() or None,
        city=params.get("city", "").strip() or None,
        latitude=parse_number(params.get("lat")),
        longitude=parse_number(params.get("long")),
    )


def _attribution(params: Params) -> JsonObject | None:
    found: JsonObject = {
        name: params[name].strip() for name in ("_rcn", "_rck", "_ref") if params.get(name, "").strip()
    }
    refts = params.get("_refts", "").strip()
    if refts.isdigit():
        found["_refts"] = int(refts)
    return found or None


def _shared_properties(params: Params, context: HitContext) -> JsonObject:
    props: JsonObject = {}
    lang = params.get("lang", "").strip() or (context.accept_language or "").strip()
    for key, value in (("lang", lang), ("resolution", params.get("res", "")), ("pageviewId", params.get("pv_id", ""))):
        if value.strip():
            props[key] = value.strip()
    dimensions = {m.group(1): value for name, value in params.items() if (m := _DIMENSION.match(name)) and value}
    if dimensions:
        props["dimensions"] = dimensions
    timings = [parse_number(params.get(name)) for name in _PERFORMANCE]
    if any(t is not None for t in timings):
        props["pageLoadTimeMs"] = json_number(sum(t for t in timings if t is not None and t >= 0))
    return props
