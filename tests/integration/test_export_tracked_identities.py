"""Customers identified or described on the website (tracker identify, customerDetails) are live updates for the
export destinations too, not only those sent by the shop's backend."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.identity_support import event, send_and_process
from tests.support.export_shop import add_ometria
from trackbridge.domain.export import EntityType, Lane
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container


def _waiting(container: Container, connector_id: int) -> dict[tuple[EntityType, Lane], int]:
    with container.uow.read() as tx:
        return tx.exports.counts(connector_id)


def test_identify_on_the_site_queues_the_customer_for_export(
    client: TestClient, container: Container, seed_project: ProjectCredentials
) -> None:
    destination = add_ometria(container, seed_project.project, "http://127.0.0.1:9")
    send_and_process(client, container, [event("e1", "page_view", 0)])
    assert _waiting(container, destination.id).get((EntityType.CUSTOMER, Lane.LIVE), 0) == 0
    send_and_process(client, container, [event("e2", "identify", 1, properties={"email": "new.buyer@example.com"})])
    assert _waiting(container, destination.id)[(EntityType.CUSTOMER, Lane.LIVE)] == 1
