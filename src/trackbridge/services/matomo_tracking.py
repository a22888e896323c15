"""Accepting Matomo Tracking API hits: resolve the site, check token_auth, parse, and store in one transaction.

A request (single hit or bulk) is stored in one transaction, oldest hit first, as Matomo does: the events go to the
inbox (``services.ingest.append_events``) and every e-commerce order id is claimed in ``matomo_order_claims`` in the
same transaction, so a repeated ``ec_id`` is refused when it arrives (Matomo's 400), never later. An order hit whose
claim is new creates a trackbridge order (status completed, placeholder products for unknown SKUs, the visitor's
customer or a guest customer), unless the backend already sent that order through the signed API: the stored order is
kept as it is and the hit's event is the evidence that links it to the visit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from trackbridge.domain.credentials import Scope
from trackbridge.domain.errors import ClientError
from trackbridge.domain.events import TrackedEvent
from trackbridge.domain.matomo_ecommerce import order_record, placeholder_products
from trackbridge.domain.matomo_hits import (
    AcceptedHit,
    HitContext,
    HitRejection,
    RejectionKind,
    parse_hit,
    site_id_of,
)
from trackbridge.domain.projects import Project
from trackbridge.services import order_events, outbound_hooks
from trackbridge.services import projects as project_service
from trackbridge.services.ingest import InboxWriter, append_events
from trackbridge.services.ports import Transaction, UnitOfWork

log = logging.getLogger(__name__)

SOURCE = "matomo"
GUEST_PREFIX = "guest-visitor:"
"""``external_id`` of the guest customer created for a visitor's e-commerce orders when no customer is known."""

Params = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Transport:
    """What the HTTP layer knows about the request that carried the hits."""

    received_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    accept_language: str | None = None


@dataclass
class TrackingResult:
    """Per hit, in the order sent: an accepted hit or the reason it was refused."""

    outcomes: list[AcceptedHit | HitRejection] = field(default_factory=list)
    authenticated: bool = False
    """True when the request's own token_auth (a bulk's top-level one) is a valid write API key."""

    @property
    def tracked(self) -> int:
        return sum(1 for outcome in self.outcomes if isinstance(outcome, AcceptedHit))

    @property
    def invalid_indices(self) -> list[int]:
        return [i for i, outcome in enumerate(self.outcomes) if isinstance(outcome, HitRejection)]


class _Credentials:
    """token_auth checks, once per distinct token of a request: the project a valid write key belongs to."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._known: dict[str, int | None] = {}

    def project_id(self, token: str | None) -> int | None:
        if not token:
            return None
        if token not in self._known:
            try:
                project, _key = project_service.authenticate_api_key(self._uow, token, Scope.WRITE)
            except ClientError:
                self._known[token] = None
            else:
                self._known[token] = project.id
        return self._known[token]


def track(
    uow: UnitOfWork,
    hits: Sequence[Params | None],
    transport: Transport,
    *,
    token_auth: str | None = None,
    writer: InboxWriter | None = None,
) -> TrackingResult:
    """Parses and stores the hits of one request; durable when this returns. ``token_auth`` is a bulk's top-level
    token (a hit's own one wins); a None hit is a bulk element that was not a string or an object. With a ``writer``,
    a request without e-commerce orders for a single project goes through its group commit (one transaction still)."""
    credentials = _Credentials(uow)
    projects = _projects(uow, hits)
    result = TrackingResult(authenticated=credentials.project_id(token_auth) is not None)
    placed: list[tuple[int, Project, AcceptedHit]] = []
    for index, params in enumerate(hits):
        outcome = _parse(params, projects, credentials, transport, token_auth)
        result.outcomes.append(outcome)
        if isinstance(outcome, AcceptedHit) and outcome.events:
            project = projects[site_id_of(params or {}) or 0]
            placed.append((index, project, outcome))
    if writer is not None and placed and _plain(placed):
        events = [event for _, _, hit in sorted(placed, key=lambda entry: entry[2].occurred_at) for event in hit.events]
        writer.submit(placed[0][1], events, source=SOURCE, received_at=transport.received_at).result()
    elif placed:
        with uow.transaction() as tx:
            for index in _store(tx, placed, transport.received_at):
                result.outcomes[index] = HitRejection(RejectionKind.INVALID, "this ec_id was tracked already")
    log.debug("matomo hits", extra={"tracked": result.tracked, "invalid": len(result.invalid_indices)})
    return result


def _plain(placed: Sequence[tuple[int, Project, AcceptedHit]]) -> bool:
    """No order to claim, and one project: the events can go to the inbox as one batch."""
    return all(hit.order is None for _, _, hit in placed) and len({project.id for _, project, _ in placed}) == 1


def _projects(uow: UnitOfWork, hits: Sequence[Params | None]) -> dict[int, Project]:
    site_ids = {site for params in hits if params is not None and (site := site_id_of(params)) is not None}
    found: dict[int, Project] = {}
    if site_ids:
        with uow.read() as tx:
            for site_id in sorted(site_ids):
                project = tx.projects.by_site_id(site_id)
                if project is not None:
                    found[site_id] = project
    return found


def _parse(
    params: Params | None,
    projects: Mapping[int, Project],
    credentials: _Credentials,
    transport: Transport,
    bulk_token: str | None,
) -> AcceptedHit | HitRejection:
    if params is None:
        return HitRejection(RejectionKind.INVALID, "a bulk request must be a query string or an object")
    site_id = site_id_of(params)
    project = projects.get(site_id) if site_id is not None else None
    if project is None:
        return HitRejection(RejectionKind.NOT_LOGGED, "idsite is missing or names no project")
    token = (params.get("token_auth") or "").strip() or bulk_token
    context = HitContext(
        received_at=transport.received_at,
        ip=transport.ip,
        user_agent=transport.user_agent,
        accept_language=transport.accept_language,
        authenticated=credentials.project_id(token) == project.id,
    )
    return parse_hit(params, context)


def _store(tx: Transaction, placed: Sequence[tuple[int, Project, AcceptedHit]], received_at: datetime) -> list[int]:
    """Stores accepted hits oldest first; answers the indices of hits refused for a repeated order id."""
    refused: list[int] = []
    batches: dict[int, tuple[Project, list[TrackedEvent]]] = {}
    for index, project, hit in sorted(placed, key=lambda entry: entry[2].occurred_at):
        order = hit.order
        if order is not None:
            if not tx.tracking.claim_matomo_order(project.id, str(order.properties["orderId"]), received_at):
                refused.append(index)
                continue
            _create_order(tx, project, order, received_at)
        batches.setdefault(project.id, (project, []))[1].extend(hit.events)
    for project, events in batches.values():
        append_events(tx, project, events, source=SOURCE, received_at=received_at)
    return refused


def _create_order(tx: Transaction, project: Project, event: TrackedEvent, now: datetime) -> None:
    record = order_record(event)
    if tx.reads.order(project.id, record.id) is not None:
        log.info("matomo order hit for a known order kept as evidence", extra={"project": project.name})
        return
    tx.resources.add_placeholder_products(project.id, placeholder_products(event), now)
    customer_id = tx.resources.visitor_customer_id(project.id, event.visitor_id)
    if customer_id is None:
        customer_id = tx.resources.guest_customer_id(project.id, GUEST_PREFIX + event.visitor_id, now)
    tx.resources.upsert_orders(project.id, [(record, customer_id)], now)
    order_events.after_store(tx, project, [record.id], now)
    outbound_hooks.orders_changed(tx, project, [record.id], now)
