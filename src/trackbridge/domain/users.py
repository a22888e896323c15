"""People who sign in to the web UI: users, their role per project, and their web sessions.

A user is either a global admin (admin of every project, present and future) or has a role per project: ``admin``
(sees and changes the project's settings) or ``viewer`` (sees its pages). A web session is a random token kept by the
browser in a cookie; the server keeps only its SHA-256 and a per-session CSRF token that every form sends back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from trackbridge.domain.errors import InvalidInput

SESSION_LIFETIME = timedelta(days=14)
MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class Role(StrEnum):
    ADMIN = "admin"
    VIEWER = "viewer"


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise InvalidInput("must be admin or viewer", field="role") from None


def normalize_email(value: str) -> str:
    email = value.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(f"{value!r} is not an e-mail address", field="email")
    return email


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"must be at least {MIN_PASSWORD_LENGTH} characters", field="password")
    return password


def generate_password() -> str:
    """A random password of about 120 bits, safe to print and to type."""
    return secrets.token_urlsafe(15)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the server stores of a session token: a stolen database does not sign anybody in."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True)
class User:
    id: int
    email: str
    is_admin: bool
    """Admin of every project."""
    is_active: bool
    created_at: datetime


@dataclass(frozen=True)
class UserAccess:
    """A user with the role they hold in each project (global admins hold admin everywhere)."""

    user: User
    roles: Mapping[int, Role] = field(default_factory=dict)

    def role_in(self, project_id: int) -> Role | None:
        if self.user.is_admin:
            return Role.ADMIN
        return self.roles.get(project_id)

    def may_view(self, project_id: int) -> bool:
        return self.role_in(project_id) is not None

    def may_administer(self, project_id: int) -> bool:
        return self.role_in(project_id) is Role.ADMIN


@dataclass(frozen=True)
class WebSession:
    """A stored web session: who, which CSRF token its forms carry, and until when it is valid."""

    token_digest: str
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime

    def is_valid_at(self, moment: datetime) -> bool:
        return moment < self.expires_at


@dataclass(frozen=True)
class NewWebSession:
    """A session just opened: ``token`` goes to the browser's cookie and is never stored."""

    token: str
    session: WebSession
