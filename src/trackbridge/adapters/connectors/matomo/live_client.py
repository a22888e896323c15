"""Matomo's Reporting API, as the import and the push confirmation use it: ``Live.getLastVisitsDetails``.

The auth token always travels as a POST parameter (Matomo 5 may refuse it in the query, and a query ends up in logs),
and so does the segment, which names customers. Failures are classified once here:

- 401 → :class:`CredentialsRefused` with Matomo's own message (the connector is marked failing);
- time-out, refused connection, 5xx, 429 (with ``Retry-After``) → :class:`TransientError` (retried with backoff);
- any other answer that is not a JSON list of visits (an error object, XML, HTML) → :class:`PermanentError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from trackbridge.adapters.outbound.http import raise_for_retry_or_refusal
from trackbridge.domain.errors import CredentialsRefused, PermanentError, TransientError

Visit = dict[str, Any]
DEFAULT_PAGE_SIZE = 100
EARLIEST_DATE = "2000-01-01"
MAX_PAGES = 10_000  # a guard against a server that ignores filter_offset


def segment_of(conditions: list[tuple[str, str]]) -> str:
    """An OR segment (``userId==a,visitorId==b``), each value URL-encoded as Matomo expects inside a segment."""
    return ",".join(f"{name}=={quote(value, safe='')}" for name, value in conditions)


class MatomoLiveClient:
    def __init__(self, http: httpx.Client, url: str, site_id: int, token: str) -> None:
        self._http = http
        self._endpoint = url.rstrip("/") + "/index.php"
        self._site_id = site_id
        self._token = token

    def get_last_visits(
        self, segment: str, min_timestamp: int | None = None, page_size: int = DEFAULT_PAGE_SIZE, offset: int = 0
    ) -> list[Visit]:
        """One page of visits matching ``segment`` whose last action is after ``min_timestamp`` (unix), newest first."""
        query = {
            "module": "API",
            "method": "Live.getLastVisitsDetails",
            "idSite": str(self._site_id),
            "format": "json",
            "filter_limit": str(page_size),
            "filter_offset": str(offset),
        }
        # A date range always: some Matomo versions only look at the last 24 hours when no period is given.
        since = _day_before(min_timestamp) if min_timestamp is not None else EARLIEST_DATE
        query.update(period="range", date=f"{since},today")
        form = {"token_auth": self._token, "segment": segment}
        if min_timestamp is not None:
            form["minTimestamp"] = str(int(min_timestamp))
        answer = self._post(query, form)
        if not isinstance(answer, list) or not all(isinstance(visit, dict) for visit in answer):
            raise PermanentError(f"Matomo answered {_describe(answer)} instead of a list of visits")
        return answer

    def iter_pages(
        self, segment: str, min_timestamp: int | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[list[Visit]]:
        """Every page of visits until a short one (``filter_offset`` moves on by ``page_size``)."""
        for number in range(MAX_PAGES):
            page = self.get_last_visits(segment, min_timestamp, page_size, number * page_size)
            if page:
                yield page
            if len(page) < page_size:
                return

    def has_order(self, order_id: str) -> bool:
        """Whether Matomo holds an e-commerce order with this id (segment ``orderId==``)."""
        return bool(self.get_last_visits(segment_of([("orderId", order_id)]), None, page_size=1))

    def _post(self, query: dict[str, str], form: dict[str, str]) -> Any:
        try:
            response = self._http.post(self._endpoint, params=query, data=form)
        except httpx.TimeoutException as error:
            raise TransientError(f"Matomo Reporting API timed out ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise TransientError(f"Matomo Reporting API unreachable ({type(error).__name__})") from error
        status = response.status_code
        if status == 401:
            raise CredentialsRefused(_message(response) or "Matomo refused the auth token (401)")
        raise_for_retry_or_refusal(response, transient="Matomo Reporting API answered {status}")
        if status >= 400:
            raise PermanentError(f"Matomo Reporting API answered {status}: {_message(response) or response.text[:200]}")
        try:
            answer = response.json()
        except ValueError as error:
            kind = response.headers.get("content-type", "unknown content")
            raise PermanentError(f"Matomo answered {kind}, not JSON: {response.text[:120]!r}") from error
        if isinstance(answer, dict) and answer.get("result") == "error":
            raise PermanentError(f"Matomo: {answer.get('message') or 'error'}")
        return answer


def _day_before(timestamp: int) -> str:
    """The day before ``timestamp`` (UTC): the site's time zone may be behind UTC."""
    return (datetime.fromtimestamp(timestamp, UTC) - timedelta(days=1)).strftime("%Y-%m-%d")


def _message(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    message = body.get("message") if isinstance(body, dict) else None
    return str(message) if message else None


def _describe(answer: Any) -> str:
    return f"a JSON {type(answer).__name__}"
