"""`trackbridge matomo push`: queue orders for a Matomo connector (one order, a backfill from a date, or whatever it
has not tracked since it was switched on) and send them now, with progress."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.outbound import Connector, ConnectorKind, ConnectorState
from trackbridge.domain.projects import Project
from trackbridge.domain.values import parse_timestamp
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.entrypoints.outbound_worker import OutboundWorker
from trackbridge.services import connectors as connector_service
from trackbridge.services import matomo_push
from trackbridge.services import projects as projects_service


def _targets(container: Container, project: str | None, connector: str | None) -> list[tuple[Project, Connector]]:
    projects = (
        [projects_service.get_project(container.uow, project)]
        if project
        else list(projects_service.list_projects(container.uow))
    )
    found: list[tuple[Project, Connector]] = []
    for each in projects:
        if connector is not None:
            found.append((each, connector_service.find_connector(container.uow, each, connector)))
            continue
        found.extend(
            (each, c) for c in connector_service.list_connectors(container.uow, each, ConnectorKind.MATOMO) if c.enabled
        )
    if not found:
        raise InvalidInput("no enabled Matomo connector" + (f" in project {project!r}" if project else ""), "--project")
    return found


def _waiting(container: Container, connectors: list[Connector]) -> int:
    with container.uow.read() as tx:
        counts = [tx.outbox.counts(None, c.id) for c in connectors]
    return sum(count.get("pending", 0) + count.get("running", 0) for count in counts)


def _send(container: Container, connectors: list[Connector], queued: int) -> None:
    worker = OutboundWorker(container)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("push to Matomo", total=max(queued, _waiting(container, connectors)))
        while worker.run_once() > 0:
            progress.update(task, completed=max(queued - _waiting(container, connectors), 0))
        progress.update(task, completed=max(queued - _waiting(container, connectors), 0))


def register_push(app: typer.Typer) -> None:
    @app.command("push")
    @reports_errors
    def push(
        project: Annotated[str | None, typer.Option("--project", "-p", help="Only this project.")] = None,
        connector: Annotated[
            str | None, typer.Option("--connector", "-c", help="The connector's name (or id).")
        ] = None,
        order: Annotated[str | None, typer.Option("--order", help="Push this order (whatever its date).")] = None,
        since: Annotated[
            str | None,
            typer.Option(help="Backfill: push every order placed since this date (YYYY-MM-DD, project time zone)."),
        ] = None,
        wait: Annotated[bool, typer.Option("--wait/--queue-only", help="Send now, or leave it to the worker.")] = True,
    ) -> None:
        """Push orders to Matomo: one order, a backfill from a date, or (by default) every order placed since the
        connector was switched on that it has not tracked yet. Skipped statuses stay out; tracked orders are never
        sent twice."""
        if order is not None and since is not None:
            raise InvalidInput("give --order or --since, not both", "--order")
        now = datetime.now(UTC)
        with open_container() as c:
            targets = _targets(c, project, connector)
            queued = 0
            for each, target in targets:
                if target.kind is not ConnectorKind.MATOMO:
                    raise InvalidInput(f"connector {target.name!r} is not a Matomo connector", "--connector")
                if target.state is ConnectorState.FAILING:
                    console.print(f"[yellow]{target.name}[/yellow] is failing ({target.state_message}): fix it first")
                start = parse_timestamp(since, "--since", ZoneInfo(each.timezone)) if since else target.enabled_at
                if order is None and start is None:
                    raise InvalidInput(f"connector {target.name!r} was never switched on: give --since", "--since")
                queued += matomo_push.backfill(c.uow, each, target, now, since=start, order_id=order)
            console.print(f"{queued} order(s) queued for Matomo")
            if wait and queued:
                _send(c, [target for _, target in targets], queued)
                left = _waiting(c, [target for _, target in targets])
                console.print("all sent" if left == 0 else f"{left} job(s) wait for a retry (see trackbridge jobs)")
