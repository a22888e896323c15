"""`trackbridge apikey ...`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from trackbridge.domain.credentials import Scope
from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.services import projects as service

ProjectOption = Annotated[str, typer.Option("--project", "-p", help="The project's name.")]


def build() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.command("create")
    @reports_errors
    def create(
        project: ProjectOption,
        name: Annotated[str, typer.Option(help="What the key is for.")] = "api key",
        scope: Annotated[Scope, typer.Option(help="read or write.")] = Scope.READ,
    ) -> None:
        """Create an API key; it is printed once and stored hashed."""
        with open_container() as c:
            info, plain = service.create_api_key(c.uow, service.get_project(c.uow, project), name, scope)
        console.print(f"API key {info.id} ({info.scope.value}): {plain}")
        console.print("Keep it now: it cannot be shown again.")

    @app.command("list")
    @reports_errors
    def list_(project: ProjectOption) -> None:
        """List a project's API keys (never the keys themselves)."""
        with open_container() as c:
            keys = service.list_api_keys(c.uow, service.get_project(c.uow, project))
        table = Table("id", "name", "starts with", "scope", "created", "last used", "revoked")
        for key in keys:
            table.add_row(
                str(key.id),
                key.name,
                key.prefix + "…",
                key.scope.value,
                f"{key.created_at:%Y-%m-%d %H:%M}",
                f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "-",
                f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "-",
            )
        console.print(table)

    @app.command("revoke")
    @reports_errors
    def revoke(project: ProjectOption, key_id: Annotated[int, typer.Argument(help="The key's id (see list).")]) -> None:
        """Revoke an API key; it stops working at once."""
        with open_container() as c:
            service.revoke_api_key(c.uow, service.get_project(c.uow, project), key_id)
        console.print(f"API key {key_id} revoked")

    return app
