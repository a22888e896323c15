"""Linking orders to visits and attributing them, in the worker.

Orders marked ``needs_linking`` (stored or re-stored, or concerned by a late visit or identification) are linked to
the visit they came from (domain/linking.py) and attributed under every model (domain/attribution.py) over the
candidate visits that started in the project's link window at or before the order. A visit that started after the
order is never a candidate, so later visits never re-attribute an earlier order.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from trackbridge.domain.attribution import Attribution, Model, attribute_all
from trackbridge.domain.linking import Link, OrderToLink, link_order
from trackbridge.domain.projects import Project
from trackbridge.services.order_ports import Candidate, OrderForLinking
from trackbridge.services.ports import Transaction, UnitOfWork

log = logging.getLogger(__name__)

BATCH_ORDERS = 500
"""Orders linked per transaction."""
RECORDING_VISIT_SPAN = timedelta(days=2)
"""How long before an order the visit that recorded its order id (its e-commerce hit) may have started."""


def link_pending_orders(tx: Transaction, project: Project | None, limit: int = BATCH_ORDERS) -> int:
    """Links up to ``limit`` orders waiting for it (of ``project``, or of any project); the number linked."""
    repo = tx.order_links
    pending = repo.pending(None if project is None else project.id, limit)
    windows: dict[int, timedelta] = {}
    carrying: dict[int, dict[str, list[Candidate]]] = {}
    for project_id in sorted({order.project_id for order in pending}):
        windows[project_id] = timedelta(days=repo.link_window_days(project_id))
        theirs = [order for order in pending if order.project_id == project_id]
        since = min(order.placed_at for order in theirs) - min(RECORDING_VISIT_SPAN, windows[project_id])
        until = max(order.placed_at for order in theirs)
        carrying[project_id] = repo.carrying(project_id, [order.order_id for order in theirs], since, until)
    now = datetime.now(UTC)
    linked: list[tuple[OrderForLinking, Link, dict[Model, Attribution]]] = []
    for order in pending:
        window = windows[order.project_id]
        recorded = carrying[order.project_id].get(order.order_id, [])
        candidates = repo.candidates(order, order.placed_at - window, order.placed_at, recorded)
        to_link = OrderToLink(order.order_id, order.placed_at, order.visitor_id, order.customer_id, order.client_ids)
        link = link_order(to_link, [candidate.visit for candidate in candidates], window)
        touchpoints = [candidate.touchpoint for candidate in candidates]
        linked.append((order, link, attribute_all(order.placed_at, touchpoints, window=window)))
    repo.save_all(linked, now)
    if pending:
        log.debug("orders linked", extra={"orders": len(pending)})
    return len(pending)


def link_pending(uow: UnitOfWork, limit: int = BATCH_ORDERS) -> int:
    """One transaction of linking for the worker's idle loop; the number of orders linked (0: none waiting)."""
    with uow.transaction() as tx:
        return link_pending_orders(tx, None, limit)


def mark_visits(tx: Transaction, project: Project, spans: Mapping[str, tuple[datetime, datetime]]) -> int:
    """After the worker stored visits (and identification ran): marks the orders they may concern for re-linking."""
    if not spans:
        return 0
    repo = tx.order_links
    return repo.mark_for_visits(project.id, spans, repo.link_window_days(project.id))
