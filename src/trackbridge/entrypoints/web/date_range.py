"""The date range every page with figures shares: ``from`` and ``to`` query parameters (days in the project's time
zone, as in the reports API), today's date there, and the picker's presets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Query

from trackbridge.domain.projects import Project

FromDay = Annotated[date | None, Query(alias="from", description="First day (project time zone).")]
ToDay = Annotated[date | None, Query(alias="to", description="Last day, included.")]
DEFAULT_DAYS = 30


def project_today(project: Project) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(project.timezone)).date()


def default_range(today: date, first: date | None, last: date | None) -> tuple[date, date]:
    """The range asked for, with the reports' defaults: the 30 days up to ``last`` (default today)."""
    last = last or today
    return first or last - timedelta(days=DEFAULT_DAYS - 1), last


def range_presets(today: date) -> list[tuple[str, date, date]]:
    """(label, first, last) of the date range picker's shortcuts."""
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    return [
        ("Today", today, today),
        ("7 days", today - timedelta(days=6), today),
        ("30 days", today - timedelta(days=29), today),
        ("90 days", today - timedelta(days=89), today),
        ("This month", month_start, today),
        ("Last month", last_month_end.replace(day=1), last_month_end),
        ("12 months", today - timedelta(days=364), today),
    ]
