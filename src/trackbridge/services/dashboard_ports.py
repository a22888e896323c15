"""Port of the dashboard's day-by-day figures (adapters/db/sql_dashboard.py); the rest comes from the reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from trackbridge.services.report_ports import OrderGroup, ReportScope


@dataclass(frozen=True)
class PaidOrder:
    placed_at: datetime
    amount: Decimal
    currency: str
    exchange_rate: Decimal | None
    table_rate: Decimal | None
    """The project's rate for the currency (currency_rates), if set."""


class DashboardRepository(Protocol):
    def order_days(self, scope: ReportScope, base_currency: str, model: str) -> list[OrderGroup]:
        """Order sums per local day (key: ``(YYYY-MM-DD,)``) from the daily order rollup, under ``model``."""
        ...

    def paid_orders(self, scope: ReportScope) -> list[PaidOrder]:
        """Orders placed in the scope whose status type is PAID."""
        ...

    def identifications(self, scope: ReportScope) -> list[tuple[datetime, int]]:
        """(when, customer id) of every visitor → customer link made in the scope."""
        ...
