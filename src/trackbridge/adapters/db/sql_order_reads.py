"""What linking, statuses and attribution say about one order, shaped for GET /api/v1/orders/{id}."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from trackbridge.adapters.db.order_tables import goal_conversions, order_attributions, order_links, order_status_events
from trackbridge.adapters.db.sql_matomo_push import order_pushes, outbound_audit
from trackbridge.adapters.db.tables import orders

JsonObject = dict[str, Any]


def _ms(moment: Any) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def order_details(connection: Connection, project_id: int, order_id: str) -> JsonObject:
    """``statusType``, ``statusHistory``, ``goals``, ``link`` (None until linked), ``attribution`` by model, and the
    outbound side: ``matomo`` (per Matomo connector: tracked, tracking URL, last failure) and ``outbound`` (the
    audit of every call made about the order)."""
    status_type = connection.execute(
        select(orders.c.status_type).where(orders.c.project_id == project_id, orders.c.id == order_id)
    ).scalar()
    history = connection.execute(
        select(order_status_events)
        .where(order_status_events.c.project_id == project_id, order_status_events.c.order_id == order_id)
        .order_by(order_status_events.c.id)
    ).mappings()
    goals = connection.execute(
        select(goal_conversions.c.goal, goal_conversions.c.converted_at)
        .where(goal_conversions.c.project_id == project_id, goal_conversions.c.order_id == order_id)
        .order_by(goal_conversions.c.converted_at, goal_conversions.c.id)
    )
    link = (
        connection.execute(
            select(order_links).where(order_links.c.project_id == project_id, order_links.c.order_id == order_id)
        )
        .mappings()
        .first()
    )
    attribution: dict[str, list[JsonObject]] = {}
    for row in connection.execute(
        select(order_attributions.c.model, order_attributions.c.session_id, order_attributions.c.credit_millionths)
        .where(order_attributions.c.project_id == project_id, order_attributions.c.order_id == order_id)
        .order_by(order_attributions.c.model, order_attributions.c.session_id)
    ):
        share = (Decimal(row.credit_millionths) / Decimal(1_000_000)).quantize(Decimal("0.000001"))
        attribution.setdefault(row.model, []).append({"sessionId": row.session_id, "credit": str(share)})
    return {
        "statusType": status_type,
        "statusHistory": [
            {
                "status": event["status"],
                "statusType": event["status_type"],
                "at": _ms(event["occurred_at"]),
                "affectsReports": bool(event["affects_reports"]),
            }
            for event in history
        ],
        "goals": [{"goal": goal, "at": _ms(at)} for goal, at in goals],
        "link": None
        if link is None
        else {
            "sessionId": link["session_id"],
            "matchedBy": link["matched_by"],
            "reason": link["reason"],
            "gapSeconds": link["gap_seconds"],
        },
        "attribution": attribution,
        "matomo": order_pushes(connection, project_id, order_id),
        "outbound": outbound_audit(connection, project_id, order_id),
    }
