"""`trackbridge customer ...` (merge, unmerge) and `trackbridge email-link`."""

from __future__ import annotations

import getpass
from datetime import timedelta
from typing import Annotated

import typer

from trackbridge.domain.email_links import DEFAULT_VALIDITY, PARAMETER
from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.services import customers as service
from trackbridge.services.projects import get_project

ProjectOption = Annotated[str, typer.Option("--project", "-p", help="The project's name.")]


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def build() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.command("merge")
    @reports_errors
    def merge(
        project: ProjectOption,
        keep: Annotated[int, typer.Argument(help="The customer that stays.")],
        other: Annotated[int, typer.Argument(help="The customer merged into KEEP.")],
    ) -> None:
        """Merge OTHER into KEEP: visitors, sessions, identity links, orders, form submissions and tags move over."""
        with open_container() as c:
            info = service.merge_customers(c.uow, get_project(c.uow, project), keep, other, _operator())
        console.print(f"merge {info.id}: customer {other} merged into {keep} (undo: customer unmerge {info.id})")

    @app.command("unmerge")
    @reports_errors
    def unmerge(
        project: ProjectOption, merge_id: Annotated[int, typer.Argument(help="The merge's id (merge printed it).")]
    ) -> None:
        """Undo a merge: what moved goes back to the merged customer."""
        with open_container() as c:
            info = service.undo_merge(c.uow, get_project(c.uow, project), merge_id, _operator())
        console.print(f"merge {merge_id} undone: customer {info.merged_customer_id} is separate again")

    return app


def register(cli: typer.Typer) -> None:
    @cli.command("email-link")
    @reports_errors
    def email_link(
        project: ProjectOption,
        email: Annotated[str, typer.Option(help="The recipient (a customer is created when new).")],
        url: Annotated[
            str | None, typer.Option(help="The landing URL; without it only the parameter is printed.")
        ] = None,
        days: Annotated[
            int, typer.Option(min=1, max=400, help="How long the link identifies.")
        ] = DEFAULT_VALIDITY.days,
    ) -> None:
        """Print a link (or the tb_r parameter) that identifies the recipient of a bulk e-mail when clicked."""
        validity = timedelta(days=days)
        with open_container() as c:
            chosen = get_project(c.uow, project)
            if url is None:
                token = service.email_link_token(c.uow, c.box, chosen, email, validity=validity)
                text = f"{PARAMETER}={token}"
            else:
                text = service.email_link(c.uow, c.box, chosen, email, url, validity=validity)
        console.print(text, soft_wrap=True, markup=False, highlight=False)
