"""Use cases around projects and their credentials."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trackbridge.domain.credentials import (
    TOKEN_PATTERN,
    Scope,
    hash_api_key,
    new_api_key,
    new_signing_secret,
    new_token,
)
from trackbridge.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from trackbridge.domain.projects import ApiKeyInfo, Project, ProjectCredentials
from trackbridge.domain.values import check_currency
from trackbridge.services.ports import SecretBox, UnitOfWork

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{name!r} is not a known IANA time zone", "timezone") from None
    return name


def _check_token(token: str) -> str:
    if not TOKEN_PATTERN.match(token):
        raise InvalidInput("must be 4-200 characters of letters, digits, '.', '_' or '-'", "token")
    return token


def create_project(
    uow: UnitOfWork,
    box: SecretBox,
    name: str,
    *,
    token: str | None = None,
    secret: str | None = None,
    api_key: str | None = None,
    timezone: str = "UTC",
    base_currency: str = "USD",
    is_demo: bool = False,
) -> ProjectCredentials:
    if not name.strip():
        raise InvalidInput("must not be empty", "name")
    token = _check_token(token) if token is not None else new_token()
    secret = secret if secret is not None else new_signing_secret()
    if len(secret) < 8:
        raise InvalidInput("must be at least 8 characters", "secret")
    key = new_api_key(api_key)
    with uow.transaction() as tx:
        if tx.projects.by_name(name) is not None:
            raise Conflict(f"a project named {name!r} exists already")
        if tx.projects.by_token(token) is not None:
            raise Conflict("another project uses that token")
        if tx.api_keys.by_hash(key.key_hash) is not None:
            raise Conflict("that API key is in use already")
        project = tx.projects.add(
            name=name.strip(),
            token=token,
            secret_ciphertext=box.encrypt(secret),
            timezone=_check_timezone(timezone),
            base_currency=check_currency(base_currency, "base_currency"),
            is_demo=is_demo,
        )
        tx.api_keys.add(project.id, "first key", key, Scope.WRITE)
    log.info("project created", extra={"project": project.name, "site_id": project.site_id})
    return ProjectCredentials(project=project, signing_secret=secret, api_key=key.plain)


def list_projects(uow: UnitOfWork) -> Sequence[Project]:
    with uow.read() as tx:
        return tx.projects.list()


def get_project(uow: UnitOfWork, name: str) -> Project:
    with uow.read() as tx:
        project = tx.projects.by_name(name)
    if project is None:
        raise NotFound(f"no project named {name!r}")
    return project


def project_by_token(uow: UnitOfWork, token: str) -> Project:
    with uow.read() as tx:
        project = tx.projects.by_token(token)
    if project is None:
        raise Unauthenticated("project token is invalid")
    return project


def signing_secret(uow: UnitOfWork, box: SecretBox, project: Project) -> str:
    with uow.read() as tx:
        return box.decrypt(tx.projects.secret_ciphertext(project.id))


def rotate_secret(uow: UnitOfWork, box: SecretBox, project: Project, secret: str | None = None) -> str:
    secret = secret if secret is not None else new_signing_secret()
    with uow.transaction() as tx:
        tx.projects.update(project.id, secret_ciphertext=box.encrypt(secret))
    log.info("signing secret rotated", extra={"project": project.name})
    return secret


def rotate_token(uow: UnitOfWork, project: Project, token: str | None = None) -> Project:
    token = _check_token(token) if token is not None else new_token()
    with uow.transaction() as tx:
        other = tx.projects.by_token(token)
        if other is not None and other.id != project.id:
            raise Conflict("another project uses that token")
        return tx.projects.update(project.id, token=token)


def update_settings(
    uow: UnitOfWork,
    project: Project,
    *,
    timezone: str | None = None,
    base_currency: str | None = None,
    replay_window_seconds: int | None = None,
    clear_replay_window: bool = False,
) -> Project:
    values: dict[str, object] = {}
    if timezone is not None:
        values["timezone"] = _check_timezone(timezone)
    if base_currency is not None:
        values["base_currency"] = check_currency(base_currency, "base_currency")
    if replay_window_seconds is not None:
        if replay_window_seconds <= 0:
            raise InvalidInput("must be a positive number of seconds", "replay_window_seconds")
        values["replay_window_seconds"] = replay_window_seconds
    if clear_replay_window:
        values["replay_window_seconds"] = None
    with uow.transaction() as tx:
        return tx.projects.update(project.id, **values)


def create_api_key(
    uow: UnitOfWork, project: Project, name: str, scope: Scope, plain: str | None = None
) -> tuple[ApiKeyInfo, str]:
    key = new_api_key(plain)
    with uow.transaction() as tx:
        if tx.api_keys.by_hash(key.key_hash) is not None:
            raise Conflict("that API key is in use already")
        info = tx.api_keys.add(project.id, name, key, scope)
    return info, key.plain


def list_api_keys(uow: UnitOfWork, project: Project) -> Sequence[ApiKeyInfo]:
    with uow.read() as tx:
        return tx.api_keys.list(project.id)


def revoke_api_key(uow: UnitOfWork, project: Project, key_id: int) -> None:
    with uow.transaction() as tx:
        if not tx.api_keys.revoke(project.id, key_id, _now()):
            raise NotFound(f"project {project.name!r} has no active API key {key_id}")


def authenticate_api_key(uow: UnitOfWork, plain: str, needed: Scope) -> tuple[Project, ApiKeyInfo]:
    """The project an API key belongs to; refuses unknown, revoked and too narrow keys."""
    with uow.read() as tx:
        info = tx.api_keys.by_hash(hash_api_key(plain))
        project = tx.projects.by_id(info.project_id) if info is not None else None
    if info is None or info.revoked_at is not None or project is None:
        raise Unauthenticated("API key is invalid or revoked")
    if not info.scope.allows(needed):
        raise Forbidden(f"this API key is {info.scope.value}-only")
    return project, info
