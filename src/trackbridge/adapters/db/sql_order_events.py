"""Order status history, goal conversions and the order settings of a project, in SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from trackbridge.adapters.db.bulk import BulkWrite
from trackbridge.adapters.db.chunks import in_chunks as _chunks
from trackbridge.adapters.db.order_tables import (
    currency_rates,
    goal_conversions,
    order_status_events,
    status_mappings,
)
from trackbridge.adapters.db.tables import customers, orders, projects
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.goals import Goal, GoalConversion
from trackbridge.domain.order_status import StatusEvent, StatusType, reported_status
from trackbridge.services.order_ports import NewStatusEvent, OrderSettings, StoredStatus

_STATUS_EVENTS = BulkWrite(
    order_status_events,
    lambda _dialect: insert(order_status_events),
    ["project_id", "recorded_at"],
    ["order_id", "status", "status_type", "occurred_at", "affects_reports"],
)
_GOALS = BulkWrite(
    goal_conversions,
    lambda dialect: upsert(dialect, goal_conversions, ["project_id", "order_id", "goal"]),
    ["project_id"],
    ["order_id", "goal", "converted_at"],
)


class SqlOrderEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._dialect = connection.dialect.name

    def settings(self, project_id: int) -> OrderSettings:
        windows = self._c.execute(
            select(projects.c.link_window_days, projects.c.status_window_days).where(projects.c.id == project_id)
        ).first()
        mapping = self._c.execute(
            select(status_mappings.c.status, status_mappings.c.status_type).where(
                status_mappings.c.project_id == project_id
            )
        ).all()
        rates = self._c.execute(
            select(currency_rates.c.currency, currency_rates.c.rate).where(currency_rates.c.project_id == project_id)
        ).all()
        return OrderSettings(
            link_window_days=int(windows.link_window_days) if windows else 21,
            status_window_days=int(windows.status_window_days) if windows else 90,
            status_mapping={status: StatusType(kind) for status, kind in mapping},
            currency_rates=dict(rates),
        )

    def replace_status_mapping(self, project_id: int, mapping: Mapping[str, StatusType]) -> None:
        self._c.execute(delete(status_mappings).where(status_mappings.c.project_id == project_id))
        if mapping:
            self._c.execute(
                insert(status_mappings),
                [
                    {"project_id": project_id, "status": name, "status_type": kind.value}
                    for name, kind in mapping.items()
                ],
            )

    def replace_currency_rates(self, project_id: int, rates: Mapping[str, str]) -> None:
        self._c.execute(delete(currency_rates).where(currency_rates.c.project_id == project_id))
        if rates:
            self._c.execute(
                insert(currency_rates),
                [{"project_id": project_id, "currency": code, "rate": rate} for code, rate in rates.items()],
            )

    def set_windows(self, project_id: int, link_window_days: int | None, status_window_days: int | None) -> None:
        values = {
            name: value
            for name, value in (("link_window_days", link_window_days), ("status_window_days", status_window_days))
            if value is not None
        }
        if values:
            self._c.execute(update(projects).where(projects.c.id == project_id).values(**values))

    def stored_statuses(self, project_id: int, order_ids: Sequence[str]) -> list[StoredStatus]:
        found: list[StoredStatus] = []
        for chunk in _chunks(order_ids):
            rows = self._c.execute(
                select(orders.c.id, orders.c.placed_at, orders.c.status).where(
                    orders.c.project_id == project_id, orders.c.id.in_(chunk)
                )
            ).all()
            last: dict[str, str] = {}
            for order_id, status in self._c.execute(
                select(order_status_events.c.order_id, order_status_events.c.status)
                .where(order_status_events.c.project_id == project_id, order_status_events.c.order_id.in_(chunk))
                .order_by(order_status_events.c.id)
            ):
                last[order_id] = status
            fired: dict[str, set[Goal]] = defaultdict(set)
            for order_id, goal in self._c.execute(
                select(goal_conversions.c.order_id, goal_conversions.c.goal).where(
                    goal_conversions.c.project_id == project_id, goal_conversions.c.order_id.in_(chunk)
                )
            ):
                fired[order_id].add(Goal(goal))
            found.extend(
                StoredStatus(row.id, row.placed_at, row.status, last.get(row.id), frozenset(fired[row.id]))
                for row in rows
            )
        return found

    def record(
        self,
        project_id: int,
        events: Sequence[NewStatusEvent],
        goals: Sequence[tuple[str, GoalConversion]],
        status_types: Mapping[str, StatusType],
        now: datetime,
    ) -> None:
        _STATUS_EVENTS.execute(
            self._c,
            {"project_id": project_id, "recorded_at": now},
            [(e.order_id, e.status, e.status_type.value, e.occurred_at, e.affects_reports) for e in events],
        )
        unique_goals = {(order_id, g.goal.value): g.at for order_id, g in goals}
        _GOALS.execute(
            self._c,
            {"project_id": project_id},
            [(order_id, goal, at) for (order_id, goal), at in unique_goals.items()],
        )
        self._set_types(project_id, status_types)

    def _set_types(self, project_id: int, status_types: Mapping[str, StatusType]) -> None:
        """One UPDATE per status type (a handful), not one per order."""
        by_type: dict[StatusType, list[str]] = defaultdict(list)
        for order_id, kind in status_types.items():
            by_type[kind].append(order_id)
        for kind, order_ids in by_type.items():
            for chunk in _chunks(order_ids):
                self._c.execute(
                    update(orders)
                    .where(orders.c.project_id == project_id, orders.c.id.in_(chunk))
                    .values(status_type=kind.value)
                )

    def mark_needs_linking(self, project_id: int, order_ids: Sequence[str]) -> None:
        for chunk in _chunks(order_ids):
            self._c.execute(
                update(orders)
                .where(orders.c.project_id == project_id, orders.c.id.in_(chunk))
                .values(needs_linking=True)
            )

    def mark_customer_orders(self, project_id: int, external_ids: Sequence[str]) -> None:
        for chunk in _chunks(sorted(set(external_ids))):
            owners = select(customers.c.id).where(
                customers.c.project_id == project_id, customers.c.external_id.in_(chunk)
            )
            self._c.execute(
                update(orders)
                .where(orders.c.project_id == project_id, orders.c.customer_id.in_(owners))
                .values(needs_linking=True)
            )

    def stored_status_names(self, project_id: int) -> list[str]:
        query = select(order_status_events.c.status).where(order_status_events.c.project_id == project_id)
        return sorted(set(self._c.execute(query.distinct()).scalars()))

    def remap_status_types(self, project_id: int, type_of: Mapping[str, StatusType], status_window_days: int) -> int:
        for status, kind in type_of.items():
            self._c.execute(
                update(order_status_events)
                .where(order_status_events.c.project_id == project_id, order_status_events.c.status == status)
                .values(status_type=kind.value)
            )
        histories: dict[str, list[StatusEvent]] = defaultdict(list)
        placed: dict[str, datetime] = {}
        rows = self._c.execute(
            select(
                order_status_events.c.order_id,
                order_status_events.c.status,
                order_status_events.c.status_type,
                order_status_events.c.occurred_at,
                orders.c.placed_at,
            )
            .join(
                orders,
                (orders.c.project_id == order_status_events.c.project_id)
                & (orders.c.id == order_status_events.c.order_id),
            )
            .where(order_status_events.c.project_id == project_id)
            .order_by(order_status_events.c.id)
        )
        for row in rows:
            histories[row.order_id].append(StatusEvent(row.occurred_at, StatusType(row.status_type), row.status))
            placed[row.order_id] = row.placed_at
        window = timedelta(days=status_window_days)
        types: dict[str, StatusType] = {}
        for order_id, history in histories.items():
            shown = reported_status(history, placed[order_id], window)
            if shown is not None:
                types[order_id] = shown.type
        self._set_types(project_id, types)
        return len(types)
