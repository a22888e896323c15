"""Historical export runs in SQL (part of ``tx.exports``): per destination, which entity types, the last id queued of
each (to restart an interrupted export), how many there were and how many are queued."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from trackbridge.adapters.db.export_tables import export_runs
from trackbridge.domain.export import EntityType, ExportRun, RunState


def _run(row: RowMapping) -> ExportRun:
    return ExportRun(
        id=int(row["id"]),
        connector_id=row["connector_id"],
        project_id=row["project_id"],
        state=RunState(row["state"]),
        entities=tuple(EntityType(e) for e in row["entities"]),
        cursors=dict(row["cursors"]),
        totals={k: int(v) for k, v in row["totals"].items()},
        queued={k: int(v) for k, v in row["queued"].items()},
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
    )


class SqlExportRunsMixin:
    _c: Connection

    def start_run(
        self, connector_id: int, project_id: int, entities: Sequence[EntityType], totals: dict[str, int], now: datetime
    ) -> ExportRun:
        run_id = self._c.execute(
            insert(export_runs)
            .values(
                connector_id=connector_id,
                project_id=project_id,
                state=RunState.QUEUING.value,
                entities=[e.value for e in entities],
                cursors={},
                totals=totals,
                queued={e.value: 0 for e in entities},
                started_at=now,
                updated_at=now,
                finished_at=None,
            )
            .returning(export_runs.c.id)
        ).scalar_one()
        return self._run_by_id(int(run_id))

    def _run_by_id(self, run_id: int) -> ExportRun:
        return _run(self._c.execute(select(export_runs).where(export_runs.c.id == run_id)).mappings().one())

    def open_run(self, connector_id: int) -> ExportRun | None:
        row = (
            self._c.execute(
                select(export_runs)
                .where(export_runs.c.connector_id == connector_id, export_runs.c.state == RunState.QUEUING.value)
                .order_by(export_runs.c.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        return None if row is None else _run(row)

    def latest_run(self, connector_id: int) -> ExportRun | None:
        row = (
            self._c.execute(
                select(export_runs)
                .where(export_runs.c.connector_id == connector_id)
                .order_by(export_runs.c.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        return None if row is None else _run(row)

    def advance_run(
        self, run_id: int, entity: EntityType, cursor: str, added: int, now: datetime, state: RunState | None = None
    ) -> ExportRun:
        run = self._run_by_id(run_id)
        values: dict[str, Any] = {
            "cursors": {**run.cursors, entity.value: cursor},
            "queued": {**run.queued, entity.value: run.queued.get(entity.value, 0) + added},
            "updated_at": now,
        }
        if state is not None:
            values["state"] = state.value
            if state is not RunState.QUEUING:
                values["finished_at"] = now
        self._c.execute(update(export_runs).where(export_runs.c.id == run_id).values(**values))
        return self._run_by_id(run_id)

    def set_run_state(self, run_id: int, state: RunState, now: datetime) -> None:
        finished = None if state is RunState.QUEUING else now
        self._c.execute(
            update(export_runs)
            .where(export_runs.c.id == run_id)
            .values(state=state.value, updated_at=now, finished_at=finished)
        )
