"""The composition root: the only place that picks concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from trackbridge.adapters.db.engine import build_engine
from trackbridge.adapters.db.unit_of_work import SqlUnitOfWork
from trackbridge.adapters.secret_box import FernetSecretBox, build_secret_box
from trackbridge.config import Settings
from trackbridge.services.ports import UnitOfWork


@dataclass
class Container:
    settings: Settings
    engine: Engine
    uow: UnitOfWork
    box: FernetSecretBox

    def close(self) -> None:
        self.engine.dispose()


def build_container(settings: Settings) -> Container:
    engine = build_engine(settings)
    return Container(settings=settings, engine=engine, uow=SqlUnitOfWork(engine), box=build_secret_box(settings))
