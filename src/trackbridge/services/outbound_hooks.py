"""Where changes meet the outbound connectors: called in the SAME transaction as the change, so a change and the work
it calls for are stored together or not at all.

Each function has one line per feature that reacts (the Matomo push, the exports); they queue jobs in the outbox and
never call anything outside on the request path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from trackbridge.domain.carts import CartUpdate
from trackbridge.domain.export import EntityType
from trackbridge.domain.projects import Project
from trackbridge.services import exports, matomo_push
from trackbridge.services.ports import Transaction


def orders_changed(tx: Transaction, project: Project, order_ids: Sequence[str], now: datetime) -> None:
    """Orders created or changed (resource API, uploads, status changes); ``order_ids`` are the shop's ids."""
    if not order_ids or not _has_connectors(tx, project):
        return
    matomo_push.orders_changed(tx, project, order_ids, now)
    exports.queue_changes(tx, project.id, EntityType.ORDER, order_ids, now)


def customers_changed(
    tx: Transaction,
    project: Project,
    customer_ids: Sequence[int],
    now: datetime,
    *,
    emails: Sequence[str] = (),
    external_ids: Sequence[str] = (),
) -> None:
    """Customers created or changed, known by trackbridge's internal ids, or by e-mail (resource API, tags) or by the
    shop's own id (uploads' ``uniq_id`` = ``external_id``) when the caller does not hold the internal ids."""
    if not (customer_ids or emails or external_ids) or not _has_connectors(tx, project):
        return
    exports.queue_customer_changes(tx, project.id, customer_ids, emails, external_ids, now)


def products_changed(tx: Transaction, project: Project, product_ids: Sequence[str], now: datetime) -> None:
    """Products created or changed; ``product_ids`` are the shop's ids."""
    if not product_ids or not _has_connectors(tx, project):
        return
    exports.queue_changes(tx, project.id, EntityType.PRODUCT, product_ids, now)


def cart_updated(tx: Transaction, project: Project, cart: CartUpdate, now: datetime) -> None:
    """A visitor's cart changed (tracker setCart, Matomo cart hit, POST /v2/cart)."""
    if not _has_connectors(tx, project):
        return
    matomo_push.cart_updated(tx, project, cart, now)


def _has_connectors(tx: Transaction, project: Project) -> bool:
    """Cheap guard: most projects have no connector, and then nothing needs reading."""
    return any(c.enabled for c in tx.connectors.list(project.id))
