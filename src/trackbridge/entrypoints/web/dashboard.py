"""The dashboard of a project (``/p/{project}/``): the figures of a date range, drawn with plotly.js."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web.date_range import FromDay, ToDay, project_today, range_presets
from trackbridge.entrypoints.web.pages import ViewerPage, page_router, render
from trackbridge.services import dashboard as dashboard_service


def chart_data(board: dashboard_service.Dashboard) -> dict[str, Any]:
    """What static/dashboard.js draws: one list per series, aligned on ``days``."""
    return {
        "currency": board.currency,
        "days": [d.day.isoformat() for d in board.days],
        "visits": [d.visits for d in board.days],
        "identified": [d.identified for d in board.days],
        "orders": [d.orders for d in board.days],
        "revenue": [str(d.revenue) for d in board.days],
        "paidRevenue": [str(d.paid_revenue) for d in board.days],
        "sources": [
            {"source": row.get("source") or "(none)", "sessions": row["sessions"], "revenue": str(row["revenue"])}
            for row in board.top_sources
        ],
    }


def build_router(container: Container) -> APIRouter:
    router = page_router()

    @router.get("/p/{project}/")
    async def dashboard(request: Request, page: ViewerPage, first: FromDay = None, last: ToDay = None) -> Response:
        today = project_today(page.project)
        board = await run_in_threadpool(
            dashboard_service.build_dashboard, container.uow, page.project, first, last, today
        )
        return render(
            request,
            "dashboard.html",
            page,
            section="dashboard",
            board=board,
            charts=chart_data(board),
            presets=range_presets(today),
            first=board.first,
            last=board.last,
        )

    return router
