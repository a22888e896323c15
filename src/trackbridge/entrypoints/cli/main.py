"""The trackbridge command line: everything an operator does by hand."""

from __future__ import annotations

import typer

from trackbridge.entrypoints.cli import apikeys, customers, geoip, projects, server
from trackbridge.entrypoints.cli import connectors as connectors_cli
from trackbridge.entrypoints.cli import demo as demo_cli
from trackbridge.entrypoints.cli import export as export_cli
from trackbridge.entrypoints.cli import matomo as matomo_cli
from trackbridge.entrypoints.cli import uploads as uploads_cli
from trackbridge.entrypoints.cli import users as users_cli
from trackbridge.entrypoints.cli import worker as worker_cli


def build_cli() -> typer.Typer:
    cli = typer.Typer(
        name="trackbridge",
        help="trackbridge: join website behaviour to CRM and e-commerce data.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    server.register(cli)
    worker_cli.register(cli)
    customers.register(cli)
    uploads_cli.register(cli)
    demo_cli.register(cli)
    cli.add_typer(projects.build(), name="project", help="Create, list and configure projects and their credentials.")
    cli.add_typer(apikeys.build(), name="apikey", help="Create, list and revoke a project's API keys.")
    cli.add_typer(geoip.build(), name="geoip", help="Install or query the IP geolocation database.")
    cli.add_typer(customers.build(), name="customer", help="Merge and unmerge customers (operators).")
    cli.add_typer(users_cli.build(), name="user", help="Create and list the people who sign in to the web UI.")
    cli.add_typer(connectors_cli.build(), name="connectors", help="Connectors to Matomo, Ometria and webhooks.")
    cli.add_typer(connectors_cli.build_jobs(), name="jobs", help="Outbound jobs: counts, dead letters, retry.")
    cli.add_typer(export_cli.build(), name="export", help="Export customers, products and orders.")
    cli.add_typer(matomo_cli.build(), name="matomo", help="Matomo: import visits, push orders and carts.")
    return cli


def main() -> None:
    build_cli()()


if __name__ == "__main__":
    main()
