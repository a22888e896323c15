"""Rendering the web UI's Jinja2 templates (templates/): one environment, built on first use, never at import."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

import trackbridge
from trackbridge.domain.projects import Project

TEMPLATES = Path(__file__).parent / "templates"
STATIC_PREFIX = "/ui/static"
NONE = "\u2013"  # an en dash where a value is unknown


def project_path(project: Project | str, *parts: str | int, **query: Any) -> str:
    """``/p/{name}/part/part?query``: the URL of a project page (names are quoted: they may hold spaces)."""
    name = project if isinstance(project, str) else project.name
    path = "/p/" + quote(name, safe="") + "/"
    if parts:
        path += "/".join(quote(str(part), safe="") for part in parts)
    kept = {key: value for key, value in query.items() if value is not None and value != ""}
    return path + ("?" + urlencode(kept, doseq=True) if kept else "")


def static_url(name: str) -> str:
    """A static file's URL, with the version so that an upgrade is never served a stale copy."""
    return f"{STATIC_PREFIX}/{name}?v={trackbridge.__version__}"


def format_number(value: int | float | Decimal | None, places: int = 0) -> str:
    if value is None:
        return NONE
    return f"{value:,.{places}f}"


def format_money(value: Decimal | int | float | str | None, currency: str = "") -> str:
    if value is None:
        return NONE
    amount = Decimal(str(value))
    text = f"{amount:,.2f}"
    return f"{text} {currency}".strip()


def format_moment(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return NONE
    return value.strftime(fmt)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(url_for_project=project_path, static_url=static_url, version=trackbridge.__version__)
    env.filters.update(number=format_number, money=format_money, moment=format_moment)
    return env


def csrf_input(token: str) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


def render_html(request: Request, template: str, context: Mapping[str, Any], status_code: int = 200) -> HTMLResponse:
    body = environment().get_template(template).render({"request": request, **context})
    headers = {
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    return HTMLResponse(body, status_code=status_code, headers=headers)
