"""The import's source of visits: Matomo's Live API through :class:`MatomoLiveClient`, mapped page by page."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime

from trackbridge.adapters.connectors.matomo.import_mapping import map_visit
from trackbridge.adapters.connectors.matomo.live_client import DEFAULT_PAGE_SIZE, MatomoLiveClient, segment_of
from trackbridge.domain.matomo_visits import ImportedVisit

log = logging.getLogger(__name__)


class LiveVisitSource:
    def __init__(self, client: MatomoLiveClient, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self._client = client
        self._page_size = page_size

    def pages(self, conditions: Sequence[tuple[str, str]], since: datetime) -> Iterator[list[ImportedVisit]]:
        segment = segment_of(list(conditions))
        for page in self._client.iter_pages(segment, int(since.timestamp()), self._page_size):
            mapped: list[ImportedVisit] = []
            for raw in page:
                try:
                    mapped.append(map_visit(raw))
                except (KeyError, TypeError, ValueError) as error:
                    log.warning(
                        "matomo visit skipped: unreadable",
                        extra={"id_visit": raw.get("idVisit"), "reason": f"{type(error).__name__}: {error}"},
                    )
            yield mapped
