"""Outbound HTTP for connectors: an ``httpx.Client`` whose every call lands in the connector's request log.

The transport wrapper times each request and records method, URL (secrets redacted: ``token_auth`` and the like, and
the connector's credential wherever it appears), status and duration; a time-out or refused connection is recorded with
no status before the error goes on to the handler, which translates it (``translate_transport_error``).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from functools import cache

import httpx

from trackbridge.domain.errors import CredentialsRefused, TransientError
from trackbridge.domain.outbound import RequestRecord, redact_url
from trackbridge.services.outbox import JobContext


class RecordingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, context: JobContext, *, owns_inner: bool = True) -> None:
        self._inner = inner
        self._context = context
        self._owns_inner = owns_inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        url = redact_url(str(request.url), self._context.secrets)
        subject = self._context.job.subject
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError as error:
            self._context.record(
                RequestRecord(
                    at=self._context.now(),
                    method=request.method,
                    url=url,
                    status=None,
                    duration_ms=_ms(started),
                    subject=subject,
                    outcome=describe_transport_error(error),
                )
            )
            raise
        self._context.record(
            RequestRecord(
                at=self._context.now(),
                method=request.method,
                url=url,
                status=response.status_code,
                duration_ms=_ms(started),
                subject=subject,
            )
        )
        return response

    def close(self) -> None:
        if self._owns_inner:
            self._inner.close()


def build_client(
    context: JobContext,
    *,
    timeout: float,
    transport: httpx.BaseTransport | None = None,
    base_url: str = "",
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """A client for one job: explicit time-out, every call recorded in the connector's request log.

    Without a ``transport`` it uses the process's shared network transport (its connection pool and TLS context are
    built once: a new one costs ~90 ms of CPU per job); closing the client leaves a given or shared transport open."""
    return httpx.Client(
        transport=RecordingTransport(transport or shared_transport(), context, owns_inner=False),
        timeout=httpx.Timeout(timeout),
        base_url=base_url,
        headers={"User-Agent": "trackbridge", **(headers or {})},
    )


@cache
def shared_transport() -> httpx.HTTPTransport:
    """The network transport every outbound client of this process shares (made on first use, thread-safe)."""
    return httpx.HTTPTransport()


def describe_transport_error(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return f"timed out ({type(error).__name__})"
    return f"no answer: {type(error).__name__}"


def translate_transport_error(error: httpx.TransportError, where: str) -> TransientError:
    """A time-out or connection failure as the transient error the outbox retries."""
    return TransientError(f"{where}: {describe_transport_error(error)}")


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (delta form; an HTTP date is read as one minute)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return 60.0


def raise_for_retry_or_refusal(
    response: httpx.Response,
    *,
    transient: str,
    refused: str | None = None,
    transient_statuses: Collection[int] = (429,),
) -> None:
    """Raise what the outbox acts on for an HTTP status; return for any other status (the caller reads the answer).

    401 / 403 → :class:`CredentialsRefused` with ``refused`` (the connector stops until its credential is changed; None:
    the caller handles those statuses); a 5xx or one of ``transient_statuses`` → :class:`TransientError` with
    ``transient``, never retried sooner than ``Retry-After``. Both messages may hold ``{status}``.
    """
    status = response.status_code
    if refused is not None and status in (401, 403):
        raise CredentialsRefused(refused.format(status=status))
    if status in transient_statuses or status >= 500:
        raise TransientError(transient.format(status=status), retry_after=retry_after_seconds(response))


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
