"""The README's screenshots, taken from the running program on demo data.

Starts ``trackbridge serve`` on a fresh data directory filled by ``trackbridge demo`` (bench/web_pages.py's set-up),
signs in as ``admin@localhost`` in Debian's Chromium driven by Playwright (as tests/e2e/conftest.py launches it), and
saves, at a laptop viewport (1280x800, device scale 1):

- docs/screenshots/dashboard.png: the demo project's dashboard (last 30 days);
- docs/screenshots/customer.png: the page of the demo customer with the most orders (and visits);
- docs/screenshots/reports.png: the order-sources report, last non-direct and linear models side by side.

Any browser console error or page error fails the run.

    .venv/bin/python bench/screenshots.py --geoip data/geoip        # `make geoip` first, for the visits' places
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from web_pages import PASSWORD, default_geoip, demo_server

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
DESKTOP_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
EMAIL = "admin@localhost"
MAX_BYTES = 300 * 1024


def customer_with_orders(database_url: str) -> int:
    """The customer with the most orders, the most visits breaking ties."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT o.customer_id, count(DISTINCT o.id) AS n, "
                "(SELECT count(*) FROM sessions s WHERE s.customer_id = o.customer_id) AS v "
                "FROM orders o WHERE o.customer_id IS NOT NULL GROUP BY o.customer_id ORDER BY n DESC, v DESC LIMIT 1"
            ).one()
    finally:
        engine.dispose()
    return int(row[0])


def settle(page: Any, charts: int) -> None:
    """Waits until ``charts`` plotly charts are drawn and the fonts are ready."""
    if charts:
        page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}")
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(300)


def shoot(page: Any, name: str) -> Path:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    size = path.stat().st_size
    print(f"{path.relative_to(ROOT)}: {size / 1024:.0f} KB")
    if size > MAX_BYTES:
        print(f"  larger than {MAX_BYTES // 1024} KB", file=sys.stderr)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--geoip", type=Path, default=default_geoip(), help="a folder with the DB-IP .mmdb files")
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with demo_server("sqlite", 60, args.geoip, email=EMAIL) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=[*CHROMIUM_ARGS, f"--user-agent={DESKTOP_USER_AGENT}"]
        )
        context = browser.new_context(
            viewport={"width": 1280, "height": 800}, device_scale_factor=1, user_agent=DESKTOP_USER_AGENT
        )
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server.url}/sign-in")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        base = f"{server.url}/p/demo"

        page.goto(f"{base}/")
        settle(page, 3)
        shoot(page, "dashboard")

        page.goto(f"{base}/customers/{customer_with_orders(server.database_url)}")
        settle(page, 0)
        shoot(page, "customer")

        page.goto(f"{base}/reports/order-sources?model=last_non_direct&compare=linear")
        settle(page, 1)
        page.locator("[data-testid=report-chart]").scroll_into_view_if_needed()
        shoot(page, "reports")
        browser.close()
    if errors:
        raise SystemExit(f"browser errors: {errors}")


if __name__ == "__main__":
    main()
