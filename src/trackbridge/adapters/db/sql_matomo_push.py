"""The Matomo push's storage: tracked flags per connector and order, the latest cart per visitor, and the reads an
order's Matomo request needs (its attributed visit, its customer's keys, its products' category names)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from trackbridge.adapters.db.chunks import in_chunks
from trackbridge.adapters.db.matomo_push_tables import matomo_carts, matomo_order_pushes
from trackbridge.adapters.db.order_tables import order_attributions, order_links
from trackbridge.adapters.db.outbound_tables import connectors
from trackbridge.adapters.db.sql_outbox import SqlOutboundLogRepository
from trackbridge.adapters.db.tables import categories, customers, orders, products
from trackbridge.adapters.db.tracking_tables import sessions
from trackbridge.adapters.db.upsert import upsert
from trackbridge.services.matomo_push_ports import OrderFacts

JsonObject = dict[str, Any]
ATTRIBUTION_MODEL = "last_non_direct"


def _facts(row: RowMapping) -> OrderFacts:
    return OrderFacts(
        order_id=row["id"],
        status=row["status"],
        placed_at=row["placed_at"],
        customer_id=row["customer_id"],
        needs_linking=bool(row["needs_linking"]),
    )


_FACT_COLUMNS = (orders.c.id, orders.c.status, orders.c.placed_at, orders.c.customer_id, orders.c.needs_linking)


class SqlMatomoPushRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name

    def order_facts(self, project_id: int, order_ids: Sequence[str]) -> list[OrderFacts]:
        found: list[OrderFacts] = []
        for chunk in in_chunks(list(dict.fromkeys(order_ids))):
            rows = self._c.execute(
                select(*_FACT_COLUMNS).where(orders.c.project_id == project_id, orders.c.id.in_(chunk))
            ).mappings()
            found.extend(_facts(row) for row in rows)
        return found

    def tracked(self, connector_id: int, project_id: int, order_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in in_chunks(list(dict.fromkeys(order_ids))):
            found.update(
                self._c.execute(
                    select(matomo_order_pushes.c.order_id).where(
                        matomo_order_pushes.c.connector_id == connector_id,
                        matomo_order_pushes.c.project_id == project_id,
                        matomo_order_pushes.c.order_id.in_(chunk),
                        matomo_order_pushes.c.tracked_at.is_not(None),
                    )
                ).scalars()
            )
        return found

    def untracked_since(
        self, connector_id: int, project_id: int, since: datetime, after_id: str, limit: int
    ) -> list[OrderFacts]:
        tracked = (
            select(matomo_order_pushes.c.order_id)
            .where(
                matomo_order_pushes.c.connector_id == connector_id,
                matomo_order_pushes.c.project_id == project_id,
                matomo_order_pushes.c.tracked_at.is_not(None),
            )
            .scalar_subquery()
        )
        rows = self._c.execute(
            select(*_FACT_COLUMNS)
            .where(
                orders.c.project_id == project_id,
                orders.c.placed_at >= since,
                orders.c.id > after_id,
                orders.c.id.not_in(tracked),
            )
            .order_by(orders.c.id)
            .limit(limit)
        ).mappings()
        return [_facts(row) for row in rows]

    def _save(self, values: JsonObject, override: Sequence[str]) -> None:
        statement = upsert(
            self._dialect, matomo_order_pushes, ["connector_id", "project_id", "order_id"], override=override
        )
        self._c.execute(statement, [values])

    def mark_tracked(
        self, connector_id: int, project_id: int, order_id: str, tracking_url: str, note: str | None, now: datetime
    ) -> None:
        values = {
            "connector_id": connector_id,
            "project_id": project_id,
            "order_id": order_id,
            "tracked_at": now,
            "tracking_url": tracking_url,
            "note": note,
            "last_failure": None,
            "failed_at": None,
            "updated_at": now,
        }
        self._save(values, ["tracked_at", "tracking_url", "note", "last_failure", "failed_at", "updated_at"])

    def mark_failed(
        self, connector_id: int, project_id: int, order_id: str, reason: str, tracking_url: str | None, now: datetime
    ) -> None:
        values = {
            "connector_id": connector_id,
            "project_id": project_id,
            "order_id": order_id,
            "tracked_at": None,
            "tracking_url": tracking_url,
            "note": None,
            "last_failure": reason,
            "failed_at": now,
            "updated_at": now,
        }
        override = ["last_failure", "failed_at", "updated_at"] + (["tracking_url"] if tracking_url else [])
        self._save(values, override)

    def attribution_session(self, project_id: int, order_id: str) -> JsonObject | None:
        credited = self._c.execute(
            select(order_attributions.c.session_id)
            .where(
                order_attributions.c.project_id == project_id,
                order_attributions.c.order_id == order_id,
                order_attributions.c.model == ATTRIBUTION_MODEL,
            )
            .order_by(order_attributions.c.credit_millionths.desc(), order_attributions.c.session_id.desc())
            .limit(1)
        ).scalar()
        if credited is None:
            credited = self._c.execute(
                select(order_links.c.session_id).where(
                    order_links.c.project_id == project_id, order_links.c.order_id == order_id
                )
            ).scalar()
        if credited is None:
            return None
        row = (
            self._c.execute(
                select(
                    sessions.c.referrer_type,
                    sessions.c.referrer_name,
                    sessions.c.referrer_keyword,
                    sessions.c.referrer_url,
                    sessions.c.utm_campaign,
                    sessions.c.utm_term,
                    sessions.c.started_at,
                ).where(sessions.c.project_id == project_id, sessions.c.id == credited)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return {
            "referrerType": row["referrer_type"],
            "referrerName": row["referrer_name"],
            "referrerKeyword": row["referrer_keyword"],
            "referrerUrl": row["referrer_url"],
            "utmCampaign": row["utm_campaign"],
            "utmTerm": row["utm_term"],
            "startedAt": row["started_at"],
        }

    def customer_keys(self, project_id: int, customer_id: int) -> JsonObject | None:
        row = (
            self._c.execute(
                select(customers.c.id, customers.c.external_id, customers.c.email).where(
                    customers.c.project_id == project_id, customers.c.id == customer_id
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else {"id": row["id"], "externalId": row["external_id"], "email": row["email"]}

    def product_categories(self, project_id: int, product_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for chunk in in_chunks(list(dict.fromkeys(product_ids))):
            rows = self._c.execute(
                select(products.c.id, products.c.categories).where(
                    products.c.project_id == project_id, products.c.id.in_(chunk)
                )
            )
            found.update({row.id: [str(c) for c in row.categories or []] for row in rows})
        ids = sorted({c for names in found.values() for c in names})
        names: dict[str, str] = {}
        for chunk in in_chunks(ids):
            rows = self._c.execute(
                select(categories.c.id, categories.c.name).where(
                    categories.c.project_id == project_id, categories.c.id.in_(chunk)
                )
            )
            names.update({row.id: row.name for row in rows})
        return {product: [names.get(c, c) for c in cats] for product, cats in found.items()}

    def save_cart(self, project_id: int, cart_key: str, cart: JsonObject, now: datetime) -> None:
        statement = upsert(self._dialect, matomo_carts, ["project_id", "cart_key"], override=["cart", "updated_at"])
        self._c.execute(statement, [{"project_id": project_id, "cart_key": cart_key, "cart": cart, "updated_at": now}])

    def cart(self, project_id: int, cart_key: str) -> JsonObject | None:
        found = self._c.execute(
            select(matomo_carts.c.cart).where(
                matomo_carts.c.project_id == project_id, matomo_carts.c.cart_key == cart_key
            )
        ).scalar()
        return dict(found) if found is not None else None


def order_pushes(connection: Connection, project_id: int, order_id: str) -> list[JsonObject]:
    """The Matomo section of GET /api/v1/orders/{id}: per Matomo connector, tracked or not, URL, last failure."""
    rows = connection.execute(
        select(matomo_order_pushes, connectors.c.name)
        .join(connectors, connectors.c.id == matomo_order_pushes.c.connector_id)
        .where(matomo_order_pushes.c.project_id == project_id, matomo_order_pushes.c.order_id == order_id)
        .order_by(matomo_order_pushes.c.connector_id)
    ).mappings()
    return [
        {
            "connectorId": row["connector_id"],
            "connector": row["name"],
            "tracked": row["tracked_at"] is not None,
            "trackedAt": None if row["tracked_at"] is None else int(row["tracked_at"].timestamp() * 1000),
            "trackingUrl": row["tracking_url"],
            "note": row["note"],
            "lastFailure": row["last_failure"],
            "failedAt": None if row["failed_at"] is None else int(row["failed_at"].timestamp() * 1000),
        }
        for row in rows
    ]


def outbound_audit(connection: Connection, project_id: int, subject: str) -> list[JsonObject]:
    """Every outbound call made about one order (any connector), oldest first: its audit on GET /api/v1/orders/{id}.

    Matomo jobs name the order by its id, export batches by ``order:<id>``; both are the order's calls."""
    log = SqlOutboundLogRepository(connection)
    calls = [*log.requests_for_subject(project_id, subject), *log.requests_for_subject(project_id, f"order:{subject}")]
    return [
        {
            "connectorId": logged.connector_id,
            "jobId": logged.job_id,
            "at": int(logged.record.at.timestamp() * 1000),
            "method": logged.record.method,
            "url": logged.record.url,
            "status": logged.record.status,
            "durationMs": logged.record.duration_ms,
            "outcome": logged.record.outcome,
        }
        for logged in sorted(calls, key=lambda logged: logged.id)
    ]
