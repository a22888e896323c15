"""Credentials of a project: making them, and checking a signed body. Pure, standard library only."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

API_KEY_PREFIX = "tbk_"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{4,200}$")


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"

    def allows(self, needed: Scope) -> bool:
        return self is Scope.WRITE or needed is Scope.READ


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """An API key as created: the plain key is shown once, only its hash is stored."""

    plain: str
    prefix: str
    key_hash: str


def new_token() -> str:
    return secrets.token_urlsafe(18)


def new_signing_secret() -> str:
    return secrets.token_urlsafe(32)


def new_api_key(plain: str | None = None) -> NewApiKey:
    key = plain if plain is not None else API_KEY_PREFIX + secrets.token_urlsafe(30)
    return NewApiKey(plain=key, prefix=key[:12], key_hash=hash_api_key(key))


def hash_api_key(plain: str) -> str:
    """API keys are long random strings, so one SHA-256 is enough (no password stretching needed)."""
    return hashlib.sha256(plain.encode()).hexdigest()


def body_digest(body: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of the exact body bytes, the ``X-Digest`` of the signed API."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def digest_matches(body: bytes, secret: str, sent: str) -> bool:
    return hmac.compare_digest(body_digest(body, secret), sent.strip().lower())
