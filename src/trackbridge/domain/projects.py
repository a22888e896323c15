"""A project: one shop or site, with its own credentials and data. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trackbridge.domain.credentials import Scope


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    token: str
    site_id: int
    timezone: str
    base_currency: str
    replay_window_seconds: int | None
    is_demo: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    id: int
    project_id: int
    name: str
    prefix: str
    scope: Scope
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProjectCredentials:
    """What `project create` prints once: the plain API key is never readable again."""

    project: Project
    signing_secret: str
    api_key: str | None
