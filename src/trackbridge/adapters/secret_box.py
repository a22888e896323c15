"""Encryption of the secrets the server must read back, with Fernet (AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from trackbridge.config import Environment, Settings
from trackbridge.domain.errors import TrackbridgeError

log = logging.getLogger(__name__)


def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


class FernetSecretBox:
    """Encrypts with the current server key; decrypts with it or any previous key (for key rotation)."""

    def __init__(self, key: str, previous: list[str] | None = None) -> None:
        self._fernet = MultiFernet([_fernet(key), *(_fernet(k) for k in previous or [])])

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise TrackbridgeError(
                "a stored secret cannot be decrypted: TRACKBRIDGE_SECRET_KEY differs from the key it was stored with"
            ) from None


def server_key(settings: Settings) -> str:
    """The configured server key; in development and tests a random one kept in <data_dir>/secret.key."""
    if settings.secret_key:
        return settings.secret_key
    if settings.env is Environment.PRODUCTION:
        raise TrackbridgeError("TRACKBRIDGE_SECRET_KEY must be set in production")
    path = Path(settings.data_dir) / "secret.key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    log.warning("created a development server key", extra={"path": str(path)})
    return key


def build_secret_box(settings: Settings) -> FernetSecretBox:
    return FernetSecretBox(server_key(settings), settings.previous_secret_keys)
