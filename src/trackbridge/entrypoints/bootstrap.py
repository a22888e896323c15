"""The composition root: the only place that picks concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from trackbridge.adapters.db.engine import build_engine
from trackbridge.adapters.db.unit_of_work import SqlUnitOfWork
from trackbridge.adapters.enrichment.geo import NullGeoLocator, build_geo_locator
from trackbridge.adapters.enrichment.user_agents import UaParserDeviceDetector
from trackbridge.adapters.secret_box import FernetSecretBox, build_secret_box
from trackbridge.config import Settings
from trackbridge.services.enrichment import DeviceDetector, GeoLocator
from trackbridge.services.ports import UnitOfWork


@dataclass
class Container:
    settings: Settings
    engine: Engine
    uow: UnitOfWork
    box: FernetSecretBox
    device_detector: DeviceDetector = field(default_factory=UaParserDeviceDetector)
    geo_locator: GeoLocator = field(default_factory=lambda: NullGeoLocator("not configured"))

    def close(self) -> None:
        self.engine.dispose()


def build_container(settings: Settings) -> Container:
    engine = build_engine(settings)
    box = build_secret_box(settings)
    return Container(
        settings=settings,
        engine=engine,
        uow=SqlUnitOfWork(engine, box),
        box=box,
        device_detector=UaParserDeviceDetector(count_headless_as_bot=settings.count_headless_as_bot),
        geo_locator=build_geo_locator(settings),
    )
