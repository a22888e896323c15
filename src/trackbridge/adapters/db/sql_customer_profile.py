"""What a customer page shows beside the timeline, in SQL: devices, locations, sources, products viewed and bought,
each order's status history, and the operator merges the customer took part in.

Every figure is read over the customer's visits and orders (by the indexes on ``customer_id``). Times are epoch
milliseconds and money decimal strings, as in the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Connection

from trackbridge.adapters.db.chunks import in_chunks
from trackbridge.adapters.db.identity_tables import customer_merges
from trackbridge.adapters.db.order_tables import order_status_events
from trackbridge.adapters.db.report_dimensions import session_dimensions
from trackbridge.adapters.db.sql_reads import epoch_ms
from trackbridge.adapters.db.tables import order_items, orders, products
from trackbridge.adapters.db.tracking_tables import actions, sessions
from trackbridge.services.customer_directory_ports import MergeRecord

JsonObject = dict[str, Any]
_ROWS = 50


class SqlCustomerProfileRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def merges_of(self, project_id: int, customer_id: int) -> list[MergeRecord]:
        m = customer_merges.c
        rows = self._c.execute(
            sa.select(m.id, m.kept_customer_id, m.merged_customer_id, m.by, m.at, m.undone_at, m.undone_by)
            .where(
                m.project_id == project_id,
                sa.or_(m.kept_customer_id == customer_id, m.merged_customer_id == customer_id),
            )
            .order_by(m.at.desc(), m.id.desc())
        )
        return [
            MergeRecord(
                int(row.id),
                int(row.kept_customer_id),
                int(row.merged_customer_id),
                row.by,
                row.at,
                row.undone_at,
                row.undone_by,
            )
            for row in rows
        ]

    def profile(self, project_id: int, customer_ids: Sequence[int]) -> JsonObject:
        ids = list(customer_ids)
        mine = sa.and_(sessions.c.project_id == project_id, sessions.c.customer_id.in_(ids))
        s = sessions.c
        dims = session_dimensions()
        visits = self._c.execute(sa.select(sa.func.count()).select_from(sessions).where(mine)).scalar_one()
        placed = self._orders_of(project_id, ids)
        return {
            "visitCount": int(visits),
            "devices": self._grouped(
                mine,
                {
                    "type": s.device_type,
                    "brand": s.device_brand,
                    "model": s.device_model,
                    "os": s.os_name,
                    "browser": s.browser_name,
                },
            ),
            "locations": self._grouped(
                mine,
                {"countryCode": s.country_code, "countryName": s.country_name, "region": s.region_name, "city": s.city},
            ),
            "sources": self._grouped(
                mine,
                {
                    "source": dims["source"],
                    "medium": dims["medium"],
                    "campaign": s.utm_campaign,
                    "channel": s.channel,
                    "leadSource": s.lead_source,
                },
            ),
            "productsViewed": self._viewed(project_id, mine),
            "productsBought": self._bought(project_id, placed),
            "orderHistory": self._history(project_id, list(placed)),
        }

    def _grouped(self, mine: ColumnElement[bool], columns: dict[str, ColumnElement[Any]]) -> list[JsonObject]:
        """Visits per distinct combination of ``columns``, busiest first, with the first and last time seen."""
        labelled = [column.label(name) for name, column in columns.items()]
        rows = self._c.execute(
            sa.select(
                *labelled,
                sa.func.count().label("visits"),
                sa.func.min(sessions.c.started_at).label("first"),
                sa.func.max(sessions.c.last_action_at).label("last"),
            )
            .where(mine)
            .group_by(*columns.values())
            .order_by(sa.func.count().desc(), sa.func.max(sessions.c.last_action_at).desc())
            .limit(_ROWS)
        ).mappings()
        return [
            {
                **{name: row[name] or None for name in columns},
                "visits": int(row["visits"]),
                "firstSeen": epoch_ms(row["first"]),
                "lastSeen": epoch_ms(row["last"]),
            }
            for row in rows
        ]

    def _viewed(self, project_id: int, mine: ColumnElement[bool]) -> list[JsonObject]:
        product = actions.c.properties["productId"].as_string()
        viewed = (
            sa.select(
                product.label("product_id"),
                sa.func.count().label("views"),
                sa.func.max(actions.c.occurred_at).label("last"),
            )
            .select_from(actions.join(sessions, sessions.c.id == actions.c.session_id))
            .where(mine, actions.c.type == "product_view", product.is_not(None))
            .group_by(product)
            .order_by(sa.func.count().desc(), sa.func.max(actions.c.occurred_at).desc())
            .limit(_ROWS)
        )
        rows = list(self._c.execute(viewed).mappings())
        names = self._names(project_id, [str(row["product_id"]) for row in rows])
        return [
            {
                "productId": row["product_id"],
                "name": names.get(str(row["product_id"])),
                "views": int(row["views"]),
                "lastViewed": epoch_ms(row["last"]),
            }
            for row in rows
        ]

    def _orders_of(self, project_id: int, ids: Sequence[int]) -> dict[str, Any]:
        """These customers' orders: id → when placed (by the index on ``customer_id``).

        The items and status events are then read by order id: joined to ``orders`` in one statement, PostgreSQL
        without table statistics scanned every order of the project once per item (0.4 s for 400 orders)."""
        rows = self._c.execute(
            sa.select(orders.c.id, orders.c.placed_at).where(
                orders.c.project_id == project_id, orders.c.customer_id.in_(ids)
            )
        )
        return {str(row.id): row.placed_at for row in rows}

    def _bought(self, project_id: int, placed: dict[str, Any]) -> list[JsonObject]:
        i = order_items.c
        totals: dict[str, JsonObject] = {}
        for chunk in in_chunks(sorted(placed)):
            rows = self._c.execute(
                sa.select(i.order_id, i.product_id, i.name, i.quantity).where(
                    i.project_id == project_id, i.order_id.in_(chunk)
                )
            )
            for row in rows:
                product = totals.setdefault(
                    str(row.product_id), {"names": [], "quantity": 0, "orders": set(), "last": None}
                )
                if row.name:
                    product["names"].append(row.name)
                product["quantity"] += int(row.quantity or 0)
                product["orders"].add(row.order_id)
                when = placed[row.order_id]
                if when is not None and (product["last"] is None or when > product["last"]):
                    product["last"] = when
        found = sorted(totals.items(), key=lambda item: (-item[1]["quantity"], item[0]))[:_ROWS]
        names = self._names(project_id, [product_id for product_id, row in found if not row["names"]])
        return [
            {
                "productId": product_id,
                "name": max(row["names"]) if row["names"] else names.get(product_id),
                "quantity": row["quantity"],
                "orders": len(row["orders"]),
                "lastBought": epoch_ms(row["last"]),
            }
            for product_id, row in found
        ]

    def _names(self, project_id: int, product_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in in_chunks(list(dict.fromkeys(product_ids))):
            rows = self._c.execute(
                sa.select(products.c.id, products.c.name).where(
                    products.c.project_id == project_id, products.c.id.in_(chunk)
                )
            )
            found.update({str(row.id): row.name for row in rows})
        return found

    def _history(self, project_id: int, order_ids: Sequence[str]) -> dict[str, list[JsonObject]]:
        """Per order of these customers, every status it had, in the order it arrived."""
        e = order_status_events.c
        history: dict[str, list[JsonObject]] = {}
        for chunk in in_chunks(sorted(order_ids)):
            rows = self._c.execute(
                sa.select(e.order_id, e.status, e.status_type, e.occurred_at, e.recorded_at, e.affects_reports)
                .where(e.project_id == project_id, e.order_id.in_(chunk))
                .order_by(e.order_id, e.occurred_at, e.id)
            )
            for row in rows:
                history.setdefault(row.order_id, []).append(
                    {
                        "status": row.status,
                        "statusType": row.status_type,
                        "at": epoch_ms(row.occurred_at),
                        "recordedAt": epoch_ms(row.recorded_at),
                        "affectsReports": bool(row.affects_reports),
                    }
                )
        return history
