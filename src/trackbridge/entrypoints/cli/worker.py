"""`trackbridge worker`: the background processing, standalone (any number of them on PostgreSQL)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.entrypoints.worker import Worker
from trackbridge.services.processing import Limits


def register(cli: typer.Typer) -> None:
    @cli.command("worker")
    @reports_errors
    def worker(
        until_empty: Annotated[bool, typer.Option("--until-empty", help="Exit once nothing is pending.")] = False,
        poll_seconds: Annotated[float, typer.Option(help="Pause between polls of an empty inbox.")] = 0.5,
        max_events: Annotated[
            int | None, typer.Option(min=1, help="Events per transaction, at most (default 2,000 SQLite, 5,000 PG).")
        ] = None,
        no_yield: Annotated[
            bool, typer.Option("--no-yield", help="SQLite: do not pause between transactions (no other writer).")
        ] = False,
    ) -> None:
        """Process accepted events into visits and identities until stopped (SIGTERM / Ctrl-C finish the batch)."""
        stop = threading.Event()

        def request_stop(_signal: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        with open_container() as container:
            done = Worker(
                container,
                poll_seconds=poll_seconds,
                limits=Limits(max_events=max_events) if max_events else None,
                yield_seconds=0 if no_yield else None,
            ).run(stop, until_empty=until_empty)
        console.print(f"worker stopped after {done} inbox batches")
