"""Fixtures shared by the integration and end-to-end tests.

Every storage test runs on SQLite and on PostgreSQL (``database`` is parametrised). PostgreSQL tests are skipped with a
visible reason when the server is unreachable, except in CI (``CI=true``), where that is an error.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.databases import in_ci, postgres_database, postgres_reachable
from tests.support.signing import SEED_API_KEY, SEED_SECRET, SEED_TOKEN
from trackbridge.adapters.db.migrate import upgrade
from trackbridge.config import Settings, load_settings
from trackbridge.domain.projects import ProjectCredentials
from trackbridge.entrypoints.bootstrap import Container, build_container
from trackbridge.entrypoints.http.app import create_app
from trackbridge.services import projects as project_service

_pg_problem: str | bool | None = False  # False: not checked yet


def _postgres_problem() -> str | None:
    global _pg_problem  # noqa: PLW0603 - checked once per run
    if _pg_problem is False:
        _pg_problem = postgres_reachable()
    return _pg_problem  # type: ignore[return-value]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy (migrating every test's database took most of
    the suite's time)."""
    path = tmp_path_factory.mktemp("template") / "trackbridge.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=DELETE")  # everything in the one file, no -wal beside it
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once per run, copied by ``CREATE DATABASE ... TEMPLATE`` for each test."""
    with postgres_database() as url:
        engine = sa.create_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own for the test, already migrated to the newest schema."""
    if request.param == "sqlite":
        target = tmp_path / "trackbridge.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    problem = _postgres_problem()
    if problem is not None:
        if in_ci():
            pytest.fail(f"PostgreSQL is unreachable in CI: {problem}")
        pytest.skip(f"PostgreSQL unreachable, PostgreSQL variant skipped: {problem}")
    with postgres_database(template=request.getfixturevalue("postgres_template")) as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-server-key-not-for-production",
    )


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = build_container(settings)
    upgrade(built.engine)
    yield built
    built.close()


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def seed_project(container: Container) -> ProjectCredentials:
    """A project with seed 004's token and secret."""
    return project_service.create_project(
        container.uow, container.box, "seed shop", token=SEED_TOKEN, secret=SEED_SECRET, api_key=SEED_API_KEY
    )
