"""`trackbridge project ...`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.services import order_settings
from trackbridge.services import projects as service


def print_credentials(credentials: ProjectCredentials, title: str = "Project created") -> None:
    project = credentials.project
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_row("name", project.name)
    table.add_row("token (public)", project.token)
    table.add_row("site id", str(project.site_id))
    table.add_row("signing secret", credentials.signing_secret)
    if credentials.api_key:
        table.add_row("API key (shown once)", credentials.api_key)
    table.add_row("time zone", project.timezone)
    table.add_row("base currency", project.base_currency)
    console.print(table)


def build() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.command("create")
    @reports_errors
    def create(
        name: Annotated[str, typer.Argument(help="A name for the project, unique.")],
        token: Annotated[str | None, typer.Option(help="Public token to use instead of a random one.")] = None,
        secret: Annotated[str | None, typer.Option(help="Signing secret to use instead of a random one.")] = None,
        api_key: Annotated[str | None, typer.Option("--api-key", help="First API key to use.")] = None,
        timezone: Annotated[str, typer.Option(help="IANA time zone of the shop.")] = "UTC",
        currency: Annotated[str, typer.Option(help="Base currency (ISO 4217).")] = "USD",
    ) -> None:
        """Create a project and print its credentials (the API key is shown only now)."""
        with open_container() as c:
            credentials = service.create_project(
                c.uow,
                c.box,
                name,
                token=token,
                secret=secret,
                api_key=api_key,
                timezone=timezone,
                base_currency=currency,
            )
        print_credentials(credentials)

    @app.command("list")
    @reports_errors
    def list_() -> None:
        """List projects: name, token and site id."""
        with open_container() as c:
            found = service.list_projects(c.uow)
        table = Table("name", "token", "site id", "time zone", "currency")
        for project in found:
            table.add_row(project.name, project.token, str(project.site_id), project.timezone, project.base_currency)
        console.print(table)

    @app.command("show")
    @reports_errors
    def show(name: str) -> None:
        """Show a project's credentials (token, site id, signing secret)."""
        with open_container() as c:
            project = service.get_project(c.uow, name)
            secret = service.signing_secret(c.uow, c.box, project)
        print_credentials(ProjectCredentials(project=project, signing_secret=secret, api_key=None), title="Project")

    @app.command("rotate-secret")
    @reports_errors
    def rotate_secret(
        name: str,
        secret: Annotated[str | None, typer.Option(help="The new secret (random if absent).")] = None,
    ) -> None:
        """Replace the signing secret; the token and API keys keep working."""
        with open_container() as c:
            project = service.get_project(c.uow, name)
            new = service.rotate_secret(c.uow, c.box, project, secret)
        console.print(f"new signing secret: {new}")

    @app.command("rotate-token")
    @reports_errors
    def rotate_token(
        name: str, token: Annotated[str | None, typer.Option(help="The new token (random if absent).")] = None
    ) -> None:
        """Replace the public token; the signing secret and API keys keep working."""
        with open_container() as c:
            project = service.rotate_token(c.uow, service.get_project(c.uow, name), token)
        console.print(f"new token: {project.token}")

    @app.command("set")
    @reports_errors
    def set_(
        name: str,
        timezone: Annotated[str | None, typer.Option(help="IANA time zone.")] = None,
        currency: Annotated[str | None, typer.Option(help="Base currency.")] = None,
        replay_window: Annotated[
            int | None,
            typer.Option(
                help="Refuse signed calls whose time is further than this many seconds away, "
                "and repeats of a call inside it; 0 turns the check off."
            ),
        ] = None,
        link_window: Annotated[
            int | None, typer.Option(help="Days before an order in which its visits count (default 21).")
        ] = None,
        status_window: Annotated[
            int | None, typer.Option(help="Days after an order in which status changes move reports (default 90).")
        ] = None,
    ) -> None:
        """Change a project's settings."""
        with open_container() as c:
            project = service.update_settings(
                c.uow,
                service.get_project(c.uow, name),
                timezone=timezone,
                base_currency=currency,
                replay_window_seconds=replay_window or None,
                clear_replay_window=replay_window == 0,
            )
            orders = order_settings.set_windows(
                c.uow, project, link_window_days=link_window, status_window_days=status_window
            )
        window = f"{project.replay_window_seconds} s" if project.replay_window_seconds else "off"
        console.print(
            f"{project.name}: time zone {project.timezone}, currency {project.base_currency}, replay window {window}, "
            f"link window {orders.link_window_days} d, status window {orders.status_window_days} d"
        )

    return app
