"""Signed per-recipient parameters for links in bulk e-mails (``tb_r``). Pure, no I/O.

A token is ``<customer id>.<expiry>.<signature>``: the customer's internal id and the expiry (Unix seconds) in base 36,
and the first 16 bytes of HMAC-SHA256 over ``trackbridge-email-link:<project id>:<customer id>:<expiry>`` under the
project's signing secret, base64url without padding. It is URL-safe, carries no e-mail address, cannot be forged
without the secret, and stops working when it expires or when the secret is rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from trackbridge.domain.errors import InvalidInput

PARAMETER = "tb_r"
DEFAULT_VALIDITY = timedelta(days=90)
_SIGNATURE_BYTES = 16
_TOKEN = re.compile(r"^([0-9a-z]{1,13})\.([0-9a-z]{1,13})\.([A-Za-z0-9_-]{22})$")


class TokenRefused(Exception):
    """The token is malformed, forged (or signed with a rotated secret) or expired; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class EmailLinkClaim:
    customer_id: int
    expires_at: int


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def _signature(secret: str, project_id: int, customer_id: int, expires_at: int) -> str:
    message = f"trackbridge-email-link:{project_id}:{customer_id}:{expires_at}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(secret: str, project_id: int, customer_id: int, expires_at: datetime) -> str:
    if customer_id <= 0:
        raise InvalidInput("must be a positive customer id", "customer_id")
    expiry = int(expires_at.timestamp())
    return f"{_base36(customer_id)}.{_base36(expiry)}.{_signature(secret, project_id, customer_id, expiry)}"


def read_token(secret: str, project_id: int, token: object, now: datetime) -> EmailLinkClaim:
    """The claim a token carries; raises :class:`TokenRefused` for anything that is not a valid, live token."""
    if not isinstance(token, str):
        raise TokenRefused("not a string")
    match = _TOKEN.match(token.strip())
    if match is None:
        raise TokenRefused("malformed")
    customer_id, expires_at = int(match[1], 36), int(match[2], 36)
    if not hmac.compare_digest(match[3], _signature(secret, project_id, customer_id, expires_at)):
        raise TokenRefused("bad signature")
    if expires_at <= now.timestamp():
        raise TokenRefused("expired")
    return EmailLinkClaim(customer_id=customer_id, expires_at=expires_at)


def link_with_token(url: str, token: str) -> str:
    """``url`` with ``tb_r=<token>`` added to its query (replacing an earlier one); the fragment is kept."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("must be an absolute http(s) URL", "url")
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name != PARAMETER]
    query.append((PARAMETER, token))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
