"""Pushing server-side e-commerce to Matomo (seed 001): orders and cart updates, from outbox jobs, never twice.

Queuing (in the transaction of the change, through services/outbound_hooks.py):

- an order goes to every enabled Matomo connector that pushes orders, once it was placed after the connector was
  switched on (``enabled_at``; older orders only by a backfill: ``trackbridge matomo push --since DATE``), unless its
  status is one the connector skips (default cancelled, failed, pending, refunded; a later change to another status
  queues it then) or the connector has tracked it already. The job's dedupe key is the order id;
- a cart update is kept as the visitor's latest cart and a job (dedupe key: the cart's key) sends the newest state.
  Cart hits trackbridge received from Matomo's own tracker (``/matomo.php``) are pushed unless the connector says
  otherwise (``pushMatomoCartHits``); a hit carrying trackbridge's own push marker never is, so a connector pointed at
  trackbridge itself cannot loop.

Running (the handlers in entrypoints/jobs/matomo_push.py): the order is read afresh, checked again (tracked? skipped
status now?), sent, and the outcome kept on the order per connector: tracked with the tracking URL (token redacted), or
the failure's reason (not tracked). A failure is raised on so the outbox retries it or buries it in the dead letters.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from trackbridge.domain.cart_events import PUSH_MARKER
from trackbridge.domain.carts import CartUpdate
from trackbridge.domain.errors import InvalidInput, NotFound, PermanentError, TransientError
from trackbridge.domain.outbound import Connector, ConnectorKind, NewJob, redact_values
from trackbridge.domain.projects import Project
from trackbridge.services import order_linking
from trackbridge.services.matomo_push_ports import MatomoTracker, OrderFacts, OrderToPush, TrackingRefused
from trackbridge.services.outbox import JobContext, enqueue
from trackbridge.services.ports import Transaction, UnitOfWork

log = logging.getLogger(__name__)

ORDER_JOB = "matomo.push_order"
CART_JOB = "matomo.push_cart"
DEFAULT_SKIP_STATUSES = ("cancelled", "failed", "pending", "refunded")
BACKFILL_PRIORITY = 200
LIVE_PRIORITY = 100
CART_PRIORITY = 50
BACKFILL_PAGE = 500


def push_connectors(tx: Transaction, project: Project, what: str) -> list[Connector]:
    """The project's enabled Matomo connectors that push ``what`` (``pushOrders`` / ``pushCarts``)."""
    return [
        c
        for c in tx.connectors.list(project.id, ConnectorKind.MATOMO)
        if c.enabled and bool(c.settings.get(what, True))
    ]


def skips(status: str, settings: dict[str, Any]) -> bool:
    skipped = settings.get("skipStatuses")
    names = DEFAULT_SKIP_STATUSES if skipped is None else skipped
    return status.strip().lower() in {str(name).strip().lower() for name in names}


def _pushable(facts: OrderFacts, connector: Connector, since: datetime | None) -> bool:
    start = since if since is not None else connector.enabled_at
    if start is not None and facts.placed_at < start:
        return False
    return not skips(facts.status, connector.settings)


def _order_job(project: Project, connector: Connector, order_id: str, priority: int) -> NewJob:
    return NewJob(
        project_id=project.id,
        kind=ORDER_JOB,
        subject=order_id,
        payload={"orderId": order_id},
        connector_id=connector.id,
        dedupe_key=order_id,
        priority=priority,
    )


def orders_changed(tx: Transaction, project: Project, order_ids: Sequence[str], now: datetime) -> int:
    """Queues the push of changed orders to each Matomo connector (the hook's line); the number of jobs queued."""
    connectors = push_connectors(tx, project, "pushOrders")
    if not connectors or not order_ids:
        return 0
    facts = tx.matomo_push.order_facts(project.id, order_ids)
    queued = 0
    for connector in connectors:
        tracked = tx.matomo_push.tracked(connector.id, project.id, [f.order_id for f in facts])
        for fact in facts:
            if fact.order_id not in tracked and _pushable(fact, connector, None):
                job = _order_job(project, connector, fact.order_id, LIVE_PRIORITY)
                queued += enqueue(tx, job, now) is not None
    return queued


def backfill(
    uow: UnitOfWork,
    project: Project,
    connector: Connector,
    now: datetime,
    *,
    since: datetime | None = None,
    order_id: str | None = None,
) -> int:
    """Queues orders the connector has not tracked: one order (whatever its date), or every order placed since
    ``since``; statuses the connector skips are left out. The number of jobs queued."""
    if connector.kind is not ConnectorKind.MATOMO:
        raise InvalidInput(f"connector {connector.name!r} is not a Matomo connector", "connector")
    queued = 0
    with uow.transaction() as tx:
        if order_id is not None:
            facts = tx.matomo_push.order_facts(project.id, [order_id])
            if not facts:
                raise NotFound(f"no order {order_id!r} in project {project.name!r}")
            if tx.matomo_push.tracked(connector.id, project.id, [order_id]):
                return 0
            if skips(facts[0].status, connector.settings):
                raise InvalidInput(f"order {order_id!r} has status {facts[0].status!r}, which is skipped", "order")
            return int(enqueue(tx, _order_job(project, connector, order_id, BACKFILL_PRIORITY), now) is not None)
    if since is None:
        raise InvalidInput("give an order id or a date to push from", "since")
    after = ""
    while True:
        with uow.transaction() as tx:
            page = tx.matomo_push.untracked_since(connector.id, project.id, since, after, BACKFILL_PAGE)
            for fact in page:
                if _pushable(fact, connector, since):
                    job = _order_job(project, connector, fact.order_id, BACKFILL_PRIORITY)
                    queued += enqueue(tx, job, now) is not None
        if len(page) < BACKFILL_PAGE:
            return queued
        after = page[-1].order_id


def _project(tx: Transaction, context: JobContext) -> Project:
    project = tx.projects.by_id(context.job.project_id)
    if project is None:
        raise PermanentError("the project no longer exists")
    return project


def _connector(context: JobContext) -> Connector:
    if context.connector is None:
        raise PermanentError("the connector no longer exists")
    return context.connector


def order_to_push(tx: Transaction, project: Project, connector: Connector, order_id: str) -> OrderToPush | None:
    """The order and what its request needs; None when there is nothing to send (gone, tracked, skipped status)."""
    facts = tx.matomo_push.order_facts(project.id, [order_id])
    if not facts:
        log.info("order to push is gone", extra={"project": project.name, "order": order_id})
        return None
    if tx.matomo_push.tracked(connector.id, project.id, [order_id]):
        return None
    if skips(facts[0].status, connector.settings):
        log.info("order not pushed: skipped status", extra={"project": project.name, "status": facts[0].status})
        return None
    if facts[0].needs_linking:  # link first, so that the request carries the visit's attribution
        order_linking.link_pending_orders(tx, project)
    order = tx.reads.order(project.id, order_id)
    if order is None:
        return None
    customer_id = facts[0].customer_id
    product_ids = [str(item["productId"]) for item in order.get("products") or []]
    return OrderToPush(
        order=order,
        customer=tx.matomo_push.customer_keys(project.id, customer_id) if customer_id is not None else None,
        attribution=tx.matomo_push.attribution_session(project.id, order_id),
        categories=tx.matomo_push.product_categories(project.id, product_ids),
    )


def push_order(context: JobContext, tracker: MatomoTracker) -> None:
    """The ``matomo.push_order`` job: sends one order, keeps the outcome on it; raises a failure on for the outbox."""
    connector = _connector(context)
    order_id = str(context.job.payload["orderId"])
    with context.uow.transaction() as tx:
        project = _project(tx, context)
        push = order_to_push(tx, project, connector, order_id)
    if push is None:
        return
    fields = {"project": project.name, "connector": connector.name, "order": order_id, "job": context.job.id}
    try:
        tracked = tracker.track_order(push)
    except (PermanentError, TransientError) as error:  # kept on the order, then the outbox retries or buries it
        url = error.tracking_url if isinstance(error, TrackingRefused) else None
        reason = redact_values(error.message, context.secrets)
        with context.uow.transaction() as tx:
            tx.matomo_push.mark_failed(connector.id, project.id, order_id, reason, url, context.now())
        log.info("order not tracked in Matomo", extra={**fields, "reason": reason})
        raise
    with context.uow.transaction() as tx:
        tx.matomo_push.mark_tracked(
            connector.id, project.id, order_id, tracked.tracking_url, tracked.note, context.now()
        )
    log.info("order tracked in Matomo", extra={**fields, "tracking_url": tracked.tracking_url, "note": tracked.note})


def push_cart(context: JobContext, tracker: MatomoTracker) -> None:
    """The ``matomo.push_cart`` job: sends the visitor's latest cart."""
    connector = _connector(context)
    key = str(context.job.payload["cartKey"])
    with context.uow.read() as tx:
        cart = tx.matomo_push.cart(context.job.project_id, key)
    if cart is None:
        return
    tracked = tracker.track_cart(cart)
    log.info(
        "cart update tracked in Matomo",
        extra={"connector": connector.name, "job": context.job.id, "tracking_url": tracked.tracking_url},
    )


def cart_key(cart: CartUpdate) -> str | None:
    if cart.visitor_id:
        return f"visitor:{cart.visitor_id}"
    if cart.customer_email:
        return f"email:{cart.customer_email.lower()}"
    if cart.cart_id:
        return f"cart:{cart.cart_id}"
    return None


def _money(value: Decimal) -> str:
    return format(value.normalize(), "f")


def cart_json(tx: Transaction, project: Project, cart: CartUpdate) -> dict[str, Any]:
    """The stored cart, as the mapping reads it (with the customer, for connectors that send ``uid``)."""
    customer_id = tx.resources.visitor_customer_id(project.id, cart.visitor_id) if cart.visitor_id else None
    if customer_id is None and cart.customer_email:
        customer_id = tx.resources.customer_ids_by_email(project.id, [cart.customer_email]).get(cart.customer_email)
    return {
        "visitorId": cart.visitor_id,
        "email": cart.customer_email,
        "customer": tx.matomo_push.customer_keys(project.id, customer_id) if customer_id is not None else None,
        "items": [
            {
                "sku": item.sku,
                "name": item.name,
                "categories": list(item.categories),
                "price": _money(item.price),
                "quantity": _money(item.quantity),
            }
            for item in cart.items
        ],
        "total": _money(cart.total),
        "currency": cart.currency,
        "cartId": cart.cart_id,
        "at": int(cart.at.timestamp() * 1000),
        "ip": cart.ip,
        "userAgent": cart.user_agent,
        "source": cart.source,
    }


def cart_updated(tx: Transaction, project: Project, cart: CartUpdate, now: datetime) -> int:
    """Keeps the cart as the visitor's latest and queues its push (the hook's line); the number of jobs queued."""
    if cart.extra.get(PUSH_MARKER):
        return 0  # trackbridge's own push come back: never echoed
    connectors = [
        c
        for c in push_connectors(tx, project, "pushCarts")
        if cart.source != "matomo" or bool(c.settings.get("pushMatomoCartHits", True))
    ]
    key = cart_key(cart)
    if not connectors or key is None:
        return 0
    tx.matomo_push.save_cart(project.id, key, cart_json(tx, project, cart), now)
    queued = 0
    for connector in connectors:
        job = NewJob(
            project_id=project.id,
            kind=CART_JOB,
            subject=key,
            payload={"cartKey": key},
            connector_id=connector.id,
            dedupe_key=key,
            priority=CART_PRIORITY,
        )
        queued += enqueue(tx, job, now) is not None
    return queued
