"""Identity operations of the API: signed e-mail links, operator merges of customers and their undo."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.email_links import DEFAULT_VALIDITY
from trackbridge.entrypoints.http.deps import Caller, ContainerDep, WriteCaller
from trackbridge.entrypoints.http.errors import error_responses
from trackbridge.services import customers as customer_service


class EmailLinkRequest(BaseModel):
    email: str = Field(description="The recipient; a customer is created when the e-mail is new.")
    url: str = Field(description="The absolute http(s) URL the e-mail links to.")
    validityDays: int = Field(default=DEFAULT_VALIDITY.days, ge=1, le=400, description="Days the link identifies.")


class EmailLinkAnswer(BaseModel):
    url: str = Field(description="The URL with the signed `tb_r` parameter added.")


class MergeRequest(BaseModel):
    other: int = Field(description="The customer merged into the one in the path (its history moves over).")


def _by(caller: Caller) -> str:
    return f"api key {caller.key.prefix} ({caller.key.name})"


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["identity"], responses=error_responses(400, 401, 403))

    @router.post(
        "/email-links",
        response_model=EmailLinkAnswer,
        summary="Make a signed per-recipient link for a bulk e-mail",
        description="A click on the link identifies the visitor as the recipient (with e-mail-link strength).",
    )
    async def make_email_link(container: ContainerDep, caller: WriteCaller, body: EmailLinkRequest) -> EmailLinkAnswer:
        url = await run_in_threadpool(
            customer_service.email_link,
            container.uow,
            container.box,
            caller.project,
            body.email,
            body.url,
            validity=timedelta(days=body.validityDays),
        )
        return EmailLinkAnswer(url=url)

    @router.post(
        "/customers/{customer_id}/merge",
        summary="Merge another customer into this one (an operator's decision)",
        responses=error_responses(404, 409),
    )
    async def merge(container: ContainerDep, caller: WriteCaller, customer_id: int, body: MergeRequest) -> Any:
        info = await run_in_threadpool(
            customer_service.merge_customers, container.uow, caller.project, customer_id, body.other, _by(caller)
        )
        return customer_service.merge_as_json(info)

    @router.post("/merges/{merge_id}/undo", summary="Undo a merge", responses=error_responses(404, 409))
    async def undo(container: ContainerDep, caller: WriteCaller, merge_id: int) -> Any:
        info = await run_in_threadpool(
            customer_service.undo_merge, container.uow, caller.project, merge_id, _by(caller)
        )
        return customer_service.merge_as_json(info)

    return router
