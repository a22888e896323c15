"""Users, their roles and their web sessions in SQL (user_tables.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update

from trackbridge.adapters.db.user_tables import user_roles, users, web_sessions
from trackbridge.domain.errors import NotFound
from trackbridge.domain.users import Role, User, UserAccess, WebSession

_USER_COLUMNS = [c for c in users.c if c.name != "password_hash"]


def _user(row: RowMapping) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        is_admin=bool(row["is_admin"]),
        is_active=bool(row["is_active"]),
        created_at=row["created_at"],
    )


class SqlUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, email: str, password_hash: str, *, is_admin: bool, created_at: datetime) -> User:
        self._c.execute(
            insert(users).values(
                email=email, password_hash=password_hash, is_admin=is_admin, is_active=True, created_at=created_at
            )
        )
        user = self.by_email(email)
        assert user is not None
        return user

    def by_email(self, email: str) -> User | None:
        row = self._c.execute(select(*_USER_COLUMNS).where(users.c.email == email)).mappings().first()
        return _user(row) if row is not None else None

    def by_id(self, user_id: int) -> User | None:
        row = self._c.execute(select(*_USER_COLUMNS).where(users.c.id == user_id)).mappings().first()
        return _user(row) if row is not None else None

    def password_hash(self, user_id: int) -> str:
        found = self._c.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar()
        if found is None:
            raise NotFound(f"no user {user_id}")
        return str(found)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._c.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))

    def set_admin(self, user_id: int, is_admin: bool) -> None:
        self._c.execute(update(users).where(users.c.id == user_id).values(is_admin=is_admin))

    def set_active(self, user_id: int, is_active: bool) -> None:
        self._c.execute(update(users).where(users.c.id == user_id).values(is_active=is_active))

    def count(self) -> int:
        return int(self._c.execute(select(func.count()).select_from(users)).scalar() or 0)

    def _roles(self, user_ids: Sequence[int] | None) -> dict[int, dict[int, Role]]:
        query = select(user_roles.c.user_id, user_roles.c.project_id, user_roles.c.role)
        if user_ids is not None:
            query = query.where(user_roles.c.user_id.in_(list(user_ids)))
        roles: dict[int, dict[int, Role]] = defaultdict(dict)
        for user_id, project_id, role in self._c.execute(query):
            roles[int(user_id)][int(project_id)] = Role(role)
        return roles

    def list(self) -> Sequence[UserAccess]:
        rows = self._c.execute(select(*_USER_COLUMNS).order_by(users.c.email)).mappings().all()
        roles = self._roles(None)
        return [UserAccess(_user(row), roles.get(int(row["id"]), {})) for row in rows]

    def access(self, user_id: int) -> UserAccess | None:
        user = self.by_id(user_id)
        if user is None:
            return None
        return UserAccess(user, self._roles([user_id]).get(user_id, {}))

    def set_role(self, user_id: int, project_id: int, role: Role | None) -> None:
        self._c.execute(
            delete(user_roles).where(user_roles.c.user_id == user_id, user_roles.c.project_id == project_id)
        )
        if role is not None:
            self._c.execute(insert(user_roles).values(user_id=user_id, project_id=project_id, role=role.value))

    def add_session(self, session: WebSession) -> None:
        self._c.execute(
            insert(web_sessions).values(
                token_digest=session.token_digest,
                user_id=session.user_id,
                csrf_token=session.csrf_token,
                created_at=session.created_at,
                expires_at=session.expires_at,
            )
        )

    def session(self, token_digest: str) -> WebSession | None:
        query = select(web_sessions).where(web_sessions.c.token_digest == token_digest)
        row = self._c.execute(query).mappings().first()
        if row is None:
            return None
        return WebSession(
            token_digest=row["token_digest"],
            user_id=row["user_id"],
            csrf_token=row["csrf_token"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
        )

    def remove_session(self, token_digest: str) -> None:
        self._c.execute(delete(web_sessions).where(web_sessions.c.token_digest == token_digest))

    def remove_sessions_of(self, user_id: int) -> int:
        return int(self._c.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id)).rowcount)

    def remove_sessions_expired_before(self, moment: datetime) -> int:
        return int(self._c.execute(delete(web_sessions).where(web_sessions.c.expires_at < moment)).rowcount)
