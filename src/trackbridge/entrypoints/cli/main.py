"""The trackbridge command line: everything an operator does by hand."""

from __future__ import annotations

import typer

from trackbridge.entrypoints.cli import apikeys, projects, server


def build_cli() -> typer.Typer:
    cli = typer.Typer(
        name="trackbridge",
        help="trackbridge: join website behaviour to CRM and e-commerce data.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    server.register(cli)
    cli.add_typer(projects.build(), name="project", help="Create, list and configure projects and their credentials.")
    cli.add_typer(apikeys.build(), name="apikey", help="Create, list and revoke a project's API keys.")
    return cli


def main() -> None:
    build_cli()()
