"""The Reporting API side of the fake Matomo: ``Live.getLastVisitsDetails`` segments, dates and paging.

Behaviour from ../shared/reference/matomo.md §2: newest first by last action (``filter_sort_order=asc`` reverses),
``filter_limit`` 10 by default and ``-1`` for all, ``filter_offset``, ``minTimestamp`` (last action strictly later), only the last 24 hours when neither a period nor
paging is given (plugins/Live/Model.php), segments where ``,`` is OR and
binds tighter than ``;`` (AND), values URL-encoded inside the segment.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

Visit = dict[str, Any]

_OPERATORS = ("==", "!=", "=@", "!@", "=^", "=$")


class SegmentError(ValueError):
    pass


def _visit_values(visit: Visit, name: str) -> list[str]:
    if name == "orderId":
        return [str(a.get("orderId")) for a in visit.get("actionDetails", []) if a.get("type") == "ecommerceOrder"]
    if name in ("visitId", "idVisit"):
        return [str(visit.get("idVisit"))]
    if name in ("pageUrl", "actionUrl"):
        return [str(a.get("url")) for a in visit.get("actionDetails", []) if a.get("url")]
    value = visit.get(name)
    return [] if value is None else [str(value)]


def _condition(text: str) -> Callable[[Visit], bool]:
    for operator in _OPERATORS:
        name, found, raw = text.partition(operator)
        if found and name and "=" not in name and "!" not in name:
            value = unquote(raw)
            return lambda visit: _matches(_visit_values(visit, name), operator, value)
    raise SegmentError(f"The segment condition '{text}' is not valid.")


def _matches(values: list[str], operator: str, value: str) -> bool:
    if operator == "==":
        return value in values
    if operator == "!=":
        return value not in values
    if operator == "=@":
        return any(value in v for v in values)
    if operator == "!@":
        return not any(value in v for v in values)
    if operator == "=^":
        return any(v.startswith(value) for v in values)
    return any(v.endswith(value) for v in values)


def parse_segment(segment: str) -> Callable[[Visit], bool]:
    """``a;b,c`` means a AND (b OR c), as in Matomo."""
    if not segment:
        return lambda visit: True
    groups = [[_condition(part) for part in group.split(",")] for group in segment.split(";")]
    return lambda visit: all(any(cond(visit) for cond in group) for group in groups)


def _day(text: str, today: datetime) -> datetime:
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)


def date_window(period: str, date: str, now: datetime) -> tuple[float, float] | None:
    """The [start, end) unix window of ``period``/``date`` (UTC site), or None when no date filter applies."""
    if not period or not date:
        return None
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "range":
        start_text, _, end_text = date.partition(",")
        start, end = _day(start_text, today), _day(end_text or "today", today) + timedelta(days=1)
    elif period == "day":
        start = _day(date, today)
        end = start + timedelta(days=1)
    else:  # week, month, year: wide enough for a fake
        start = _day(date, today) - timedelta(days=366)
        end = _day(date, today) + timedelta(days=366)
    return start.timestamp(), end.timestamp()


def select_visits(visits: list[Visit], params: Mapping[str, str], now: datetime) -> list[Visit]:
    """The visits ``Live.getLastVisitsDetails`` answers for ``params`` (deep copies)."""
    site = params.get("idSite", "")
    matches = parse_segment(params.get("segment", ""))
    min_timestamp = int(params["minTimestamp"]) if params.get("minTimestamp") else None
    window = date_window(params.get("period", ""), params.get("date", ""), now)
    if window is None and not any(params.get(k) for k in ("filter_limit", "filter_offset")):
        window = (now.timestamp() - 86400, now.timestamp() + 1)  # Matomo's "yesterdaySameTime" when nothing narrows
    chosen = []
    for visit in visits:
        if str(visit.get("idSite")) != site:
            continue
        last = int(visit.get("lastActionTimestamp", visit.get("serverTimestamp", 0)))
        if min_timestamp is not None and last <= min_timestamp:
            continue
        if window is not None and not window[0] <= last < window[1]:
            continue
        if matches(visit):
            chosen.append(visit)
    chosen.sort(key=lambda v: (int(v.get("lastActionTimestamp", 0)), int(v["idVisit"])), reverse=True)
    if params.get("filter_sort_order") == "asc":
        chosen.reverse()
    offset = int(params.get("filter_offset") or 0)
    limit = int(params.get("filter_limit") or 10)
    page = chosen[offset:] if limit < 0 else chosen[offset : offset + limit]
    answer = copy.deepcopy(page)
    if params.get("doNotFetchActions") in ("1", "true"):
        for visit in answer:
            visit["actionDetails"] = []
    return answer
