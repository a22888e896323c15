"""The Matomo push's job handlers: ``matomo.push_order`` (7 s time-out) and ``matomo.push_cart`` (2 s)."""

from __future__ import annotations

import httpx

from trackbridge.adapters.connectors.matomo.live_client import MatomoLiveClient
from trackbridge.adapters.connectors.matomo.tracking_client import (
    CART_TIMEOUT_SECONDS,
    ORDER_TIMEOUT_SECONDS,
    MatomoTrackingClient,
)
from trackbridge.adapters.outbound.http import build_client
from trackbridge.domain.errors import CredentialsRefused, PermanentError
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import matomo_push
from trackbridge.services.outbox import Handler, JobContext


def _tracker(context: JobContext, http: httpx.Client) -> MatomoTrackingClient:
    connector = context.connector
    if connector is None:
        raise PermanentError("the connector no longer exists")
    if not context.credential:
        raise CredentialsRefused("the connector has no auth token: set one with trackbridge connectors")
    settings = connector.settings
    live = MatomoLiveClient(http, str(settings["url"]), int(settings["siteId"]), context.credential)
    return MatomoTrackingClient(http, settings, context.credential, clock=context.now, holds_order=live.has_order)


def matomo_push_handlers(container: Container) -> dict[str, Handler]:
    transport = container.http_transport

    def push_order(context: JobContext) -> None:
        with build_client(context, timeout=ORDER_TIMEOUT_SECONDS, transport=transport) as http:
            matomo_push.push_order(context, _tracker(context, http))

    def push_cart(context: JobContext) -> None:
        with build_client(context, timeout=CART_TIMEOUT_SECONDS, transport=transport) as http:
            matomo_push.push_cart(context, _tracker(context, http))

    return {matomo_push.ORDER_JOB: push_order, matomo_push.CART_JOB: push_cart}
