"""Connectors in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.engine import RowMapping

from trackbridge.adapters.db.outbound_tables import connectors
from trackbridge.domain.outbound import Connector, ConnectorKind, ConnectorState

_PUBLIC = [c for c in connectors.c if c.name != "credential_ciphertext"]


class SqlConnectorRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(
        self,
        *,
        project_id: int,
        kind: ConnectorKind,
        name: str,
        enabled: bool,
        settings: dict[str, Any],
        credential_ciphertext: str | None,
        credential_hint: str,
        next_run_at: datetime | None,
        now: datetime,
    ) -> Connector:
        new_id = self._c.execute(
            insert(connectors)
            .values(
                project_id=project_id,
                kind=kind.value,
                name=name,
                enabled=enabled,
                settings=settings,
                credential_ciphertext=credential_ciphertext,
                credential_hint=credential_hint,
                state=ConnectorState.OK.value,
                enabled_at=now if enabled else None,
                next_run_at=next_run_at,
                created_at=now,
                updated_at=now,
            )
            .returning(connectors.c.id)
        ).scalar_one()
        found = self.by_id(int(new_id))
        assert found is not None
        return found

    def update(self, connector_id: int, now: datetime, **values: Any) -> Connector:
        if "kind" in values and isinstance(values["kind"], ConnectorKind):
            values["kind"] = values["kind"].value
        if "state" in values and isinstance(values["state"], ConnectorState):
            values["state"] = values["state"].value
        self._c.execute(update(connectors).where(connectors.c.id == connector_id).values(updated_at=now, **values))
        found = self.by_id(connector_id)
        assert found is not None
        return found

    def by_id(self, connector_id: int) -> Connector | None:
        row = self._c.execute(select(*_PUBLIC).where(connectors.c.id == connector_id)).mappings().first()
        return None if row is None else _connector(row)

    def by_name(self, project_id: int, name: str) -> Connector | None:
        row = (
            self._c.execute(select(*_PUBLIC).where(connectors.c.project_id == project_id, connectors.c.name == name))
            .mappings()
            .first()
        )
        return None if row is None else _connector(row)

    def list(self, project_id: int | None = None, kind: ConnectorKind | None = None) -> Sequence[Connector]:
        query = select(*_PUBLIC).order_by(connectors.c.project_id, connectors.c.id)
        if project_id is not None:
            query = query.where(connectors.c.project_id == project_id)
        if kind is not None:
            query = query.where(connectors.c.kind == kind.value)
        return [_connector(row) for row in self._c.execute(query).mappings()]

    def remove(self, connector_id: int) -> bool:
        return self._c.execute(delete(connectors).where(connectors.c.id == connector_id)).rowcount > 0

    def credential_ciphertext(self, connector_id: int) -> str | None:
        value = self._c.execute(
            select(connectors.c.credential_ciphertext).where(connectors.c.id == connector_id)
        ).scalar_one_or_none()
        return None if value is None else str(value)

    def set_state(self, connector_id: int, state: ConnectorState, message: str | None, at: datetime) -> None:
        self._c.execute(
            update(connectors)
            .where(connectors.c.id == connector_id)
            .values(state=state.value, state_message=message, state_at=at)
        )

    def due(self, now: datetime) -> Sequence[Connector]:
        query = select(*_PUBLIC).where(
            connectors.c.enabled.is_(True),
            connectors.c.state == ConnectorState.OK.value,
            connectors.c.next_run_at.is_not(None),
            connectors.c.next_run_at <= now,
        )
        return [_connector(row) for row in self._c.execute(query).mappings()]


def _connector(row: RowMapping) -> Connector:
    return Connector(
        id=row["id"],
        project_id=row["project_id"],
        kind=ConnectorKind(row["kind"]),
        name=row["name"],
        enabled=bool(row["enabled"]),
        settings=dict(row["settings"] or {}),
        has_credential=bool(row["credential_hint"]),
        credential_hint=row["credential_hint"],
        state=ConnectorState(row["state"]),
        state_message=row["state_message"],
        state_at=row["state_at"],
        enabled_at=row["enabled_at"],
        next_run_at=row["next_run_at"],
        log_requests=bool(row["log_requests"]),
        log_errors=bool(row["log_errors"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
