"""The JSON answer class used where a handler builds its response itself (errors, health)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class JsonAnswer(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=str)
