"""The customer pages: the searchable, filterable list and a customer's page (timeline, profile, merges).

Merging and undoing a merge are for the project's admins (POST forms with the CSRF token, then Post/Redirect/Get);
what went wrong comes back as a notice on the customer page.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from trackbridge.domain.errors import ClientError
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web import customers_view as view
from trackbridge.entrypoints.web.pages import (
    AdminPost,
    ProjectPage,
    ViewerPage,
    page_router,
    redirect_to,
    render,
)
from trackbridge.entrypoints.web.templating import project_path
from trackbridge.services import customer_directory as directory
from trackbridge.services.customer_directory_ports import CustomerFilterChoices, CustomerListPage, CustomerQuery

PER_PAGE = 50
VISITS_PER_PAGE = 20
ORDERED = {"yes": True, "no": False}
Text = Annotated[str, Query(max_length=directory.MAX_SEARCH)]


def _by(page: ProjectPage) -> str:
    return f"user {page.user.email}"


def _back(page: ProjectPage, customer_id: int, **query: str) -> Response:
    return redirect_to(project_path(page.project, "customers", customer_id, **query))


def build_router(container: Container) -> APIRouter:
    router = page_router()

    @router.get("/p/{project}/customers")
    async def customer_list(
        request: Request,
        page: ViewerPage,
        q: Text = "",
        tag: Text = "",
        source: Text = "",
        lead_source: Text = "",
        ordered: Annotated[str, Query(pattern="^(|yes|no)$")] = "",
        n: Annotated[int, Query(ge=1, le=100_000)] = 1,
    ) -> Response:
        query = CustomerQuery(
            search=q,
            tag=tag,
            source=source,
            lead_source=lead_source,
            has_ordered=ORDERED.get(ordered),
            page=n,
            per_page=PER_PAGE,
        )

        def read() -> tuple[CustomerListPage, CustomerFilterChoices]:
            return (
                directory.list_customers(container.uow, page.project, query),
                directory.filter_choices(container.uow, page.project),
            )

        found, choices = await run_in_threadpool(read)
        filters = {"q": q, "tag": tag, "source": source, "lead_source": lead_source, "ordered": ordered}
        kept = {key: value for key, value in filters.items() if value}
        return render(
            request,
            "customers/list.html",
            page,
            section="customers",
            found=found,
            choices=choices,
            filters=filters,
            filtered=bool(kept),
            page_query=lambda number: urlencode({**kept, "n": number}),
            moment=view.local(page.project.timezone),
        )

    @router.get("/p/{project}/customers/{customer_id}")
    async def customer_page(
        request: Request,
        page: ViewerPage,
        customer_id: int,
        cursor: Annotated[str | None, Query(max_length=20)] = None,
        until: Annotated[int | None, Query(ge=0)] = None,
        done: Annotated[str, Query(max_length=40)] = "",
        error: Annotated[str, Query(max_length=500)] = "",
    ) -> Response:
        found = await run_in_threadpool(
            directory.customer_page, container.uow, page.project, customer_id, cursor=cursor, limit=VISITS_PER_PAGE
        )
        timeline = found.timeline
        return render(
            request,
            "customers/detail.html",
            page,
            section="customers",
            customer=timeline["customer"],
            name=view.display_name(timeline["customer"]),
            timeline=timeline,
            feed=view.feed(timeline, found.profile["orderHistory"], until if cursor else None),
            older=None
            if timeline["next"] is None
            else project_path(
                page.project,
                "customers",
                customer_id,
                cursor=timeline["next"],
                until=timeline["sessions"][-1]["startedAt"],
            ),
            profile=found.profile,
            merges=found.merges,
            merged_into=found.merged_into,
            cursor=cursor,
            done=done,
            error=error,
            when=view.clock(page.project.timezone),
            moment=view.local(page.project.timezone),
            duration=view.duration,
            action_label=view.action_label,
            action_detail=view.action_detail,
            link_label=view.link_label,
            source_label=view.source_label,
            device_label=view.device_label,
            place_label=view.place_label,
        )

    @router.post("/p/{project}/customers/{customer_id}/merge")
    async def merge(request: Request, page: AdminPost, customer_id: int) -> Response:
        form = await request.form()
        other = form.get("other")
        try:
            info = await run_in_threadpool(
                directory.merge_into,
                container.uow,
                page.project,
                customer_id,
                other if isinstance(other, str) else "",
                _by(page),
            )
        except ClientError as refused:
            return _back(page, customer_id, error=refused.message)
        return _back(page, customer_id, done=f"merged {info.merged_customer_id}")

    @router.post("/p/{project}/customers/{customer_id}/merges/{merge_id}/undo")
    async def undo(page: AdminPost, customer_id: int, merge_id: int) -> Response:
        try:
            await run_in_threadpool(directory.undo_merge, container.uow, page.project, merge_id, _by(page))
        except ClientError as refused:
            return _back(page, customer_id, error=refused.message)
        return _back(page, customer_id, done=f"merge {merge_id} undone")

    return router
