"""The web UI's static files: its own CSS and JS (static/), and plotly.js from the installed plotly wheel.

plotly.js is never copied into this repository: the plotly package from PyPI carries it
(``plotly/package_data/plotly.min.js``); it is read once, gzipped once, and cached by browsers for a day.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib.resources import files

from fastapi import APIRouter, Request
from starlette.responses import Response

from trackbridge.domain.errors import NotFound
from trackbridge.entrypoints.web.pages import page_router
from trackbridge.entrypoints.web.templating import STATIC_PREFIX

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*\.(css|js)$")
_TYPES = {"css": "text/css; charset=utf-8", "js": "application/javascript; charset=utf-8"}
CACHE = "public, max-age=86400"


@lru_cache(maxsize=1)
def _plotly() -> tuple[bytes, bytes]:
    """plotly.min.js from the plotly wheel, plain and gzipped."""
    script = files("plotly").joinpath("package_data/plotly.min.js").read_bytes()
    return script, gzip.compress(script, compresslevel=6)


@lru_cache(maxsize=64)
def _own(name: str) -> bytes:
    path = files("trackbridge.entrypoints.web").joinpath(f"static/{name}")
    if not path.is_file():
        raise NotFound(f"no static file {name}")
    return path.read_bytes()


def build_router() -> APIRouter:
    router = page_router()

    @router.get(f"{STATIC_PREFIX}/plotly.min.js")
    async def plotly_js(request: Request) -> Response:
        plain, packed = _plotly()
        headers = {"Cache-Control": CACHE, "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(packed, media_type=_TYPES["js"], headers={**headers, "Content-Encoding": "gzip"})
        return Response(plain, media_type=_TYPES["js"], headers=headers)

    @router.get(STATIC_PREFIX + "/{name}")
    async def own_file(name: str) -> Response:
        if not _NAME.match(name):
            raise NotFound(f"no static file {name}")
        return Response(_own(name), media_type=_TYPES[name.rsplit(".", 1)[1]], headers={"Cache-Control": CACHE})

    return router
