"""GET / PUT /api/v1/lookups/{lead-sources|channels}: the lookup mappings of a project (API key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from trackbridge.entrypoints.http.deps import ContainerDep, ReadCaller, WriteCaller
from trackbridge.entrypoints.http.errors import error_responses
from trackbridge.services import lookups
from trackbridge.services.lookups import LookupKind
from trackbridge.services.tracking_ports import LookupMappings

_KINDS = {"lead-sources": LookupKind.LEAD_SOURCE, "channels": LookupKind.CHANNEL}


class Mapping(BaseModel):
    field: str = Field(description="utm_source or utm_campaign (lead sources); utm_medium (channels).")
    value: str = Field(max_length=500, description="The raw UTM value, matched exactly.")
    target: str = Field(max_length=200, description="The lead source or channel it maps to.")


class Mappings(BaseModel):
    items: list[Mapping]


Kind = Annotated[str, Path(pattern="^(lead-sources|channels)$", description="lead-sources or channels")]


def _answer(mappings: LookupMappings) -> Mappings:
    items = [Mapping(field=f, value=v, target=t) for (f, v), t in sorted(mappings.items())]
    return Mappings(items=items)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/lookups", tags=["lookups"], responses=error_responses(400, 401, 403))

    @router.get("/{kind}", response_model=Mappings, summary="The lookup mappings of a kind")
    async def get_mappings(container: ContainerDep, caller: ReadCaller, kind: Kind) -> Mappings:
        found = await run_in_threadpool(lookups.get_mappings, container.uow, caller.project, _KINDS[kind])
        return _answer(found)

    @router.put(
        "/{kind}",
        response_model=Mappings,
        summary="Replace the lookup mappings of a kind",
        description="New visits take their lead source (utm_source first, then utm_campaign) and channel "
        "(utm_medium) through these; stored visits keep theirs, and every visit keeps its raw UTM values.",
    )
    async def put_mappings(container: ContainerDep, caller: WriteCaller, kind: Kind, body: Mappings) -> Mappings:
        items = [(m.field, m.value, m.target) for m in body.items]
        stored = await run_in_threadpool(lookups.replace_mappings, container.uow, caller.project, _KINDS[kind], items)
        return _answer(stored)

    return router
