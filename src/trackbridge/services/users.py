"""Use cases of the web UI's people: create users, set passwords and roles, sign in and out, find who a session is.

Passwords are hashed by the injected :class:`PasswordHasher` (argon2id); a wrong e-mail and a wrong password get the
same answer, and an unknown e-mail costs the same hashing time as a known one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from trackbridge.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from trackbridge.domain.projects import Project
from trackbridge.domain.users import (
    SESSION_LIFETIME,
    NewWebSession,
    Role,
    UserAccess,
    WebSession,
    check_password,
    generate_password,
    new_token,
    normalize_email,
    token_digest,
)
from trackbridge.services.ports import UnitOfWork
from trackbridge.services.user_ports import PasswordHasher

log = logging.getLogger(__name__)

FIRST_ADMIN_EMAIL = "admin@localhost"
WRONG_CREDENTIALS = "wrong e-mail or password"


@dataclass(frozen=True)
class CreatedUser:
    access: UserAccess
    password: str | None
    """The generated password (shown once), or None when the caller chose it."""


@dataclass(frozen=True)
class SessionAccess:
    """Who a valid web session belongs to, with the CSRF token its forms must carry."""

    access: UserAccess
    session: WebSession


def _now() -> datetime:
    return datetime.now(UTC)


def create_user(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    email: str,
    *,
    password: str | None = None,
    role: Role = Role.ADMIN,
    project_name: str | None = None,
) -> CreatedUser:
    """A new user: with ``project_name``, ``role`` in that project; without, admin of every project (``role`` admin).

    A viewer must be given a project: a viewer of nothing could not see any page.
    """
    address = normalize_email(email)
    generated = generate_password() if password is None else None
    chosen = check_password(password) if password is not None else generated
    assert chosen is not None
    if project_name is None and role is Role.VIEWER:
        raise InvalidInput("a viewer needs a project (--project NAME)", field="project")
    password_hash = hasher.hash(chosen)
    with uow.transaction() as tx:
        if tx.users.by_email(address) is not None:
            raise Conflict(f"a user {address} exists already")
        project = _project(tx.projects.by_name(project_name), project_name) if project_name else None
        user = tx.users.add(address, password_hash, is_admin=project is None, created_at=_now())
        if project is not None:
            tx.users.set_role(user.id, project.id, role)
        access = tx.users.access(user.id)
    assert access is not None
    log.info("user created", extra={"user_id": user.id, "global_admin": user.is_admin})
    return CreatedUser(access, generated)


def _project(project: Project | None, name: str | None) -> Project:
    if project is None:
        raise NotFound(f"no project named {name!r}")
    return project


def ensure_first_admin(uow: UnitOfWork, hasher: PasswordHasher) -> CreatedUser | None:
    """On a server with no user yet, an admin of every project with a generated password; None when users exist."""
    with uow.read() as tx:
        if tx.users.count() > 0:
            return None
    return create_user(uow, hasher, FIRST_ADMIN_EMAIL)


def set_password(uow: UnitOfWork, hasher: PasswordHasher, email: str, password: str | None = None) -> str | None:
    """Replaces a user's password and signs out their sessions; the generated password when none was given."""
    address = normalize_email(email)
    generated = generate_password() if password is None else None
    chosen = check_password(password) if password is not None else generated
    assert chosen is not None
    password_hash = hasher.hash(chosen)
    with uow.transaction() as tx:
        user = tx.users.by_email(address)
        if user is None:
            raise NotFound(f"no user {address}")
        tx.users.set_password_hash(user.id, password_hash)
        tx.users.remove_sessions_of(user.id)
    return generated


def set_role(uow: UnitOfWork, email: str, project_name: str, role: Role | None) -> UserAccess:
    """Grants (or with None takes away) a role in one project."""
    with uow.transaction() as tx:
        user = tx.users.by_email(normalize_email(email))
        if user is None:
            raise NotFound(f"no user {email}")
        project = _project(tx.projects.by_name(project_name), project_name)
        tx.users.set_role(user.id, project.id, role)
        access = tx.users.access(user.id)
    assert access is not None
    return access


def list_users(uow: UnitOfWork) -> list[UserAccess]:
    with uow.read() as tx:
        return list(tx.users.list())


def sign_in(uow: UnitOfWork, hasher: PasswordHasher, email: str, password: str) -> NewWebSession:
    """A new web session for the right e-mail and password; :class:`Unauthenticated` otherwise."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        raise Unauthenticated(WRONG_CREDENTIALS) from None
    with uow.read() as tx:
        user = tx.users.by_email(address)
        stored = tx.users.password_hash(user.id) if user is not None else None
    if user is None or stored is None:
        hasher.verify_unknown(password)  # the same time as a known e-mail
        raise Unauthenticated(WRONG_CREDENTIALS)
    if not hasher.verify(stored, password) or not user.is_active:
        log.info("sign-in refused", extra={"user_id": user.id})
        raise Unauthenticated(WRONG_CREDENTIALS)
    now = _now()
    token = new_token()
    session = WebSession(token_digest(token), user.id, new_token(), now, now + SESSION_LIFETIME)
    rehashed = hasher.hash(password) if hasher.needs_rehash(stored) else None
    with uow.transaction() as tx:
        tx.users.remove_sessions_expired_before(now)
        tx.users.add_session(session)
        if rehashed is not None:
            tx.users.set_password_hash(user.id, rehashed)
    log.info("signed in", extra={"user_id": user.id})
    return NewWebSession(token, session)


def session_access(uow: UnitOfWork, token: str | None) -> SessionAccess | None:
    """Who the session of ``token`` belongs to; None for no, an unknown or an expired session, or a disabled user."""
    if not token:
        return None
    with uow.read() as tx:
        session = tx.users.session(token_digest(token))
        if session is None or not session.is_valid_at(_now()):
            return None
        access = tx.users.access(session.user_id)
    if access is None or not access.user.is_active:
        return None
    return SessionAccess(access, session)


def sign_out(uow: UnitOfWork, token: str | None) -> None:
    if not token:
        return
    with uow.transaction() as tx:
        tx.users.remove_session(token_digest(token))


def visible_projects(uow: UnitOfWork, access: UserAccess) -> list[Project]:
    """The projects ``access`` may see, by name."""
    with uow.read() as tx:
        projects: Sequence[Project] = tx.projects.list()
    return sorted((p for p in projects if access.may_view(p.id)), key=lambda p: p.name.lower())
