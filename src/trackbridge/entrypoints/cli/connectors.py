"""`trackbridge connectors ...` and `trackbridge jobs ...`: connectors, their logs, and the outbox's dead letters."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.outbound import ConnectorKind
from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.entrypoints.connector_kinds import parse_kind, parser_for
from trackbridge.entrypoints.outbound_worker import drain_outbox
from trackbridge.services import connectors as service
from trackbridge.services import outbox
from trackbridge.services import projects as projects_service

ProjectOption = Annotated[str, typer.Option("--project", "-p", help="The project's name.")]
OptionalProject = Annotated[str | None, typer.Option("--project", "-p", help="Only this project.")]
SettingOption = Annotated[
    list[str] | None,
    typer.Option("--setting", "-s", help="A setting as key=value (JSON values allowed: -s skipStatuses='[\"x\"]')."),
]
ConnectorArgument = Annotated[str, typer.Argument(help="The connector's name (or id).")]


def parse_setting_pairs(pairs: list[str] | None) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"{pair!r} is not key=value", "--setting")
        try:
            settings[key.strip()] = orjson.loads(value)
        except orjson.JSONDecodeError:
            settings[key.strip()] = value
    return settings


def build() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.command("add")
    @reports_errors
    def add(
        kind: Annotated[str, typer.Argument(help="matomo, ometria or webhook.")],
        project: ProjectOption,
        name: Annotated[str | None, typer.Option(help="A name unique in the project (default: the kind).")] = None,
        url: Annotated[str | None, typer.Option(help="Matomo URL, Ometria endpoint or webhook URL.")] = None,
        site_id: Annotated[int | None, typer.Option("--site-id", help="Matomo: the site id (idSite).")] = None,
        token: Annotated[str | None, typer.Option(help="Matomo: token_auth (stored encrypted).")] = None,
        api_key: Annotated[str | None, typer.Option("--api-key", help="Ometria: the API key.")] = None,
        secret: Annotated[str | None, typer.Option(help="Webhook: the signing secret.")] = None,
        setting: SettingOption = None,
        disabled: Annotated[bool, typer.Option("--disabled", help="Add it switched off.")] = False,
    ) -> None:
        """Add a connector to a project (the credential is stored encrypted and never shown again)."""
        connector_kind = parse_kind(kind)
        raw = parse_setting_pairs(setting)
        if url is not None:
            raw["url" if connector_kind is not ConnectorKind.OMETRIA else "endpoint"] = url
        if site_id is not None:
            raw["siteId"] = site_id
        credential = token or api_key or secret
        with open_container() as c:
            found = projects_service.get_project(c.uow, project)
            connector = service.add_connector(
                c.uow,
                c.box,
                found,
                connector_kind,
                name or connector_kind.value,
                raw,
                credential,
                parser_for(connector_kind),
                enabled=not disabled,
            )
        console.print(f"connector {connector.name!r} ({connector.kind.value}) added to {project!r}, id {connector.id}")

    @app.command("set")
    @reports_errors
    def set_(
        connector: ConnectorArgument,
        project: ProjectOption,
        setting: SettingOption = None,
        credential: Annotated[str | None, typer.Option(help="A new token / API key / secret.")] = None,
        enable: Annotated[bool | None, typer.Option("--enable/--disable", help="Switch it on or off.")] = None,
        log_requests: Annotated[bool | None, typer.Option("--log-requests/--no-log-requests")] = None,
        log_errors: Annotated[bool | None, typer.Option("--log-errors/--no-log-errors")] = None,
    ) -> None:
        """Change a connector's settings, credential or switches (a change clears a failing state)."""
        with open_container() as c:
            found = projects_service.get_project(c.uow, project)
            current = service.find_connector(c.uow, found, connector)
            updated = service.update_connector(
                c.uow,
                c.box,
                found,
                current.id,
                parser_for(current.kind),
                raw_settings=parse_setting_pairs(setting) if setting else None,
                credential=credential,
                enabled=enable,
                log_requests=log_requests,
                log_errors=log_errors,
            )
        console.print(f"connector {updated.name!r}: {'on' if updated.enabled else 'off'}, {updated.state.value}")

    @app.command("remove")
    @reports_errors
    def remove(connector: ConnectorArgument, project: ProjectOption) -> None:
        """Remove a connector with its queued jobs and logs."""
        with open_container() as c:
            found = projects_service.get_project(c.uow, project)
            service.remove_connector(c.uow, found, service.find_connector(c.uow, found, connector).id)
        console.print(f"connector {connector!r} removed")

    _register_views(app)
    return app


def _register_views(app: typer.Typer) -> None:
    @app.command("list")
    @reports_errors
    def list_(project: OptionalProject = None) -> None:
        """List connectors with their settings (never their credentials)."""
        with open_container() as c:
            found = projects_service.get_project(c.uow, project) if project else None
            connectors = service.list_connectors(c.uow, found)
        table = Table("id", "project", "name", "kind", "on", "state", "credential", "settings")
        for item in connectors:
            table.add_row(
                str(item.id),
                str(item.project_id),
                item.name,
                item.kind.value,
                "yes" if item.enabled else "no",
                item.state.value,
                item.credential_hint or "-",
                orjson.dumps(item.settings).decode(),
            )
        console.print(table)

    @app.command("status")
    @reports_errors
    def status(project: OptionalProject = None) -> None:
        """Each connector's state, next scheduled run and jobs waiting, running and dead."""
        with open_container() as c:
            found = projects_service.get_project(c.uow, project) if project else None
            statuses = service.connector_statuses(c.uow, found)
        table = Table("id", "name", "kind", "on", "state", "next run", "pending", "running", "dead", "message")
        for item in statuses:
            conn = item.connector
            table.add_row(
                str(conn.id),
                conn.name,
                conn.kind.value,
                "yes" if conn.enabled else "no",
                conn.state.value,
                conn.next_run_at.isoformat(timespec="minutes") if conn.next_run_at else "-",
                str(item.jobs.get("pending", 0)),
                str(item.jobs.get("running", 0)),
                str(item.jobs.get("dead", 0)),
                conn.state_message or "",
            )
        console.print(table)

    @app.command("log")
    @reports_errors
    def log_(
        connector: ConnectorArgument,
        project: ProjectOption,
        errors: Annotated[bool, typer.Option("--errors", help="The error log instead of the request log.")] = False,
        limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    ) -> None:
        """A connector's request log (URLs with secrets redacted) or error log, newest first."""
        with open_container() as c:
            found = service.find_connector(c.uow, projects_service.get_project(c.uow, project), connector)
            with c.uow.read() as tx:
                if errors:
                    table = Table("at", "subject", "message")
                    for e in tx.outbound_log.errors(found.id, before_id=None, limit=limit):
                        table.add_row(e.at.isoformat(timespec="seconds"), e.subject or "", e.message)
                else:
                    table = Table("at", "method", "url", "status", "ms", "subject", "outcome")
                    for r in tx.outbound_log.requests(found.id, before_id=None, limit=limit):
                        rec = r.record
                        table.add_row(
                            rec.at.isoformat(timespec="seconds"),
                            rec.method,
                            rec.url,
                            str(rec.status) if rec.status is not None else "-",
                            str(rec.duration_ms),
                            rec.subject or "",
                            rec.outcome or "",
                        )
        console.print(table)


def build_jobs() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.command("list")
    @reports_errors
    def list_(project: OptionalProject = None) -> None:
        """Outbound jobs per state."""
        with open_container() as c:
            found = projects_service.get_project(c.uow, project) if project else None
            with c.uow.read() as tx:
                counts = tx.outbox.counts(found.id if found else None, None)
        for state, count in counts.items():
            console.print(f"{state:<8} {count}")

    @app.command("dead")
    @reports_errors
    def dead(project: OptionalProject = None, limit: Annotated[int, typer.Option(min=1)] = 100) -> None:
        """The dead-letter list: jobs that gave up, with their reason."""
        with open_container() as c:
            found = projects_service.get_project(c.uow, project) if project else None
            with c.uow.read() as tx:
                jobs = tx.outbox.dead(found.id if found else None, None, limit)
        table = Table("id", "kind", "subject", "tries", "reason")
        for job in jobs:
            table.add_row(str(job.id), job.kind, job.subject, str(job.attempts), job.last_error or "")
        console.print(table)

    @app.command("retry")
    @reports_errors
    def retry(
        project: OptionalProject = None,
        job_id: Annotated[list[int] | None, typer.Option("--id", help="Only these dead jobs.")] = None,
        connector: Annotated[str | None, typer.Option(help="Only this connector's (needs --project).")] = None,
        run: Annotated[bool, typer.Option("--run/--no-run", help="Run them now, here.")] = True,
    ) -> None:
        """Put dead letters back in the queue and (by default) run them now."""
        with open_container() as c:
            found = projects_service.get_project(c.uow, project) if project else None
            connector_id = None
            if connector is not None:
                if found is None:
                    raise InvalidInput("give --project with --connector", "--connector")
                connector_id = service.find_connector(c.uow, found, connector).id
            revived = outbox.revive_dead_jobs(
                c.uow, project_id=found.id if found else None, connector_id=connector_id, job_ids=job_id
            )
            console.print(f"{revived} dead jobs back in the queue")
            if run and revived:
                ran = drain_outbox(c)
                with c.uow.read() as tx:
                    left = tx.outbox.counts(found.id if found else None, connector_id)
                console.print(f"{ran} jobs run; {left['dead']} dead, {left['pending']} waiting")

    @app.command("run")
    @reports_errors
    def run_now() -> None:
        """Run every due outbound job now (what the worker does in the background)."""
        with open_container() as c:
            ran = drain_outbox(c)
        console.print(f"{ran} jobs run")

    return app
