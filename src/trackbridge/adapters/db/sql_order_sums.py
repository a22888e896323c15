"""Order money summed per report group: live from orders (joined to their linked or attributed visit), or from the
daily order rollup that holds the same sums per day, model and source profile.

Sums are integers: money in 1/10,000 units, counts in orders; under models that share an order (linear, position
based, time decay) every term is multiplied by its credit in millionths. Each row carries the order currency ('' for
none: the base), the order's own exchange rate and, when asked, the project's rate for the currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement

from trackbridge.adapters.db.order_tables import currency_rates, order_attributions, order_links
from trackbridge.adapters.db.report_dimensions import session_dimensions
from trackbridge.adapters.db.report_tables import daily_order_rollup
from trackbridge.adapters.db.tables import order_refunds, orders
from trackbridge.adapters.db.tracking_tables import sessions
from trackbridge.services.report_ports import ReportScope

FULL_CREDIT = 1_000_000
UNLINKED = "(unlinked)"
METRICS = ("orders", "paid_orders", "revenue", "refunded", "profit", "orders_without_cost")
COUNTS = ("orders", "paid_orders", "orders_without_cost")
WHOLE_CREDIT_MODELS = frozenset({"last_non_direct", "last", "first"})
"""Models whose credit always goes whole to one visit: their sums need no multiplication."""


def units(column: ColumnElement[Any]) -> ColumnElement[int]:
    return sa.type_coerce(column, sa.BigInteger)


def live_order_sums(
    project_id: int,
    start: datetime,
    end: datetime,
    dims: Sequence[str],
    model: str | None,
    filters: Mapping[str, str],
    *,
    rates: bool,
) -> sa.Select[Any]:
    """Orders placed in [start, end), spam left out, grouped by ``dims`` of their visit, currency and rate.

    ``model`` None: each order whole on the visit it is linked to; else shared by its attributions under ``model``.
    """
    o = orders.c
    status = sa.func.coalesce(o.status_type, "OTHER")
    if model is None:
        joined = orders.outerjoin(
            order_links, sa.and_(order_links.c.project_id == o.project_id, order_links.c.order_id == o.id)
        ).outerjoin(sessions, sessions.c.id == order_links.c.session_id)
        credit: ColumnElement[int] = sa.literal(FULL_CREDIT)
    else:
        attributed = sa.and_(
            order_attributions.c.project_id == o.project_id,
            order_attributions.c.order_id == o.id,
            order_attributions.c.model == model,
        )
        joined = orders.outerjoin(order_attributions, attributed).outerjoin(
            sessions, sessions.c.id == order_attributions.c.session_id
        )
        credit = sa.func.coalesce(order_attributions.c.credit_millionths, FULL_CREDIT)
    refund_totals = (
        sa.select(
            order_refunds.c.order_id,
            sa.func.sum(sa.case((order_refunds.c.amount > 0, units(order_refunds.c.amount)), else_=0)).label(
                "requested"
            ),
        )
        .where(order_refunds.c.project_id == project_id)
        .group_by(order_refunds.c.order_id)
        .subquery()
    )
    joined = joined.outerjoin(refund_totals, refund_totals.c.order_id == o.id)
    currency = sa.func.upper(sa.func.coalesce(o.currency, ""))
    rate_column: ColumnElement[Any] = sa.null()
    if rates:
        joined = joined.outerjoin(
            currency_rates, sa.and_(currency_rates.c.project_id == o.project_id, currency_rates.c.currency == currency)
        )
        rate_column = currency_rates.c.rate
    amount = units(o.amount)
    requested = sa.func.coalesce(refund_totals.c.requested, 0)
    refunded = sa.case((requested > amount, amount), else_=requested)
    counted = status != "CANCELLED"
    costed = sa.and_(counted, o.cost.is_not(None))
    metrics: dict[str, ColumnElement[Any]] = {
        "orders": sa.literal(1),
        "paid_orders": sa.case((status == "PAID", 1), else_=0),
        "revenue": sa.case((counted, amount), else_=0),
        "refunded": sa.case((counted, refunded), else_=0),
        "profit": sa.case((costed, amount - refunded - units(o.cost)), else_=0),
        "orders_without_cost": sa.case((sa.and_(counted, o.cost.is_(None)), 1), else_=0),
    }
    dimensions = session_dimensions()
    keys = [sa.case((sessions.c.id.is_(None), UNLINKED), else_=dimensions[d]).label(d) for d in dims]
    exchange_rate = sa.func.coalesce(o.exchange_rate, "")
    grouped: list[ColumnElement[Any]] = (
        [*keys, currency, exchange_rate, rate_column] if rates else [*keys, currency, exchange_rate]
    )
    whole = model is None or model in WHOLE_CREDIT_MODELS
    # Shared credits multiply each amount by millionths: on SQLite a group's sum must stay under 2^63 units
    # (about 922 million in money); PostgreSQL sums bigints as numeric.
    sums = [sa.func.sum(metrics[name] if whole else metrics[name] * credit).label(name) for name in METRICS]
    conditions = [
        o.project_id == project_id,
        o.placed_at >= start,
        o.placed_at < end,
        status != "SPAM",
        *(dimensions[name] == value for name, value in filters.items()),
    ]
    selected = [*keys, currency.label("currency"), exchange_rate.label("exchange_rate")]
    if rates:
        selected.append(rate_column.label("rate"))
    return sa.select(*selected, *sums).select_from(joined).where(*conditions).group_by(*grouped)


def rolled_order_sums(scope: ReportScope, dims: Sequence[str], model: str) -> sa.Select[Any]:
    """The same rows as :func:`live_order_sums` (source dimensions only), from the daily order rollup."""
    table = daily_order_rollup
    rate = sa.and_(currency_rates.c.project_id == table.c.project_id, currency_rates.c.currency == table.c.currency)
    grouped = [*[table.c[d] for d in dims], table.c.currency, table.c.exchange_rate, currency_rates.c.rate]
    conditions = [
        table.c.project_id == scope.project_id,
        table.c.day.between(scope.first_day, scope.last_day),
        table.c.model == model,
        *(table.c[name] == value for name, value in scope.filters.items()),
    ]
    return (
        sa.select(*grouped, *[sa.func.sum(table.c[name]) for name in METRICS])
        .select_from(table.outerjoin(currency_rates, rate))
        .where(*conditions)
        .group_by(*grouped)
    )
