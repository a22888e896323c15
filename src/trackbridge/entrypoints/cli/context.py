"""What every CLI command needs: settings, the container, and one way to report a mistake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from trackbridge.config import load_settings
from trackbridge.domain.errors import TrackbridgeError
from trackbridge.entrypoints.bootstrap import Container, build_container
from trackbridge.entrypoints.log_setup import configure_logging

console = Console()
errors = Console(stderr=True)
Params = ParamSpec("Params")
Result = TypeVar("Result")


@contextmanager
def open_container() -> Iterator[Container]:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    container = build_container(settings)
    try:
        yield container
    finally:
        container.close()


def reports_errors(command: Callable[Params, Result]) -> Callable[Params, Result]:
    """Turns trackbridge's errors into a one-line message and exit code 1 instead of a traceback."""

    @wraps(command)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        try:
            return command(*args, **kwargs)
        except TrackbridgeError as error:
            errors.print(f"[red]error:[/red] {error.message}")
            raise typer.Exit(1) from None

    return run
