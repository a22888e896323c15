"""Handlers of the Matomo import's jobs: one customer's import, and the scheduled run that queues everyone's."""

from __future__ import annotations

from trackbridge.adapters.connectors.matomo.live_client import MatomoLiveClient
from trackbridge.adapters.connectors.matomo.live_visits import LiveVisitSource
from trackbridge.adapters.outbound.http import build_client
from trackbridge.domain.errors import CredentialsRefused, PermanentError
from trackbridge.domain.outbound import Connector
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.services import matomo_import
from trackbridge.services.outbox import Handler, JobContext

REPORTING_TIMEOUT_SECONDS = 30.0
"""Live.getLastVisitsDetails pages with their actions can take Matomo a while to build."""


def matomo_import_handlers(container: Container) -> dict[str, Handler]:
    def import_customer(context: JobContext) -> None:
        connector, project = _connector_and_project(container, context)
        if context.credential is None:
            raise CredentialsRefused("the connector has no Matomo auth token")
        settings = connector.settings
        customer_id = int(context.job.payload["customerId"])
        with build_client(context, timeout=REPORTING_TIMEOUT_SECONDS, transport=container.http_transport) as http:
            client = MatomoLiveClient(http, str(settings["url"]), int(settings["siteId"]), context.credential)
            source = LiveVisitSource(client, int(settings.get("pageSize", 100)))
            matomo_import.import_customer(
                container.uow,
                project,
                connector,
                source,
                customer_id,
                context.now(),
                anonymize_level=container.settings.anonymize_ip,
            )

    def scheduled_run(context: JobContext) -> None:
        connector, _project = _connector_and_project(container, context)
        matomo_import.queue_everyone(container.uow, connector, context.now())

    return {matomo_import.IMPORT_JOB: import_customer, matomo_import.SCHEDULED_RUN_JOB: scheduled_run}


def _connector_and_project(container: Container, context: JobContext) -> tuple[Connector, Project]:
    connector = context.connector
    if connector is None:
        raise PermanentError("the Matomo connector of this job was removed")
    with container.uow.read() as tx:
        project = tx.projects.by_id(connector.project_id)
    if project is None:
        raise PermanentError("the project of this job was removed")
    return connector, project
