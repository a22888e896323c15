"""The reports API: /api/v1/reports/{order-sources,goals,pages,products,devices,geo}, JSON or CSV (``format=csv``).

Every report takes the same range (``from``, ``to``: days in the project's time zone) and filters (source, medium,
campaign, channel, country, region, device, os). Money is in the project's base currency, as decimal strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from trackbridge.entrypoints.http.deps import Caller, ContainerDep, ReadCaller
from trackbridge.entrypoints.http.errors import error_responses
from trackbridge.entrypoints.http.report_csv import report_records, write_csv
from trackbridge.entrypoints.http.responses import JsonAnswer
from trackbridge.services import reports
from trackbridge.services.ports import Transaction
from trackbridge.services.report_ports import ReportScope
from trackbridge.services.rollups import refresh_session_rollups

Format = Literal["json", "csv"]
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows at most.")]


@dataclass(frozen=True)
class Range:
    first: date | None
    last: date | None
    filters: dict[str, str | None]
    format: Format


def _range(
    first: Annotated[
        date | None, Query(alias="from", description="First day (project time zone); default 30 days ago.")
    ] = None,
    last: Annotated[date | None, Query(alias="to", description="Last day, included; default today.")] = None,
    source: Annotated[
        str | None, Query(description="Only visits from this source (utm_source, else referrer).")
    ] = None,
    medium: Annotated[str | None, Query(description="Only this medium (utm_medium, else referrer type).")] = None,
    campaign: Annotated[str | None, Query(description="Only this utm_campaign.")] = None,
    channel: Annotated[str | None, Query(description="Only this channel.")] = None,
    country: Annotated[str | None, Query(description="Only this country (ISO code).")] = None,
    region: Annotated[str | None, Query(description="Only this region (name).")] = None,
    device: Annotated[str | None, Query(description="Only this device type.")] = None,
    os: Annotated[str | None, Query(description="Only this operating system.")] = None,
    format: Annotated[Format, Query(description="json (default) or csv.")] = "json",
) -> Range:
    filters = {
        "source": source,
        "medium": medium,
        "campaign": campaign,
        "channel": channel,
        "country": country,
        "region": region,
        "device": device,
        "os": os,
    }
    return Range(first, last, filters, format)


RangeDep = Annotated[Range, Depends(_range)]


def _answer(report: reports.Report, scope: ReportScope, timezone: str, fmt: Format) -> Response:
    if fmt == "csv":
        filename = f"{report.report}-{scope.first_day.isoformat()}-{scope.last_day.isoformat()}.csv"
        return Response(
            write_csv(report_records(report), report.dimensions),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    body: dict[str, Any] = {
        "report": report.report,
        "from": scope.first_day.isoformat(),
        "to": scope.last_day.isoformat(),
        "timezone": timezone,
        **report.meta,
        "filters": {k: v for k, v in scope.filters.items()},
        "dimensions": report.dimensions,
        "rows": report.rows,
        "totals": report.totals,
    }
    return JsonAnswer(body)


async def _run(
    container: ContainerDep, caller: Caller, wanted: Range, build: Callable[[Transaction, ReportScope], reports.Report]
) -> Response:
    project = caller.project
    today = datetime.now(UTC).astimezone(ZoneInfo(project.timezone)).date()
    scope = reports.build_scope(project, wanted.first, wanted.last, wanted.filters, today)

    def read() -> reports.Report:
        refresh_session_rollups(container.uow, project)  # days the worker marked since its last rebuild
        with container.uow.read() as tx:
            return build(tx, scope)

    report = await run_in_threadpool(read)
    return _answer(report, scope, project.timezone, wanted.format)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=error_responses(400, 401, 403))

    @router.get("/order-sources", summary="Visits, orders, revenue and conversion per source")
    async def order_sources(
        container: ContainerDep,
        caller: ReadCaller,
        wanted: RangeDep,
        dimension: Annotated[
            str, Query(description="source, medium, campaign, channel, lead_source or referrer.")
        ] = "source",
        model: Annotated[str | None, Query(description="Attribution model; default last_non_direct.")] = None,
        models: Annotated[str | None, Query(description="Several models side by side, comma-separated.")] = None,
    ) -> Response:
        chosen = reports.parse_models(model, models)
        await run_in_threadpool(reports.refresh_order_rollups, container.uow, caller.project)
        return await _run(
            container,
            caller,
            wanted,
            lambda tx, scope: reports.order_sources(tx, caller.project, scope, dimension, chosen),
        )

    @router.get("/goals", summary="Goal conversions per goal and day, or per source")
    async def goals(
        container: ContainerDep,
        caller: ReadCaller,
        wanted: RangeDep,
        by: Annotated[
            str, Query(description="day, or source, medium, campaign, channel, lead_source, referrer.")
        ] = "day",
    ) -> Response:
        return await _run(container, caller, wanted, lambda tx, scope: reports.goals(tx, caller.project, scope, by))

    @router.get("/pages", summary="Page views, visits and time on page")
    async def pages(container: ContainerDep, caller: ReadCaller, wanted: RangeDep, limit: Limit = 100) -> Response:
        return await _run(container, caller, wanted, lambda tx, scope: reports.pages(tx, scope, limit))

    @router.get("/products", summary="Products viewed, carted and bought")
    async def products(container: ContainerDep, caller: ReadCaller, wanted: RangeDep, limit: Limit = 100) -> Response:
        return await _run(container, caller, wanted, lambda tx, scope: reports.products(tx, scope, limit))

    @router.get("/devices", summary="Visits, orders and revenue per device type, OS or browser")
    async def devices(
        container: ContainerDep,
        caller: ReadCaller,
        wanted: RangeDep,
        dimension: Annotated[str, Query(description="device, os or browser.")] = "device",
    ) -> Response:
        return await _run(
            container, caller, wanted, lambda tx, scope: reports.devices(tx, caller.project, scope, dimension)
        )

    @router.get("/geo", summary="Visits, orders and revenue per country, region or city")
    async def geo(
        container: ContainerDep,
        caller: ReadCaller,
        wanted: RangeDep,
        dimension: Annotated[str, Query(description="country, region or city.")] = "country",
    ) -> Response:
        return await _run(
            container, caller, wanted, lambda tx, scope: reports.geo(tx, caller.project, scope, dimension)
        )

    return router
