"""Job handlers of the export to marketing platforms: the scheduled runs of Ometria and webhook destinations (which plan
the next records into batches) and ``export.send_batch`` (which sends one batch through the destination's client)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

import trackbridge.adapters.connectors.ometria.client as ometria_client
import trackbridge.adapters.connectors.ometria.mapping as ometria_mapping
import trackbridge.adapters.connectors.webhook.client as webhook_client
import trackbridge.adapters.connectors.webhook.mapping as webhook_mapping
from trackbridge.adapters.outbound.http import build_client
from trackbridge.domain.errors import PermanentError
from trackbridge.domain.export import BatchOutcome
from trackbridge.domain.outbound import ConnectorKind
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services.export_sending import Destination, RateLimit, send_batch
from trackbridge.services.exports import SEND_BATCH, plan_next_run
from trackbridge.services.outbox import Handler, JobContext

DEFAULT_TIMEOUT_SECONDS = 30.0
JsonObject = dict[str, Any]
SendBatch = Callable[[httpx.Client, list[JsonObject], JsonObject, str | None], BatchOutcome]


@dataclass(frozen=True, slots=True)
class KindAdapters:
    build_record: Callable[[str, JsonObject, JsonObject], JsonObject | None]
    record_key: Callable[[str, JsonObject, JsonObject], str]
    send_batch: SendBatch


KINDS: dict[ConnectorKind, KindAdapters] = {
    ConnectorKind.OMETRIA: KindAdapters(
        ometria_mapping.build_record, ometria_mapping.record_key, ometria_client.send_batch
    ),
    ConnectorKind.WEBHOOK: KindAdapters(
        webhook_mapping.build_record, webhook_mapping.record_key, webhook_client.send_batch
    ),
}


def _scheduled_run(context: JobContext) -> None:
    if context.connector is not None:
        plan_next_run(context.uow, context.connector.id, context.clock)


def _send(container: Container, context: JobContext) -> None:
    connector = context.connector
    if connector is None:
        raise PermanentError("the destination of this export batch was removed")
    kind = KINDS.get(connector.kind)
    if kind is None:
        raise PermanentError(f"connectors of kind {connector.kind.value!r} do not take exports")
    timeout = float(connector.settings.get("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS)
    with build_client(context, timeout=timeout, transport=container.http_transport) as http:

        def send(records: list[JsonObject]) -> BatchOutcome:
            return kind.send_batch(http, records, connector.settings, context.credential)

        destination = Destination(build_record=kind.build_record, record_key=kind.record_key, send=send)
        send_batch(context, destination, RateLimit.for_connector(connector, context.credential))


def export_handlers(container: Container) -> dict[str, Handler]:
    return {
        f"{ConnectorKind.OMETRIA.value}.scheduled_run": _scheduled_run,
        f"{ConnectorKind.WEBHOOK.value}.scheduled_run": _scheduled_run,
        SEND_BATCH: lambda context: _send(container, context),
    }
