"""Fixtures shared by integration test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_matomo import FakeMatomo
from trackbridge.entrypoints.cli import context


@pytest.fixture(autouse=True)
def wide_cli_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's consoles print 400 columns in tests: rich fixes a console's width from COLUMNS when it is created
    (at the first import of the CLI, whatever test that happens in), and wrapped lines would break text assertions."""
    monkeypatch.setattr(context.console, "_width", 400)
    monkeypatch.setattr(context.errors, "_width", 400)


@pytest.fixture
def matomo_url(fake: FakeMatomo) -> Iterator[str]:
    """The test module's ``fake`` Matomo served on 127.0.0.1: its root URL."""
    with fake.serve() as url:
        yield url
