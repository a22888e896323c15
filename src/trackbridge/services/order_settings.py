"""Use cases of a project's order settings: its status mapping, currency rates, and link / status windows."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.order_status import StatusMapping, status_key
from trackbridge.domain.projects import Project
from trackbridge.domain.values import check_currency
from trackbridge.services.order_ports import OrderSettings
from trackbridge.services.ports import UnitOfWork

log = logging.getLogger(__name__)

MAX_WINDOW_DAYS = 3650


def get_settings(uow: UnitOfWork, project: Project) -> OrderSettings:
    with uow.read() as tx:
        return tx.order_events.settings(project.id)


def replace_status_mapping(uow: UnitOfWork, project: Project, mapping: Mapping[str, object]) -> OrderSettings:
    """Replaces the project's own status names; the stored history and the orders' report status are re-typed (goals
    already fired stay, as goals are never rewritten)."""
    parsed = StatusMapping.from_user(mapping)
    own = {status_key(name): kind for name, kind in parsed.overrides.items()}
    with uow.transaction() as tx:
        tx.order_events.replace_status_mapping(project.id, own)
        settings = tx.order_events.settings(project.id)
        names = tx.order_events.stored_status_names(project.id)
        type_of = {name: parsed.type_of(name) for name in names}
        changed = tx.order_events.remap_status_types(project.id, type_of, settings.status_window_days)
    log.info("status mapping replaced", extra={"project": project.name, "names": len(own), "orders": changed})
    return settings


def replace_currency_rates(uow: UnitOfWork, project: Project, rates: Mapping[str, object]) -> OrderSettings:
    """Replaces the rates: one unit of each currency is worth ``rate`` units of the base currency (rate > 0)."""
    checked: dict[str, str] = {}
    for code, rate in rates.items():
        currency = check_currency(code, f"rates.{code}")
        try:
            value = Decimal(str(rate))
        except InvalidOperation:
            raise InvalidInput("must be a decimal number", f"rates.{code}") from None
        if not value.is_finite() or value <= 0:
            raise InvalidInput("must be a positive decimal number", f"rates.{code}")
        checked[currency] = format(value.normalize(), "f")
    with uow.transaction() as tx:
        tx.order_events.replace_currency_rates(project.id, checked)
        return tx.order_events.settings(project.id)


def set_windows(
    uow: UnitOfWork, project: Project, *, link_window_days: int | None = None, status_window_days: int | None = None
) -> OrderSettings:
    for name, value in (("linkWindowDays", link_window_days), ("statusWindowDays", status_window_days)):
        if value is not None and not 1 <= value <= MAX_WINDOW_DAYS:
            raise InvalidInput(f"must be a whole number of days from 1 to {MAX_WINDOW_DAYS}", name)
    with uow.transaction() as tx:
        tx.order_events.set_windows(project.id, link_window_days, status_window_days)
        return tx.order_events.settings(project.id)
