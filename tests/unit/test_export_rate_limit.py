"""Which limit a destination's requests count against: one per account, never naming its credential."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from trackbridge.domain.outbound import Connector, ConnectorKind, ConnectorState
from trackbridge.services.export_sending import RateLimit

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def connector(connector_id: int, **settings: Any) -> Connector:
    return Connector(
        id=connector_id,
        project_id=1,
        kind=ConnectorKind.OMETRIA,
        name=f"c{connector_id}",
        enabled=True,
        settings=settings,
        has_credential=True,
        credential_hint="",
        state=ConnectorState.OK,
        state_message=None,
        state_at=None,
        enabled_at=NOW,
        next_run_at=None,
        log_requests=True,
        log_errors=True,
        created_at=NOW,
        updated_at=NOW,
    )


def test_destinations_sharing_an_api_key_share_one_limit_that_does_not_reveal_the_key() -> None:
    first = RateLimit.for_connector(connector(1, requestsPerSecond=4), "secret-api-key-1")
    second = RateLimit.for_connector(connector(2, requestsPerSecond=4), "secret-api-key-1")
    other = RateLimit.for_connector(connector(3, requestsPerSecond=4), "secret-api-key-2")
    assert first == second == RateLimit(first.key, 4, 1.0)
    assert other.key != first.key
    assert "secret" not in first.key


def test_a_destination_without_a_credential_has_its_own_limit() -> None:
    assert RateLimit.for_connector(connector(7), None).key == "connector:7"


def test_a_rate_below_one_per_second_becomes_one_request_per_longer_window() -> None:
    limit = RateLimit.for_connector(connector(1, requestsPerSecond=0.5), "k-123456")
    assert (limit.limit, limit.window_seconds) == (1, 2.0)
