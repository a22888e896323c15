"""Browser fixtures: Debian's Chromium driven by Playwright (Playwright's own browser downloads are not used).

Without Chromium (or the playwright package) the browser tests are skipped with the reason, except in CI (``CI=true``),
where that is a failure: `.ci/run` installs Chromium, so its absence there is a broken set-up, not a choice.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.databases import in_ci

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A desktop browser as shops see it; HeadlessChrome's own user agent would rightly be classified as a bot.
DESKTOP_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_path() -> str | None:
    configured = os.environ.get("TRACKBRIDGE_TEST_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser test skipped: {reason}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install chromium; .ci/run does it as root)")
    with sync_playwright() as playwright:
        # The switch, not only the context's user_agent: sendBeacon requests leave without the context's override.
        args = [*CHROMIUM_ARGS, f"--user-agent={DESKTOP_USER_AGENT}"]
        launched = playwright.chromium.launch(executable_path=executable, args=args)
        yield launched
        launched.close()


@pytest.fixture
def browser_context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(user_agent=DESKTOP_USER_AGENT, viewport={"width": 1280, "height": 800})
    yield context
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# The web UI's fixtures (web_support.py), shared by every browser test of the UI; imported last: it uses the above.
from tests.e2e.web_support import console_errors, new_page, viewer_page, web_page, web_server  # noqa: E402, F401
