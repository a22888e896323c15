"""GET / PUT /api/v1/settings/{status-mapping,currency-rates,order-windows}: a project's order settings (API key)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from trackbridge.entrypoints.http.deps import ContainerDep, ReadCaller, WriteCaller
from trackbridge.entrypoints.http.errors import error_responses
from trackbridge.services import order_settings
from trackbridge.services.order_ports import OrderSettings


class StatusMappingBody(BaseModel):
    mapping: dict[str, str] = Field(
        description="Your status names → IN_PROGRESS, PAID, CANCELLED, SPAM or OTHER; they win over the defaults.",
        examples=[{"Versendet": "PAID", "Storniert": "CANCELLED"}],
    )


class CurrencyRatesBody(BaseModel):
    rates: dict[str, str] = Field(
        description="Currency code → units of the base currency one unit is worth (a decimal string).",
        examples=[{"EUR": "1.08"}],
    )


class OrderWindows(BaseModel):
    linkWindowDays: int | None = Field(None, description="How far before an order its visits count (default 21).")
    statusWindowDays: int | None = Field(
        None, description="How long after an order its status changes move the reports (default 90)."
    )


def _mapping(settings: OrderSettings) -> StatusMappingBody:
    return StatusMappingBody(mapping={name: kind.value for name, kind in sorted(settings.status_mapping.items())})


def _windows(settings: OrderSettings) -> OrderWindows:
    return OrderWindows(linkWindowDays=settings.link_window_days, statusWindowDays=settings.status_window_days)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/settings", tags=["order settings"], responses=error_responses(400, 401, 403))

    @router.get("/status-mapping", response_model=StatusMappingBody, summary="The project's own status names")
    async def get_status_mapping(container: ContainerDep, caller: ReadCaller) -> StatusMappingBody:
        return _mapping(await run_in_threadpool(order_settings.get_settings, container.uow, caller.project))

    @router.put(
        "/status-mapping",
        response_model=StatusMappingBody,
        summary="Replace the project's own status names",
        description="Stored status histories and the statuses reports follow are re-typed; goals already counted stay.",
    )
    async def put_status_mapping(
        container: ContainerDep, caller: WriteCaller, body: StatusMappingBody
    ) -> StatusMappingBody:
        settings = await run_in_threadpool(
            order_settings.replace_status_mapping, container.uow, caller.project, body.mapping
        )
        return _mapping(settings)

    @router.get("/currency-rates", response_model=CurrencyRatesBody, summary="The project's currency rates")
    async def get_currency_rates(container: ContainerDep, caller: ReadCaller) -> CurrencyRatesBody:
        settings = await run_in_threadpool(order_settings.get_settings, container.uow, caller.project)
        return CurrencyRatesBody(rates=dict(sorted(settings.currency_rates.items())))

    @router.put("/currency-rates", response_model=CurrencyRatesBody, summary="Replace the project's currency rates")
    async def put_currency_rates(
        container: ContainerDep, caller: WriteCaller, body: CurrencyRatesBody
    ) -> CurrencyRatesBody:
        settings = await run_in_threadpool(
            order_settings.replace_currency_rates, container.uow, caller.project, body.rates
        )
        return CurrencyRatesBody(rates=dict(sorted(settings.currency_rates.items())))

    @router.get("/order-windows", response_model=OrderWindows, summary="The link and status windows, in days")
    async def get_windows(container: ContainerDep, caller: ReadCaller) -> OrderWindows:
        return _windows(await run_in_threadpool(order_settings.get_settings, container.uow, caller.project))

    @router.put("/order-windows", response_model=OrderWindows, summary="Change the link and / or status window")
    async def put_windows(container: ContainerDep, caller: WriteCaller, body: OrderWindows) -> OrderWindows:
        settings = await run_in_threadpool(
            lambda: order_settings.set_windows(
                container.uow,
                caller.project,
                link_window_days=body.linkWindowDays,
                status_window_days=body.statusWindowDays,
            )
        )
        return _windows(settings)

    return router
