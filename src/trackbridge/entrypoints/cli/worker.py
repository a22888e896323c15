"""`trackbridge worker`: the background processing, standalone (any number of them on PostgreSQL)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.entrypoints.outbound_worker import OutboundWorker, drain_outbox
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
        no_outbound: Annotated[
            bool, typer.Option("--no-outbound", help="Do not run outbound jobs (connectors, exports) here.")
        ] = False,
    ) -> None:
        """Process accepted events into visits and identities until stopped (SIGTERM / Ctrl-C finish the batch)."""
        stop = threading.Event()

        def request_stop(_signal: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        with open_container() as container:
            outbound = None
            if not no_outbound and not until_empty:
                outbound = threading.Thread(
                    target=OutboundWorker(container).run, args=(stop,), name="outbound-worker", daemon=True
                )
                outbound.start()
            done = Worker(
                container,
                poll_seconds=poll_seconds,
                limits=Limits(max_events=max_events) if max_events else None,
                yield_seconds=0 if no_yield else None,
            ).run(stop, until_empty=until_empty)
            if until_empty and not no_outbound:
                jobs = drain_outbox(container)
                console.print(f"{jobs} outbound jobs run")
            if outbound is not None:
                outbound.join(30)
        console.print(f"worker stopped after {done} inbox batches")
