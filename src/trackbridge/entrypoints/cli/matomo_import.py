"""`trackbridge matomo import`: import identified customers' visits from Matomo now (all of them, or one), with
progress. The imports run as the worker runs them (outbox jobs), so request logs, retries and a refused token behave
the same as on a schedule."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from trackbridge.domain.errors import InvalidInput, NotFound
from trackbridge.domain.outbound import Connector, ConnectorKind, ConnectorState
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.context import console, errors, open_container, reports_errors
from trackbridge.entrypoints.outbound_worker import OutboundWorker
from trackbridge.services import connectors as connector_service
from trackbridge.services import matomo_import
from trackbridge.services import projects as projects_service
from trackbridge.services.outbox import utc_now


def _importers(container: Container, project: str | None) -> list[tuple[Project, Connector]]:
    projects = (
        [projects_service.get_project(container.uow, project)]
        if project
        else list(projects_service.list_projects(container.uow))
    )
    found = [
        (each, c)
        for each in projects
        for c in connector_service.list_connectors(container.uow, each, ConnectorKind.MATOMO)
        if c.enabled and c.settings.get("importVisits", True)
    ]
    if not found:
        raise InvalidInput("no enabled Matomo connector importing visits" + (f" in {project!r}" if project else ""))
    return found


def _waiting(container: Container, connectors: list[Connector]) -> int:
    with container.uow.read() as tx:
        counts = [tx.outbox.counts(None, c.id) for c in connectors]
    return sum(count.get("pending", 0) + count.get("running", 0) for count in counts)


def _run(container: Container, connectors: list[Connector], queued: int) -> None:
    worker = OutboundWorker(container)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        total = max(queued, _waiting(container, connectors))
        task = progress.add_task("import from Matomo (customers)", total=total)
        while worker.run_once() > 0:
            progress.update(task, completed=max(total - _waiting(container, connectors), 0))
        progress.update(task, completed=max(total - _waiting(container, connectors), 0))


def register_import(app: typer.Typer) -> None:
    @app.command("import")
    @reports_errors
    def import_visits(
        project: Annotated[str | None, typer.Option("--project", help="Only this project (name).")] = None,
        customer: Annotated[
            int | None, typer.Option("--customer", help="Only this customer (trackbridge customer id).")
        ] = None,
    ) -> None:
        """Import identified customers' visits from Matomo now (incremental from each one's last import)."""
        with open_container() as container:
            targets = _importers(container, project)
            now = utc_now()
            queued, matched = 0, customer is None
            for each, connector in targets:
                if customer is None:
                    queued += matomo_import.queue_everyone(container.uow, connector, now)
                elif matomo_import.customer_exists(container.uow, each.id, customer):
                    matched = True
                    queued += matomo_import.queue_imports(container.uow, connector, [customer], now)
            if not matched:
                raise NotFound(f"no customer {customer} in a project with a Matomo connector importing visits")
            connectors = [c for _, c in targets]
            _run(container, connectors, queued)
            _summary(container, connectors)


def _summary(container: Container, connectors: list[Connector]) -> None:
    with container.uow.read() as tx:
        for connector in connectors:
            fresh = tx.connectors.by_id(connector.id)
            counts = tx.outbox.counts(None, connector.id)
            if fresh is not None and fresh.state is ConnectorState.FAILING:
                errors.print(f"[red]{connector.name}: failing[/red] — {fresh.state_message}")
            waiting, dead = counts.get("pending", 0) + counts.get("running", 0), counts.get("dead", 0)
            console.print(f"{connector.name}: {counts.get('done', 0)} done, {waiting} waiting to retry, {dead} dead")
