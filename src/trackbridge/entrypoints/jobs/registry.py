"""Every outbound job kind and its handler (one line per feature)."""

from __future__ import annotations

from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.jobs.export import export_handlers
from trackbridge.entrypoints.jobs.matomo_import import matomo_import_handlers
from trackbridge.entrypoints.jobs.matomo_push import matomo_push_handlers
from trackbridge.services.outbox import Handler


def build_handlers(container: Container) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    handlers.update(matomo_push_handlers(container))
    handlers.update(export_handlers(container))
    handlers.update(matomo_import_handlers(container))
    return handlers
