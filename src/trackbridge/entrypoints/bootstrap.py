"""The composition root: the only place that picks concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine

from trackbridge.adapters.db.engine import build_engine
from trackbridge.adapters.db.unit_of_work import SqlUnitOfWork
from trackbridge.adapters.enrichment.geo import NullGeoLocator, build_geo_locator
from trackbridge.adapters.enrichment.user_agents import UaParserDeviceDetector
from trackbridge.adapters.password_hashing import Argon2PasswordHasher
from trackbridge.adapters.secret_box import FernetSecretBox, build_secret_box
from trackbridge.config import Settings
from trackbridge.services.enrichment import DeviceDetector, GeoLocator
from trackbridge.services.outbox import OutboxPolicy
from trackbridge.services.ports import UnitOfWork
from trackbridge.services.user_ports import PasswordHasher


@dataclass
class Container:
    settings: Settings
    engine: Engine
    uow: UnitOfWork
    box: FernetSecretBox
    device_detector: DeviceDetector = field(default_factory=UaParserDeviceDetector)
    geo_locator: GeoLocator = field(default_factory=lambda: NullGeoLocator("not configured"))
    passwords: PasswordHasher = field(default_factory=Argon2PasswordHasher)
    http_transport: httpx.BaseTransport | None = None
    """The transport of outbound HTTP clients; None: the network (tests may put an ``httpx.MockTransport`` here)."""

    @property
    def outbox_policy(self) -> OutboxPolicy:
        return OutboxPolicy(
            max_attempts=self.settings.outbox_max_attempts,
            backoff_seconds=self.settings.outbox_backoff_seconds,
            lease_seconds=self.settings.outbox_lease_seconds,
        )

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
