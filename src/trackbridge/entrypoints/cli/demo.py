"""`trackbridge demo`: a demo project full of realistic traffic, customers and orders."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from trackbridge.adapters.db.engine import refresh_statistics
from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.entrypoints.worker import drain
from trackbridge.services import demo as service


def register(cli: typer.Typer) -> None:
    @cli.command("demo")
    @reports_errors
    def demo(
        seed: Annotated[int, typer.Option(help="Seed of the generator: the same seed gives the same shop.")] = (
            service.DEFAULT_SEED
        ),
        days: Annotated[int, typer.Option(min=1, max=service.MAX_DAYS, help="Days of traffic, up to today.")] = (
            service.DEFAULT_DAYS
        ),
        reset: Annotated[bool, typer.Option("--reset", help="Drop the demo project and fill it again.")] = False,
        if_missing: Annotated[
            bool, typer.Option("--if-missing", help="Do nothing when the demo project exists already (make run).")
        ] = False,
    ) -> None:
        """Fill the project "demo" (created for it; never a project of yours) with a demo shop's data."""
        with open_container() as container:
            if if_missing and not reset and service.demo_project(container.uow) is not None:
                console.print('The demo project "demo" exists already (trackbridge demo --reset fills it again).')
                return
            quiet = logging.getLogger("trackbridge")
            level = quiet.level
            quiet.setLevel(logging.WARNING)  # one line per identified visitor would drown the summary
            try:
                with console.status("Generating the demo shop and processing its visits..."):
                    summary = service.fill_demo(
                        container.uow, container.box, lambda: drain(container), seed=seed, days=days, reset=reset
                    )
            finally:
                quiet.setLevel(level)
            refresh_statistics(container.engine)
        console.print(
            f'Demo project "{summary.project.name}" filled: {summary.events} tracked events, '
            f"{summary.customers} customers (and newsletter leads), {summary.products} products, "
            f'{summary.orders} orders (seed {seed}, {days} days). Sign in and open the project "demo".'
        )
