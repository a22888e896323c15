"""Logging set-up: structured fields, secrets redacted, text or JSON lines."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import orjson

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_SECRET_KEYS = re.compile(r"(secret|token|password|api_?key|auth|digest|signature)", re.IGNORECASE)
_SECRET_IN_TEXT = re.compile(
    r"(?P<key>token_auth|token|secret|api_key|apikey|password|X-Digest|Authorization)(?P<sep>[=:]\s*|\"\s*:\s*\")"
    r"(?P<value>[^&\s\"',]+)",
    re.IGNORECASE,
)
REDACTED = "XYZANONYMIZED"


def redact_text(text: str) -> str:
    """Hides secret values in a URL, header dump or message (``token_auth=abc`` → ``token_auth=XYZANONYMIZED``)."""
    return _SECRET_IN_TEXT.sub(lambda m: f"{m.group('key')}{m.group('sep')}{REDACTED}", text)


def redact_fields(fields: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in fields.items():
        if _SECRET_KEYS.search(key) and key not in {"token_redacted"}:
            clean[key] = REDACTED
        elif isinstance(value, str):
            clean[key] = redact_text(value)
        else:
            clean[key] = value
    return clean


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    return redact_fields({k: v for k, v in record.__dict__.items() if k not in _STANDARD})


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = f"{self.formatTime(record)} {record.levelname:<7} {record.name}: {redact_text(record.getMessage())}"
        extra = _extra(record)
        if extra:
            base += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        if record.exc_info:
            base += "\n" + self.formatException(record.exc_info)
        return base


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
            **_extra(record),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(payload, default=str).decode()


def configure_logging(level: str = "INFO", json_lines: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger("trackbridge")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
