"""Signing and sending calls to the signed resource API, as a shop's backend does."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import orjson

SEED_TOKEN = "sh0p-t0k3n"
SEED_SECRET = "m3trilo-secr3t"
SEED_API_KEY = "tbk_seed-test-api-key-0123456789"


def digest(body: bytes, secret: str = SEED_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(params: Any = None, *, batch: Any = None, token: str = SEED_TOKEN, time: int = 1518004715732) -> bytes:
    data: dict[str, Any] = {"time": time, "token": token}
    if batch is not None:
        data["batch"] = batch
    else:
        data["params"] = params
    return orjson.dumps(data)


def signed_headers(body: bytes, secret: str = SEED_SECRET) -> dict[str, str]:
    return {"Content-Type": "text/plain", "X-Digest": digest(body, secret)}
