"""/api/v1/exports/{connector_id}/...: historical export, re-export of one entity type, and the export queue's status
of a destination (Ometria or webhook connector)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.export import ENTITY_SEQUENCE, EntityType
from trackbridge.domain.outbound import Connector
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.deps import ContainerDep, ReadCaller, WriteCaller
from trackbridge.entrypoints.http.errors import error_responses
from trackbridge.services import connectors as connector_service
from trackbridge.services import exports as export_service

JsonObject = dict[str, Any]


class HistoricalBody(BaseModel):
    entities: list[str] | None = Field(
        None,
        description="Entity types to export (customer, product, order); leave out for all of them.",
        examples=[["customer", "product", "order"]],
    )


class ReexportBody(BaseModel):
    entity: str = Field(description="The entity type to export again: customer, product or order.", examples=["order"])


def _destination(container: Container, project: Project, connector_id: int) -> Connector:
    connector = connector_service.get_connector(container.uow, project, connector_id)
    if not export_service.is_export_connector(connector):
        raise InvalidInput(f"connector {connector.name!r} is not an export destination (ometria, webhook)", "id")
    return connector


def _queue(container: Container, project: Project, connector_id: int, entities: list[EntityType]) -> JsonObject:
    connector = _destination(container, project, connector_id)
    export_service.queue_historical(container.uow, connector, entities)
    return export_service.status_json(export_service.queue_status(container.uow, connector))


def _status(container: Container, project: Project, connector_id: int) -> JsonObject:
    connector = _destination(container, project, connector_id)
    return export_service.status_json(export_service.queue_status(container.uow, connector))


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/exports", tags=["exports"], responses=error_responses(400, 401, 403, 404))

    @router.post(
        "/{connector_id}/historical",
        status_code=202,
        summary="Queue a historical export of every customer, product and order (restartable)",
    )
    async def historical(
        container: ContainerDep, caller: WriteCaller, connector_id: int, body: HistoricalBody | None = None
    ) -> JsonObject:
        names = body.entities if body is not None and body.entities else [e.value for e in ENTITY_SEQUENCE]
        entities = [export_service.parse_entity(name) for name in names]
        return await run_in_threadpool(_queue, container, caller.project, connector_id, entities)

    @router.post("/{connector_id}/reexport", status_code=202, summary="Queue a re-export of one entity type")
    async def reexport(
        container: ContainerDep, caller: WriteCaller, connector_id: int, body: ReexportBody
    ) -> JsonObject:
        entity = export_service.parse_entity(body.entity)
        return await run_in_threadpool(_queue, container, caller.project, connector_id, [entity])

    @router.get("/{connector_id}/status", summary="Records waiting per entity type and lane, and the latest export")
    async def status(container: ContainerDep, caller: ReadCaller, connector_id: int) -> JsonObject:
        return await run_in_threadpool(_status, container, caller.project, connector_id)

    return router
