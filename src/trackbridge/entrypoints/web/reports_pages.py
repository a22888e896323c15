"""The report pages: order sources (attribution models, one or side by side), goals, top pages, products of interest,
devices and OS, geography; each with the filters of the reports API and a CSV export.

A page and its CSV take the reports API's query parameters (``from``, ``to``, ``source``, ``medium``, ``campaign``,
``channel``, ``country``, ``region``, ``device``, ``os``, ``dimension``, ``model``, ``models``, ``by``, ``limit``) and
run the same use cases (services/reports.py) after the same rollup refresh; the CSV is written by the API's own writer
(http/report_csv.py), so its numbers are the API's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from trackbridge.domain.errors import InvalidInput, NotFound
from trackbridge.domain.projects import Project
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.http.report_csv import report_records, write_csv
from trackbridge.entrypoints.web import reports_view as view
from trackbridge.entrypoints.web.date_range import project_today, range_presets
from trackbridge.entrypoints.web.pages import ViewerPage, page_router, render
from trackbridge.entrypoints.web.templating import project_path
from trackbridge.services import report_filters, reports
from trackbridge.services.ports import Transaction
from trackbridge.services.report_ports import ReportScope
from trackbridge.services.rollups import refresh_session_rollups

REPORTS = {
    "order-sources": "Order sources",
    "goals": "Goals",
    "pages": "Top pages",
    "products": "Products of interest",
    "devices": "Devices and OS",
    "geo": "Geography",
}
DESCRIPTIONS = {
    "order-sources": "Visits, orders, revenue, profit and conversion per source, medium, campaign or channel, "
    "under each attribution model, one or several side by side.",
    "goals": "Orders created, paid, cancelled and spam, per day or per source.",
    "pages": "The most viewed pages, their visits and the time spent on them.",
    "products": "Products viewed, added to carts and bought.",
    "devices": "Visits, orders and revenue per device type, operating system or browser.",
    "geo": "Visits, orders and revenue per country, region or city.",
}
DIMENSIONS = {
    "order-sources": reports.SOURCE_DIMENSIONS,
    "devices": tuple(reports.DEVICE_DIMENSIONS),
    "geo": tuple(reports.GEO_DIMENSIONS),
    "goals": ("day", *reports.SOURCE_DIMENSIONS),
}
DEFAULT_DIMENSION = {"order-sources": "source", "devices": "device", "geo": "country", "goals": "day"}
FILTERS = ("source", "medium", "campaign", "channel", "country", "region", "device", "os")
DEFAULT_LIMIT = 100
Text = Annotated[str, Query(max_length=500)]


@dataclass(frozen=True)
class Wanted:
    """A report request as the API takes it (empty form fields count as not given)."""

    report: str
    first: date | None
    last: date | None
    filters: dict[str, str | None]
    dimension: str
    models: list[str]
    limit: int

    def query(self) -> dict[str, Any]:
        """The reports API's query parameters for this request (the CSV link, and what a test sends the API)."""
        params: dict[str, Any] = {
            "from": self.first.isoformat() if self.first else None,
            "to": self.last.isoformat() if self.last else None,
            **self.filters,
        }
        if self.report == "goals":
            params["by"] = self.dimension
        elif self.report in DIMENSIONS:
            params["dimension"] = self.dimension
        if self.report == "order-sources":
            params["models" if len(self.models) > 1 else "model"] = ",".join(self.models)
        if self.report in ("pages", "products"):
            params["limit"] = self.limit
        return {key: value for key, value in params.items() if value not in (None, "")}


def _day(value: str, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("is not a day (YYYY-MM-DD)", name) from None


def _wanted(report: str, params: dict[str, str], compare: list[str], limit: int) -> Wanted:
    if report not in REPORTS:
        raise NotFound(f"There is no report {report!r}.")
    dimension = params.get("dimension") or params.get("by") or DEFAULT_DIMENSION.get(report, "")
    if report in DIMENSIONS and dimension not in DIMENSIONS[report]:
        raise InvalidInput(f"must be one of {', '.join(DIMENSIONS[report])}", "dimension")
    models: list[str] = []
    if report == "order-sources":
        chosen = [params.get("model") or "", *compare, *(params.get("models") or "").split(",")]
        named = [m.strip() for m in chosen if m.strip()]
        models = reports.parse_models(None, ",".join(dict.fromkeys(named)) or None)
    filters = {name: (params.get(name) or "").strip() or None for name in FILTERS}
    return Wanted(report, _day(params["from"], "from"), _day(params["to"], "to"), filters, dimension, models, limit)


def _build(wanted: Wanted, project: Project) -> Callable[[Transaction, ReportScope], reports.Report]:
    name, dimension = wanted.report, wanted.dimension
    builders: dict[str, Callable[[Transaction, ReportScope], reports.Report]] = {
        "order-sources": lambda tx, scope: reports.order_sources(tx, project, scope, dimension, wanted.models),
        "goals": lambda tx, scope: reports.goals(tx, project, scope, dimension),
        "pages": lambda tx, scope: reports.pages(tx, scope, wanted.limit),
        "products": lambda tx, scope: reports.products(tx, scope, wanted.limit),
        "devices": lambda tx, scope: reports.devices(tx, project, scope, dimension),
        "geo": lambda tx, scope: reports.geo(tx, project, scope, dimension),
    }
    return builders[name]


def run_report(container: Container, project: Project, wanted: Wanted) -> tuple[reports.Report, ReportScope]:
    """What the reports API does for the same request: refresh the rollups, then read the report."""
    scope = reports.build_scope(project, wanted.first, wanted.last, wanted.filters, project_today(project))
    if wanted.report == "order-sources":
        reports.refresh_order_rollups(container.uow, project)
    refresh_session_rollups(container.uow, project)
    with container.uow.read() as tx:
        return _build(wanted, project)(tx, scope), scope


def _wanted_of(
    report: str,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
    source: Text = "",
    medium: Text = "",
    campaign: Text = "",
    channel: Text = "",
    country: Text = "",
    region: Text = "",
    device: Text = "",
    os: Text = "",
    dimension: Text = "",
    by: Text = "",
    model: Text = "",
    models: Text = "",
    compare: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = DEFAULT_LIMIT,
) -> Wanted:
    """The request's report and the reports API's parameters (plus ``compare``: the page's model check boxes)."""
    params = {
        "from": first,
        "to": last,
        "source": source,
        "medium": medium,
        "campaign": campaign,
        "channel": channel,
        "country": country,
        "region": region,
        "device": device,
        "os": os,
        "dimension": dimension,
        "by": by,
        "model": model,
        "models": models,
    }
    return _wanted(report, params, compare or [], limit)


WantedReport = Annotated[Wanted, Depends(_wanted_of)]


def build_router(container: Container) -> APIRouter:
    router = page_router()

    @router.get("/p/{project}/reports")
    async def index(request: Request, page: ViewerPage) -> Response:
        return render(
            request, "reports/index.html", page, section="reports", reports=REPORTS, descriptions=DESCRIPTIONS
        )

    @router.get("/p/{project}/reports/{report}.csv")
    async def report_csv(
        page: ViewerPage,
        wanted: WantedReport,
    ) -> Response:
        found, scope = await run_in_threadpool(run_report, container, page.project, wanted)
        filename = f"{found.report}-{scope.first_day.isoformat()}-{scope.last_day.isoformat()}.csv"
        return Response(
            write_csv(report_records(found), found.dimensions),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @router.get("/p/{project}/reports/{report}")
    async def report_page(
        request: Request,
        page: ViewerPage,
        wanted: WantedReport,
    ) -> Response:

        def read() -> tuple[reports.Report, ReportScope, dict[str, list[str]]]:
            found, scope = run_report(container, page.project, wanted)
            return found, scope, report_filters.filter_choices(container.uow, scope)

        found, scope, choices = await run_in_threadpool(read)
        query = wanted.query()
        return render(
            request,
            "reports/report.html",
            page,
            section="reports",
            reports=REPORTS,
            report=wanted.report,
            title=REPORTS[wanted.report],
            wanted=wanted,
            scope=scope,
            choices=choices,
            dimensions=DIMENSIONS.get(wanted.report, ()),
            model_labels=view.MODEL_LABELS,
            dimension_labels=view.DIMENSION_LABELS,
            table=view.table_of(found),
            chart=view.chart_of(found),
            csv_url=project_path(page.project, "reports", f"{wanted.report}.csv", **query),
            api_query=query,
            presets=[
                (
                    label,
                    (first_day, last_day) == (scope.first_day, scope.last_day),
                    project_path(
                        page.project,
                        "reports",
                        wanted.report,
                        **{**query, "from": first_day.isoformat(), "to": last_day.isoformat()},
                    ),
                )
                for label, first_day, last_day in range_presets(project_today(page.project))
            ],
        )

    return router
