"""Outbound work: connectors to other systems, the jobs that call them, and the log of every call. Pure.

One mechanism serves every destination (Matomo push and import, Ometria, webhooks): a job is queued in the outbox in the
same transaction as the change that calls for it, a worker claims it, the handler calls the outside system, and the
runner records the outcome: done, retried later with backoff (transient failures, honouring ``Retry-After``), or buried
in the dead-letter list with its reason (permanent failures, or the last try). Every HTTP call a handler makes is kept
in the connector's request log with its secrets redacted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "XYZANONYMIZED"
SECRET_PARAMS = frozenset({"token_auth", "token", "api_key", "apikey", "key", "secret", "password", "auth"})


class ConnectorKind(StrEnum):
    MATOMO = "matomo"
    OMETRIA = "ometria"
    WEBHOOK = "webhook"


class ConnectorState(StrEnum):
    OK = "ok"
    FAILING = "failing"  # credentials refused: no calls until the connector is changed or re-enabled


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Connector:
    """A project's link to an outside system. ``settings`` holds the kind's options (never the credential)."""

    id: int
    project_id: int
    kind: ConnectorKind
    name: str
    enabled: bool
    settings: dict[str, Any]
    has_credential: bool
    credential_hint: str  # the last 4 characters, e.g. "…a1b2"; the credential itself is never returned
    state: ConnectorState
    state_message: str | None
    state_at: datetime | None
    enabled_at: datetime | None  # when it was last switched on: pushes only cover changes made after it
    next_run_at: datetime | None  # the next scheduled run (cron in settings["schedule"])
    log_requests: bool
    log_errors: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job to queue. With a ``dedupe_key`` it is not queued twice while an earlier one with that key is pending."""

    project_id: int
    kind: str  # handler name, e.g. "matomo.push_order", "matomo.import_customer", "export.run"
    subject: str  # what it is about, for people and the audit: an order id, a customer id, a batch name
    payload: dict[str, Any] = field(default_factory=dict)
    connector_id: int | None = None
    dedupe_key: str | None = None
    priority: int = 100  # lower runs first
    run_after: datetime | None = None  # None: as soon as possible
    max_attempts: int | None = None  # None: the configured default


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    project_id: int
    connector_id: int | None
    kind: str
    subject: str
    payload: dict[str, Any]
    dedupe_key: str | None
    priority: int
    state: JobState
    attempts: int  # tries made so far, including the one being run
    max_attempts: int
    run_after: datetime
    last_error: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One outbound HTTP call as the request log keeps it (the URL already redacted)."""

    at: datetime
    method: str
    url: str
    status: int | None  # None when no answer came (time-out, refused connection)
    duration_ms: int
    subject: str | None = None
    outcome: str | None = None  # a short reason: "timed out", "invalid_indices [0]", Matomo's message...


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    id: int
    connector_id: int
    job_id: int | None
    record: RequestRecord


@dataclass(frozen=True, slots=True)
class LoggedError:
    id: int
    connector_id: int
    job_id: int | None
    at: datetime
    subject: str | None
    message: str


def redact_url(url: str, secrets: tuple[str, ...] = ()) -> str:
    """``url`` with secret query parameters and any of ``secrets`` (credential values) replaced by XYZANONYMIZED."""
    parts = urlsplit(url)
    query = [
        (key, REDACTED if key.lower() in SECRET_PARAMS and value else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    clean = urlunsplit(parts._replace(query=urlencode(query, safe="/:,[]")))
    return redact_values(clean, secrets)


def redact_values(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every occurrence of each secret value (raw or URL-encoded) replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = re.sub(re.escape(secret), REDACTED, text)
    return text


BACKOFF_BASE_SECONDS = 5.0
BACKOFF_MAX_SECONDS = 3600.0


def next_attempt_at(now: datetime, attempts: int, retry_after: float | None, base_seconds: float) -> datetime:
    """When to try again after ``attempts`` failed tries: exponential backoff, never sooner than ``Retry-After``."""
    delay = min(base_seconds * (2 ** max(attempts - 1, 0)), BACKOFF_MAX_SECONDS)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return now + timedelta(seconds=delay)


def credential_hint(credential: str | None) -> str:
    return f"…{credential[-4:]}" if credential and len(credential) >= 8 else ("set" if credential else "")
