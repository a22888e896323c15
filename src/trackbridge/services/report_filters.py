"""The values the report pages' filters offer: the sources, channels, campaigns, countries and devices of a range's
visits, busiest first, read from the same daily rollups the reports read (never from a scan of visits)."""

from __future__ import annotations

from dataclasses import replace

from trackbridge.services.ports import UnitOfWork
from trackbridge.services.report_ports import ReportScope

CHOICES = {
    "source": "source",
    "medium": "medium",
    "channel": "channel",
    "campaign": "campaign",
    "country": "country",
    "device": "device_type",
    "os": "os_name",
}
"""Filter name (as the reports API takes it) → rollup dimension."""
MAX_CHOICES = 200


def filter_choices(uow: UnitOfWork, scope: ReportScope) -> dict[str, list[str]]:
    """Per filter, the values seen in the scope's days regardless of the filters chosen (so that one can switch)."""
    unfiltered = replace(scope, filters={})
    found: dict[str, list[str]] = {}
    with uow.read() as tx:
        for name, dimension in CHOICES.items():
            counts = tx.reports.session_counts(unfiltered, (dimension,))
            ranked = sorted(
                ((key[0], n) for key, n in counts.items() if key and key[0]), key=lambda kv: (-kv[1], kv[0])
            )
            found[name] = [value for value, _ in ranked[:MAX_CHOICES]]
    return found
