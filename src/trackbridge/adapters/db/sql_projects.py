"""Projects and API keys in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update

from trackbridge.adapters.db.tables import api_keys, metadata, projects, signed_request_replays
from trackbridge.adapters.db.upsert import upsert
from trackbridge.domain.credentials import NewApiKey, Scope
from trackbridge.domain.errors import NotFound
from trackbridge.domain.projects import ApiKeyInfo, Project

_PROJECT_COLUMNS = [c for c in projects.c if c.name != "secret_ciphertext"]


def _project(row: RowMapping) -> Project:
    return Project(
        id=row["id"],
        name=row["name"],
        token=row["token"],
        site_id=row["site_id"],
        timezone=row["timezone"],
        base_currency=row["base_currency"],
        replay_window_seconds=row["replay_window_seconds"],
        is_demo=bool(row["is_demo"]),
        created_at=row["created_at"],
    )


def _api_key(row: RowMapping) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=row["id"],
        project_id=row["project_id"],
        name=row["name"],
        prefix=row["prefix"],
        scope=Scope(row["scope"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )


class SqlProjectRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _one(self, where: Any) -> Project | None:
        row = self._c.execute(select(*_PROJECT_COLUMNS).where(where)).mappings().first()
        return _project(row) if row is not None else None

    def add(
        self,
        *,
        name: str,
        token: str,
        secret_ciphertext: str,
        timezone: str,
        base_currency: str,
        is_demo: bool,
    ) -> Project:
        now = datetime.now(UTC)
        site_id = (self._c.execute(select(func.max(projects.c.site_id))).scalar() or 0) + 1
        self._c.execute(
            insert(projects).values(
                name=name,
                token=token,
                site_id=site_id,
                secret_ciphertext=secret_ciphertext,
                timezone=timezone,
                base_currency=base_currency,
                is_demo=is_demo,
                created_at=now,
                updated_at=now,
            )
        )
        project = self.by_token(token)
        assert project is not None
        return project

    def by_id(self, project_id: int) -> Project | None:
        return self._one(projects.c.id == project_id)

    def by_token(self, token: str) -> Project | None:
        return self._one(projects.c.token == token)

    def by_name(self, name: str) -> Project | None:
        return self._one(projects.c.name == name)

    def by_site_id(self, site_id: int) -> Project | None:
        return self._one(projects.c.site_id == site_id)

    def list(self) -> Sequence[Project]:
        rows = self._c.execute(select(*_PROJECT_COLUMNS).order_by(projects.c.id)).mappings()
        return [_project(row) for row in rows]

    def secret_ciphertext(self, project_id: int) -> str:
        value = self._c.execute(select(projects.c.secret_ciphertext).where(projects.c.id == project_id)).scalar()
        if value is None:
            raise NotFound(f"no project {project_id}")
        return str(value)

    def update(self, project_id: int, **values: Any) -> Project:
        if values:
            values["updated_at"] = datetime.now(UTC)
            self._c.execute(update(projects).where(projects.c.id == project_id).values(**values))
        project = self.by_id(project_id)
        if project is None:
            raise NotFound(f"no project {project_id}")
        return project

    def remove(self, project_id: int) -> None:
        """Deletes a project and every row that belongs to it (the tables without a cascade too), dependents first."""
        for table in reversed(metadata.sorted_tables):
            if table is not projects and "project_id" in table.c:
                self._c.execute(delete(table).where(table.c.project_id == project_id))
        self._c.execute(delete(projects).where(projects.c.id == project_id))

    def remember_signed_request(self, project_id: int, path: str, digest: str, seen_at: datetime) -> bool:
        statement = upsert(self._c.dialect.name, signed_request_replays, ["project_id", "path", "digest"])
        values = statement.values(project_id=project_id, path=path, digest=digest, seen_at=seen_at)
        # RETURNING tells on both engines whether the row was new (psycopg reports no rowcount here).
        return self._c.execute(values.returning(signed_request_replays.c.digest)).first() is not None

    def forget_signed_requests_before(self, moment: datetime) -> int:
        result = self._c.execute(delete(signed_request_replays).where(signed_request_replays.c.seen_at < moment))
        return int(result.rowcount or 0)


class SqlApiKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, project_id: int, name: str, key: NewApiKey, scope: Scope) -> ApiKeyInfo:
        self._c.execute(
            insert(api_keys).values(
                project_id=project_id,
                name=name,
                prefix=key.prefix,
                key_hash=key.key_hash,
                scope=scope.value,
                created_at=datetime.now(UTC),
            )
        )
        info = self.by_hash(key.key_hash)
        assert info is not None
        return info

    def by_hash(self, key_hash: str) -> ApiKeyInfo | None:
        row = self._c.execute(select(api_keys).where(api_keys.c.key_hash == key_hash)).mappings().first()
        return _api_key(row) if row is not None else None

    def list(self, project_id: int) -> Sequence[ApiKeyInfo]:
        rows = self._c.execute(
            select(api_keys).where(api_keys.c.project_id == project_id).order_by(api_keys.c.id)
        ).mappings()
        return [_api_key(row) for row in rows]

    def revoke(self, project_id: int, key_id: int, at: datetime) -> bool:
        result = self._c.execute(
            update(api_keys)
            .where(api_keys.c.project_id == project_id, api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(result.rowcount)

    def touch(self, key_id: int, at: datetime) -> None:
        self._c.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=at))
