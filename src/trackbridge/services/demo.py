"""`trackbridge demo`: a project of its own, filled with a demo shop's traffic, customers and orders.

The data (domain/demo_data.py) goes through the same use cases as real data: the signed resource API's
(services/resources.py) for the catalogue, customers and orders, the tracking endpoint's inbox (services/ingest.py)
for the visits, then the worker (``process``, the entrypoint's drain) for sessions, identities, order links and
rollups. Only a project created as a demo (``is_demo``) is ever reset; a user's project of the same name is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from trackbridge.domain.demo_data import DemoData, generate
from trackbridge.domain.errors import Conflict, InvalidInput
from trackbridge.domain.projects import Project
from trackbridge.services import ingest, lookups, order_settings, resources
from trackbridge.services import projects as project_service
from trackbridge.services.ports import SecretBox, UnitOfWork

log = logging.getLogger(__name__)

DEMO_PROJECT = "demo"
DEFAULT_SEED = 2026
DEFAULT_DAYS = 60
MAX_DAYS = 365
EVENT_BATCH = 2_000
RECORD_BATCH = 500
Item = TypeVar("Item")


@dataclass(frozen=True)
class DemoSummary:
    project: Project
    customers: int
    products: int
    orders: int
    events: int


def _chunks(items: Sequence[Item], size: int) -> list[Sequence[Item]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def demo_project(uow: UnitOfWork, name: str = DEMO_PROJECT) -> Project | None:
    """The demo project when it exists; refuses a project of that name that is not a demo (a user's own)."""
    with uow.read() as tx:
        project = tx.projects.by_name(name)
    if project is not None and not project.is_demo:
        raise Conflict(f"the project {name!r} is not a demo project; trackbridge demo never touches a user's project")
    return project


def fill_demo(
    uow: UnitOfWork,
    box: SecretBox,
    process: Callable[[], object],
    *,
    seed: int = DEFAULT_SEED,
    days: int = DEFAULT_DAYS,
    reset: bool = False,
    now: datetime | None = None,
    name: str = DEMO_PROJECT,
) -> DemoSummary:
    """Creates the demo project and fills it; ``reset`` drops an existing demo project first.

    ``process`` runs the worker until the inbox is empty (sessions, identification, order links, rollups)."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"must be from 1 to {MAX_DAYS} days", "days")
    existing = demo_project(uow, name)
    if existing is not None:
        if not reset:
            raise Conflict(f"the demo project {name!r} exists already; reset it to fill it again")
        with uow.transaction() as tx:
            tx.projects.remove(existing.id)
        log.info("demo project dropped", extra={"project": name})
    end = (now or datetime.now(UTC)).replace(microsecond=0)
    data = generate(seed, days, end)
    credentials = project_service.create_project(uow, box, name, is_demo=True, timezone="UTC", base_currency="USD")
    project = credentials.project
    try:
        _fill(uow, project, data, process)
    except BaseException:  # a half-filled demo would be kept by `make run` (--if-missing): none is left behind
        with uow.transaction() as tx:
            tx.projects.remove(project.id)
        raise
    log.info(
        "demo project filled",
        extra={"project": name, "events": len(data.events), "orders": len(data.orders), "seed": seed, "days": days},
    )
    return DemoSummary(project, len(data.customers), len(data.products), len(data.orders), len(data.events))


def _fill(uow: UnitOfWork, project: Project, data: DemoData, process: Callable[[], object]) -> None:
    _configure(uow, project, data)
    _store_resources(uow, project, data)
    for chunk in _chunks(data.events, EVENT_BATCH):
        ingest.accept_events(uow, project, chunk, source="tracker")
    process()
    for orders in _chunks(data.orders, RECORD_BATCH):
        rejected = [r for r in resources.store_orders(uow, project, orders) if not r.stored]
        if rejected:
            raise RuntimeError(f"demo orders were rejected: {rejected[0].reason}")
    process()


def _configure(uow: UnitOfWork, project: Project, data: DemoData) -> None:
    lookups.replace_mappings(uow, project, lookups.LookupKind.LEAD_SOURCE, data.lead_sources)
    lookups.replace_mappings(uow, project, lookups.LookupKind.CHANNEL, data.channels)
    order_settings.replace_status_mapping(uow, project, data.status_mapping)


def _store_resources(uow: UnitOfWork, project: Project, data: DemoData) -> None:
    resources.store_categories(uow, project, data.categories)
    resources.store_products(uow, project, data.products)
    for customers in _chunks(data.customers, RECORD_BATCH):
        resources.store_customers(uow, project, customers)
