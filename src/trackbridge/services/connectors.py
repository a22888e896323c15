"""Use cases of connectors: adding, changing and removing them, their status, and their scheduled runs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trackbridge.domain.errors import Conflict, InvalidInput, NotFound
from trackbridge.domain.outbound import Connector, ConnectorKind, ConnectorState, NewJob, credential_hint
from trackbridge.domain.projects import Project
from trackbridge.domain.schedules import next_run
from trackbridge.services.outbox import Clock, enqueue, utc_now
from trackbridge.services.ports import SecretBox, UnitOfWork

log = logging.getLogger(__name__)

SettingsParser = Callable[[dict[str, Any], dict[str, Any] | None], dict[str, Any]]
"""A connector kind's settings check: (what the user sent, the current settings or None) → complete settings."""

SCHEDULED_RUN = "scheduled_run"


@dataclass(frozen=True, slots=True)
class ConnectorStatus:
    connector: Connector
    jobs: dict[str, int]


def add_connector(
    uow: UnitOfWork,
    box: SecretBox,
    project: Project,
    kind: ConnectorKind,
    name: str,
    raw_settings: dict[str, Any],
    credential: str | None,
    parser: SettingsParser,
    *,
    enabled: bool = True,
    clock: Clock = utc_now,
) -> Connector:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("give the connector a name of 1 to 100 characters", "name")
    settings = parser(raw_settings, None)
    now = clock()
    with uow.transaction() as tx:
        if tx.connectors.by_name(project.id, name) is not None:
            raise Conflict(f"project {project.name!r} already has a connector named {name!r}")
        connector = tx.connectors.add(
            project_id=project.id,
            kind=kind,
            name=name,
            enabled=enabled,
            settings=settings,
            credential_ciphertext=box.encrypt(credential) if credential else None,
            credential_hint=credential_hint(credential),
            next_run_at=_next_run(settings, project, now) if enabled else None,
            now=now,
        )
    log.info("connector added", extra={"project": project.name, "connector": name, "kind": kind.value})
    return connector


def update_connector(
    uow: UnitOfWork,
    box: SecretBox,
    project: Project,
    connector_id: int,
    parser: SettingsParser,
    *,
    raw_settings: dict[str, Any] | None = None,
    credential: str | None = None,
    enabled: bool | None = None,
    log_requests: bool | None = None,
    log_errors: bool | None = None,
    clock: Clock = utc_now,
) -> Connector:
    """Changes a connector. A change of settings, credential or switching it on clears a failing state."""
    now = clock()
    with uow.transaction() as tx:
        current = _owned(tx.connectors.by_id(connector_id), project)
        values: dict[str, Any] = {}
        settings = current.settings
        if raw_settings is not None:
            settings = parser({**current.settings, **raw_settings}, current.settings)
            values["settings"] = settings
        if credential:
            values["credential_ciphertext"] = box.encrypt(credential)
            values["credential_hint"] = credential_hint(credential)
        if enabled is not None and enabled != current.enabled:
            values["enabled"] = enabled
            if enabled:
                values["enabled_at"] = now
        if log_requests is not None:
            values["log_requests"] = log_requests
        if log_errors is not None:
            values["log_errors"] = log_errors
        if raw_settings is not None or credential or enabled:
            values.update(state=ConnectorState.OK.value, state_message=None, state_at=now)
        is_on = values.get("enabled", current.enabled)
        values["next_run_at"] = _next_run(settings, project, now) if is_on else None
        return tx.connectors.update(connector_id, now, **values)


def remove_connector(uow: UnitOfWork, project: Project, connector_id: int) -> None:
    with uow.transaction() as tx:
        _owned(tx.connectors.by_id(connector_id), project)
        tx.connectors.remove(connector_id)


def get_connector(uow: UnitOfWork, project: Project, connector_id: int) -> Connector:
    with uow.read() as tx:
        return _owned(tx.connectors.by_id(connector_id), project)


def find_connector(uow: UnitOfWork, project: Project, name_or_id: str) -> Connector:
    with uow.read() as tx:
        found = tx.connectors.by_name(project.id, name_or_id)
        if found is None and name_or_id.isdigit():
            found = tx.connectors.by_id(int(name_or_id))
        return _owned(found, project)


def list_connectors(uow: UnitOfWork, project: Project | None, kind: ConnectorKind | None = None) -> Sequence[Connector]:
    with uow.read() as tx:
        return tx.connectors.list(project.id if project else None, kind)


def connector_statuses(uow: UnitOfWork, project: Project | None) -> list[ConnectorStatus]:
    with uow.read() as tx:
        return [
            ConnectorStatus(connector=c, jobs=tx.outbox.counts(None, c.id))
            for c in tx.connectors.list(project.id if project else None)
        ]


def enqueue_scheduled_runs(uow: UnitOfWork, clock: Clock = utc_now) -> int:
    """Queues a ``<kind>.scheduled_run`` job for every connector whose schedule has come; the number queued."""
    now = clock()
    queued = 0
    with uow.read() as tx:  # most rounds find nothing due: no write lock for them
        if not tx.connectors.due(now):
            return 0
    with uow.transaction() as tx:
        for connector in tx.connectors.due(now):
            project = tx.projects.by_id(connector.project_id)
            if project is None:
                continue
            job = NewJob(
                project_id=connector.project_id,
                connector_id=connector.id,
                kind=f"{connector.kind.value}.{SCHEDULED_RUN}",
                subject="scheduled run",
                dedupe_key=SCHEDULED_RUN,
            )
            if enqueue(tx, job, now) is not None:
                queued += 1
            tx.connectors.update(connector.id, now, next_run_at=_next_run(connector.settings, project, now))
    return queued


def _next_run(settings: dict[str, Any], project: Project, now: datetime) -> datetime | None:
    schedule = settings.get("schedule")
    return next_run(str(schedule), now, project.timezone) if schedule else None


def _owned(connector: Connector | None, project: Project) -> Connector:
    if connector is None or connector.project_id != project.id:
        raise NotFound(f"no such connector in project {project.name!r}")
    return connector
