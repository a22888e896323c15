"""Fixtures shared by integration test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_matomo import FakeMatomo


@pytest.fixture
def matomo_url(fake: FakeMatomo) -> Iterator[str]:
    """The test module's ``fake`` Matomo served on 127.0.0.1: its root URL."""
    with fake.serve() as url:
        yield url
