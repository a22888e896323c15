"""`trackbridge matomo ...`: the Matomo connectors' import and push, run by hand."""

from __future__ import annotations

import typer

from trackbridge.entrypoints.cli.matomo_import import register_import
from trackbridge.entrypoints.cli.matomo_push import register_push


def build() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)
    register_import(app)
    register_push(app)
    return app
