"""trackbridge's error hierarchy, drawn once here.

TrackbridgeError                 base of every error trackbridge raises on purpose
├── ClientError                  the caller sent something wrong; a 4xx (table in entrypoints/http/errors.py)
│   ├── InvalidInput             400: names the field and what was wrong
│   ├── Unauthenticated          401: credentials missing or unknown
│   ├── Forbidden                403: credentials present but refused (wrong digest, read-only key)
│   ├── NotFound                 404
│   ├── Conflict                 409: the request contradicts stored state
│   └── PayloadTooLarge          413
└── OutsideError                 a call to another system failed
    ├── TransientError           worth retrying with backoff (time-out, 5xx, 429)
    └── PermanentError           retrying cannot help; dead-letter with the reason
        └── CredentialsRefused   the outside system refused our credentials: the connector is marked failing
"""

from __future__ import annotations


class TrackbridgeError(Exception):
    """Base of every error trackbridge raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ClientError(TrackbridgeError):
    """The caller sent something wrong."""


class InvalidInput(ClientError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.detail = message


class Unauthenticated(ClientError):
    pass


class Forbidden(ClientError):
    pass


class NotFound(ClientError):
    pass


class Conflict(ClientError):
    pass


class PayloadTooLarge(ClientError):
    pass


class OutsideError(TrackbridgeError):
    """A call to another system failed."""


class TransientError(OutsideError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(OutsideError):
    pass


class CredentialsRefused(PermanentError):
    """The outside system refused the connector's credentials; it stops calling until a user fixes them."""
