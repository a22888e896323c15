"""Importing identified customers' visits from a Matomo server (seed 000; docs/connectors/matomo.md).

For one customer: ask Matomo's Live API for the visits of their user id (shop customer id or e-mail, as the connector
says) or of any of their visitor ids, over the look-back or since their last successful import; then, in one
transaction, store each visit by its Matomo key as a session with its actions (or update the one stored before, or
merge it into the visit trackbridge tracked itself), expand the lookups, mark the report days and the orders it may
concern. A form identification queues the customer's import at once; the scheduled run queues every identified one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from trackbridge.domain.errors import OutsideError
from trackbridge.domain.matomo_visits import ImportedVisit, import_since
from trackbridge.domain.outbound import Connector, ConnectorKind, NewJob
from trackbridge.domain.projects import Project
from trackbridge.services.matomo_import_ports import CustomerKeys, VisitSource
from trackbridge.services.matomo_import_store import ImportOutcome, store_visits
from trackbridge.services.outbox import enqueue
from trackbridge.services.ports import Transaction, UnitOfWork

log = logging.getLogger(__name__)

IMPORT_JOB = "matomo.import_customer"
SCHEDULED_RUN_JOB = "matomo.scheduled_run"
IMPORT_PRIORITY = 50  # before the daily run's mass of customers
_HEX16 = re.compile(r"^[0-9a-f]{16}$")


# Triggers -------------------------------------------------------------------------------------------------------------


def importing_connectors(tx: Transaction, project_id: int) -> list[Connector]:
    return [
        c
        for c in tx.connectors.list(project_id, ConnectorKind.MATOMO)
        if c.enabled and c.settings.get("importVisits", True)
    ]


def request_import(tx: Transaction, project_id: int, customer_ids: Sequence[int], now: datetime) -> int:
    """Queues an import of each customer for every Matomo connector of the project that imports visits, in the
    caller's transaction (a form identification); the number of jobs queued."""
    queued = 0
    for connector in importing_connectors(tx, project_id):
        for customer_id in sorted(set(customer_ids)):
            job = NewJob(
                project_id=project_id,
                kind=IMPORT_JOB,
                subject=f"customer {customer_id}",
                payload={"customerId": customer_id},
                connector_id=connector.id,
                dedupe_key=str(customer_id),
                priority=IMPORT_PRIORITY,
            )
            queued += 1 if enqueue(tx, job, now) is not None else 0
    return queued


def queue_everyone(uow: UnitOfWork, connector: Connector, now: datetime) -> int:
    """The scheduled run: queues an import of every identified customer of the connector's project (however they
    were identified: form, e-mail link, identify, Matomo user id, CRM visitor ids); the number queued."""
    if not connector.settings.get("importVisits", True):
        return 0
    return queue_imports(uow, connector, None, now)


def queue_imports(uow: UnitOfWork, connector: Connector, customer_ids: Sequence[int] | None, now: datetime) -> int:
    """Queues an import of each customer (every identified one when None) for the connector; the number queued (a
    customer whose import is already waiting is not queued twice)."""
    with uow.transaction() as tx:
        customers = (
            tx.matomo_import.identified_customers(connector.project_id) if customer_ids is None else list(customer_ids)
        )
        queued = 0
        for customer_id in sorted(set(customers)):
            job = NewJob(
                project_id=connector.project_id,
                kind=IMPORT_JOB,
                subject=f"customer {customer_id}",
                payload={"customerId": customer_id},
                connector_id=connector.id,
                dedupe_key=str(customer_id),
            )
            queued += 1 if enqueue(tx, job, now) is not None else 0
    log.info("matomo import queued", extra={"connector": connector.id, "customers": len(customers), "queued": queued})
    return queued


def customer_exists(uow: UnitOfWork, project_id: int, customer_id: int) -> bool:
    with uow.read() as tx:
        return tx.matomo_import.customer_keys(project_id, customer_id) is not None


def identified_customers(uow: UnitOfWork, project_id: int) -> list[int]:
    with uow.read() as tx:
        return tx.matomo_import.identified_customers(project_id)


# The import -----------------------------------------------------------------------------------------------------------


def segment_conditions(keys: CustomerKeys, settings: dict[str, Any]) -> list[tuple[str, str]]:
    """``userId`` (their e-mail or shop customer id, as ``userIdFrom`` says) OR each of their Matomo visitor ids."""
    user_id = keys.email if settings.get("userIdFrom") == "email" else keys.external_id
    conditions = [("userId", user_id)] if user_id else []
    conditions.extend(("visitorId", v.lower()) for v in keys.visitor_ids if _HEX16.match(v.lower()))
    return conditions


def import_customer(
    uow: UnitOfWork,
    project: Project,
    connector: Connector,
    source: VisitSource,
    customer_id: int,
    now: datetime,
    *,
    anonymize_level: int = 0,
) -> ImportOutcome:
    """Imports one customer's visits; raises the source's outside errors after noting the failed try."""
    with uow.read() as tx:
        keys = tx.matomo_import.customer_keys(project.id, customer_id)
        last_success = tx.matomo_import.last_success(connector.id, customer_id)
    outcome = ImportOutcome(customer_id)
    if keys is None:
        log.info("matomo import: customer gone", extra={"customer": customer_id, "connector": connector.id})
        return outcome
    conditions = segment_conditions(keys, connector.settings)
    since = import_since(now, int(connector.settings.get("lookbackDays", 365)), last_success)
    visits: dict[int, ImportedVisit] = {}
    try:
        if conditions:
            for page in source.pages(conditions, since):
                for visit in page:
                    visits.setdefault(visit.id_visit, visit)  # pages may overlap when visits arrive meanwhile
    except OutsideError as error:
        with uow.transaction() as tx:
            tx.matomo_import.record_run(connector.id, project.id, customer_id, now, error=error.message, visits=0)
        raise
    outcome.fetched = len(visits)
    with uow.transaction() as tx:
        store_visits(tx, project, connector, customer_id, list(visits.values()), now, outcome, anonymize_level)
        tx.matomo_import.record_run(connector.id, project.id, customer_id, now, error=None, visits=len(visits))
    log.info(
        "matomo visits imported",
        extra={
            "connector": connector.id,
            "customer": customer_id,
            "fetched": outcome.fetched,
            "added": outcome.added,
            "updated": outcome.updated,
            "merged": outcome.merged,
            "unchanged": outcome.unchanged,
        },
    )
    return outcome
