"""Matomo's Tracking API as the push uses it: one authenticated bulk request per order or cart update.

Why bulk (reference/matomo.md §1): a single request answers a repeated ``ec_id``, a bad ``cid``, and ``cip`` or an old
``cdt`` with a token Matomo does not accept all with the same 400, never 401. A bulk request with ``token_auth`` at its
top answers ``{"tracked", "invalid", "invalid_indices"}``, and lists ``invalid_indices`` only when Matomo accepted the
token: their absence means the token was refused. The failures, classified once here:

- no ``invalid_indices`` in the answer, or a 401 / 403 → :class:`CredentialsRefused` (the connector is marked failing);
- time-out, refused connection, 5xx, 429 (honouring ``Retry-After``) → :class:`TransientError` (retried with backoff);
- the order refused (its index in ``invalid_indices``) → Matomo's Reporting API is asked whether it holds the order id
  (segment ``orderId==``): if so the order was a duplicate and counts as tracked, else :class:`TrackingRefused` with
  the reason (a permanent failure: the order is not marked tracked);
- any other answer → :class:`TrackingRefused` with what Matomo said.

Time-outs: 7 s for an order, 2 s for a cart update (seed 001), set on the ``httpx.Client`` the caller builds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from trackbridge.adapters.connectors.matomo import push_mapping
from trackbridge.adapters.outbound.http import raise_for_retry_or_refusal, translate_transport_error
from trackbridge.domain.errors import CredentialsRefused, PermanentError
from trackbridge.domain.matomo_ecommerce import PUSH_MARKER
from trackbridge.services.matomo_push_ports import JsonObject, OrderToPush, Tracked, TrackingRefused

log = logging.getLogger(__name__)

ORDER_TIMEOUT_SECONDS = 7.0
CART_TIMEOUT_SECONDS = 2.0
REFUSED_AUTH_MESSAGE = (
    "Matomo did not accept the auth token: its bulk answer lists no invalid_indices, which it does only for an "
    "authenticated request (check the token and that its user has write access to site {site})"
)


@dataclass(frozen=True, slots=True)
class BulkAnswer:
    tracked: int
    invalid: int
    invalid_indices: tuple[int, ...]


class MatomoTrackingClient:
    """Sends e-commerce requests to one Matomo site (``settings``: ``url``, ``siteId``, ``userIdFrom``)."""

    def __init__(
        self,
        http: httpx.Client,
        settings: Mapping[str, Any],
        token: str,
        *,
        clock: Callable[[], datetime],
        holds_order: Callable[[str], bool],
    ) -> None:
        self._http = http
        self._settings = settings
        self._token = token
        self._clock = clock
        self._holds_order = holds_order
        self._endpoint = push_mapping.tracking_endpoint(str(settings["url"]))

    def send(self, requests: list[push_mapping.Params]) -> BulkAnswer:
        """One authenticated bulk request; raises on anything but an answer that names the invalid requests."""
        body = push_mapping.bulk_body(requests, self._token)
        try:
            response = self._http.post(self._endpoint, json=body)
        except httpx.TransportError as error:
            raise translate_transport_error(error, "Matomo Tracking API") from error
        raise_for_retry_or_refusal(
            response,
            refused="Matomo refused the auth token ({status})",
            transient="Matomo Tracking API answered {status}",
        )
        status = response.status_code
        answer = _json(response)
        if status != 200 or answer is None or answer.get("status") != "success":
            said = (answer or {}).get("message") or response.text[:200]
            raise TrackingRefused(f"Matomo Tracking API answered {status}: {said!r}")
        if "invalid_indices" not in answer:
            raise CredentialsRefused(REFUSED_AUTH_MESSAGE.format(site=self._settings["siteId"]))
        indices = tuple(int(i) for i in answer.get("invalid_indices") or [])
        return BulkAnswer(int(answer.get("tracked") or 0), int(answer.get("invalid") or 0), indices)

    def track_order(self, order: OrderToPush) -> Tracked:
        params = push_mapping.order_request(
            order.order,
            self._settings,
            self._clock(),
            customer=order.customer,
            attribution=order.attribution,
            categories=order.categories,
        )
        params[PUSH_MARKER] = "1"
        url = push_mapping.tracking_url(str(self._settings["url"]), params)
        answer = self.send([params])
        if not answer.invalid_indices:
            return Tracked(url)
        order_id = params["ec_id"]
        refused = f"Matomo refused order {order_id!r} (invalid_indices {list(answer.invalid_indices)})"
        try:
            held = self._holds_order(order_id)
        except CredentialsRefused:
            raise
        except PermanentError as error:  # the Reporting API could not tell: not confirmed, so not tracked
            raise TrackingRefused(f"{refused}; not confirmed as a duplicate: {error.message}", url) from error
        if held:
            return Tracked(url, note="Matomo held this order already (a duplicate ec_id); confirmed by orderId==")
        raise TrackingRefused(
            f"{refused} and does not hold it: not a duplicate; check the site id {self._settings['siteId']}, the "
            "visitor id and the order's data",
            url,
        )

    def track_cart(self, cart: JsonObject) -> Tracked:
        params = push_mapping.cart_request(cart, self._settings, self._clock())
        params[PUSH_MARKER] = "1"
        url = push_mapping.tracking_url(str(self._settings["url"]), params)
        answer = self.send([params])
        if answer.invalid_indices:
            raise TrackingRefused(f"Matomo refused the cart update (invalid_indices {list(answer.invalid_indices)})")
        return Tracked(url)


def _json(response: httpx.Response) -> dict[str, Any] | None:
    try:
        answer = response.json()
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None
