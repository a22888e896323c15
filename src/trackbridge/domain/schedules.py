"""Cron schedules of connectors (five fields, read in the project's time zone). Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from trackbridge.domain.errors import InvalidInput


def check_cron(expression: str, field: str = "schedule") -> str:
    """The expression, trimmed, when it is a valid five-field cron line; InvalidInput otherwise."""
    text = " ".join(expression.split())
    if len(text.split(" ")) != 5 or not croniter.is_valid(text):
        raise InvalidInput(f"{expression!r} is not a cron schedule of five fields (e.g. '0 2 * * *')", field)
    return text


def next_run(expression: str, after: datetime, timezone: str = "UTC") -> datetime:
    """The first time the schedule fires strictly after ``after``, in UTC."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    fired: datetime = croniter(expression, local).get_next(datetime)
    if fired.tzinfo is None:
        fired = fired.replace(tzinfo=zone)
    return fired.astimezone(UTC)
