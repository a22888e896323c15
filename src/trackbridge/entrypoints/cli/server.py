"""`trackbridge serve` and `trackbridge migrate`."""

from __future__ import annotations

import gc
from typing import Annotated

import typer
import uvicorn

from trackbridge.adapters.db.migrate import upgrade
from trackbridge.config import Settings, load_settings
from trackbridge.entrypoints.bootstrap import Container, build_container
from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.entrypoints.cli.projects import print_credentials
from trackbridge.entrypoints.cli.users import print_password
from trackbridge.entrypoints.http.app import create_app
from trackbridge.entrypoints.log_setup import configure_logging
from trackbridge.entrypoints.worker import BackgroundWorker
from trackbridge.services import projects as project_service
from trackbridge.services import users as user_service

FIRST_PROJECT = "default"


def register(cli: typer.Typer) -> None:
    @cli.command("migrate")
    @reports_errors
    def migrate() -> None:
        """Create or update the database schema."""
        with open_container() as c:
            upgrade(c.engine)
            console.print(f"database at the newest schema ({c.engine.dialect.name})")

    @cli.command("serve")
    @reports_errors
    def serve(
        host: Annotated[str | None, typer.Option(help="Address to bind (TRACKBRIDGE_HOST).")] = None,
        port: Annotated[int | None, typer.Option(help="Port (TRACKBRIDGE_PORT).")] = None,
        workers: Annotated[int, typer.Option(help="HTTP worker processes (PostgreSQL only).")] = 1,
        no_worker: Annotated[
            bool, typer.Option("--no-worker", help="Do not process events in this process (run `trackbridge worker`).")
        ] = False,
    ) -> None:
        """Migrate, create a first project if there is none but the demo (printing its credentials), and serve HTTP."""
        settings = load_settings()
        configure_logging(settings.log_level, settings.log_json)
        container = build_container(settings)
        upgrade(container.engine)
        if not [p for p in project_service.list_projects(container.uow) if not p.is_demo]:  # the demo is not yours
            credentials = project_service.create_project(container.uow, container.box, FIRST_PROJECT)
            print_credentials(credentials, title="First start: a project was created for you")
        first_admin = user_service.ensure_first_admin(container.uow, container.passwords)
        if first_admin is not None and first_admin.password is not None:
            title = "First start: sign in to the web UI with"
            print_password(first_admin.access.user.email, first_admin.password, title)
        bind_host, bind_port = host or settings.host, port or settings.port
        console.print(f"trackbridge serving on http://{bind_host}:{bind_port}  (web UI: /, API docs: /docs)")
        background = None if no_worker else BackgroundWorker(build_container(settings)).start()
        try:
            _run_http(settings, container, bind_host, bind_port, workers)
        finally:
            if background is not None:
                background.stop()


def _run_http(settings: Settings, container: Container, bind_host: str, bind_port: int, workers: int) -> None:
    """One uvicorn process, or several (PostgreSQL only) started from the ASGI factory."""
    if workers > 1:
        if settings.is_sqlite:
            raise typer.BadParameter("several HTTP workers need PostgreSQL (TRACKBRIDGE_DATABASE_URL)")
        container.close()
        uvicorn.run(
            "trackbridge.entrypoints.http.asgi:app",
            host=bind_host,
            port=bind_port,
            workers=workers,
            factory=True,
            log_level="warning",
        )
        return
    app = create_app(settings, container)
    # What start-up built lives as long as the process: frozen, it is not rescanned by every full garbage collection
    # (with batches of thousands of records, those rescans were a tenth of the server's time; bench/orders_import.py).
    gc.freeze()
    uvicorn.run(app, host=bind_host, port=bind_port, log_level="warning")
