"""A shop's backend telling trackbridge a visitor's cart changed (signed ``POST /v2/cart``)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from trackbridge.domain.carts import CartUpdate
from trackbridge.domain.projects import Project
from trackbridge.services import outbound_hooks
from trackbridge.services.ports import UnitOfWork

log = logging.getLogger(__name__)


def update_cart(uow: UnitOfWork, project: Project, cart: CartUpdate) -> None:
    """Hands the cart to the outbound connectors (the Matomo push queues it); nothing is called on the request path."""
    with uow.transaction() as tx:
        outbound_hooks.cart_updated(tx, project, cart, datetime.now(UTC))
    log.debug("cart update received", extra={"project": project.name, "items": len(cart.items)})
