"""`trackbridge export historical|reexport|status`: export customers, products and orders to a destination (Ometria or
webhook connector), and see what waits in its queue."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Annotated

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.export import ENTITY_SEQUENCE, EntityType, ExportRun, Lane
from trackbridge.domain.outbound import Connector, ConnectorState
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.entrypoints.outbound_worker import OutboundWorker
from trackbridge.services import connectors as connector_service
from trackbridge.services import exports as service
from trackbridge.services import projects as projects_service

ProjectOption = Annotated[str, typer.Option("--project", "-p", help="The project's name.")]
DestinationOption = Annotated[str, typer.Option("--destination", "-d", help="The connector's name (or id).")]
WaitOption = Annotated[bool, typer.Option("--wait", help="Then send until the queue is empty (instead of the worker).")]
POLL_SECONDS = 0.5


def _destination(container: Container, project: str, destination: str) -> Connector:
    connector = connector_service.find_connector(
        container.uow, projects_service.get_project(container.uow, project), destination
    )
    if not service.is_export_connector(connector):
        raise InvalidInput(
            f"connector {connector.name!r} is not an export destination (ometria, webhook)", "--destination"
        )
    return connector


def send_until_done(
    container: Container, connector: Connector, on_progress: Callable[[service.QueueStatus], None]
) -> service.QueueStatus:
    """Plans runs and runs the due jobs until the destination's queue is empty, or nothing more can be sent for now
    (batches in the dead letters, the connector failing or switched off)."""
    worker = OutboundWorker(container)
    while True:
        planned = service.plan_next_run(container.uow, connector.id)
        ran = 0
        while (round_ran := worker.run_once()) > 0:
            ran += round_ran
            on_progress(service.queue_status(container.uow, connector))
        status = service.queue_status(container.uow, connector)
        on_progress(status)
        if status.total() == 0:
            return status
        if planned == 0 and ran == 0:
            with container.uow.read() as tx:
                current = tx.connectors.by_id(connector.id)
                jobs = tx.outbox.counts(None, connector.id)
            stuck = current is None or not current.enabled or current.state is ConnectorState.FAILING
            if stuck or jobs.get("pending", 0) + jobs.get("running", 0) == 0:
                return status
            time.sleep(POLL_SECONDS)


def _export(project: str, destination: str, entities: Sequence[EntityType], wait: bool) -> None:
    with open_container() as c:
        connector = _destination(c, project, destination)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            tasks: dict[str, TaskID] = {}

            def queued(run: ExportRun) -> None:
                for entity in run.entities:
                    name = entity.value
                    if name not in tasks:
                        tasks[name] = progress.add_task(f"queue {name}s", total=run.totals.get(name, 0))
                    progress.update(tasks[name], completed=run.queued.get(name, 0))

            run = service.queue_historical(c.uow, connector, entities, progress=queued)
            if wait:
                total = service.queue_status(c.uow, connector).total()
                sending = progress.add_task(f"send to {connector.name}", total=total)

                def sent(status: service.QueueStatus) -> None:
                    progress.update(sending, completed=max(total - status.total(), 0))

                final = send_until_done(c, connector, sent)
        console.print(f"historical export #{run.id} of {', '.join(e.value for e in run.entities)} queued: {run.queued}")
        if wait:
            left = final.total()
            console.print(
                "queue empty: every record sent" if left == 0 else f"{left} records still waiting (see status)"
            )


def build() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.command("historical")
    @reports_errors
    def historical(
        project: ProjectOption,
        destination: DestinationOption,
        entity: Annotated[
            list[str] | None,
            typer.Option("--entity", "-e", help="customer, product or order (repeatable; all by default)."),
        ] = None,
        wait: WaitOption = False,
    ) -> None:
        """Queue every customer, product and order for a destination; run it again to continue an interrupted one."""
        entities = [service.parse_entity(name) for name in entity] if entity else list(ENTITY_SEQUENCE)
        _export(project, destination, entities, wait)

    @app.command("reexport")
    @reports_errors
    def reexport(
        project: ProjectOption,
        destination: DestinationOption,
        entity: Annotated[str, typer.Option("--entity", "-e", help="customer, product or order.")],
        wait: WaitOption = False,
    ) -> None:
        """Export one entity type again, apart from the others."""
        _export(project, destination, [service.parse_entity(entity)], wait)

    @app.command("status")
    @reports_errors
    def status(
        project: Annotated[str | None, typer.Option("--project", "-p", help="Only this project.")] = None,
        destination: Annotated[str | None, typer.Option("--destination", "-d", help="Only this one.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Records waiting per entity type and lane, per destination."""
        with open_container() as c:
            found = projects_service.get_project(c.uow, project) if project else None
            connectors = [x for x in connector_service.list_connectors(c.uow, found) if service.is_export_connector(x)]
            if destination is not None:
                connectors = [x for x in connectors if destination in (x.name, str(x.id))]
            statuses = [service.queue_status(c.uow, x) for x in connectors]
        if as_json:
            typer.echo(orjson.dumps([service.status_json(s) for s in statuses]).decode())
            return
        table = Table("destination", "entity", *(lane.value for lane in Lane), "historical export")
        for s in statuses:
            run = s.run
            state = "-" if run is None else f"#{run.id} {run.state.value}"
            for entity in ENTITY_SEQUENCE:
                counts = [str(s.waiting.get((entity, lane), 0)) for lane in Lane]
                table.add_row(f"{s.connector.name} ({s.connector.kind.value})", entity.value, *counts, state)
        console.print(table if statuses else "no export destinations")

    return app
