"""Users, passwords, roles and web sessions on SQLite and PostgreSQL: the services and the CLI."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from trackbridge.config import Settings
from trackbridge.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from trackbridge.domain.users import Role, WebSession, token_digest
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.cli.main import build_cli
from trackbridge.services import projects as project_service
from trackbridge.services import users as service

PASSWORD = "a long enough password"


def test_a_user_signs_in_with_the_right_password_only(container: Container) -> None:
    service.create_user(container.uow, container.passwords, "Jane@Example.com", password=PASSWORD)
    opened = service.sign_in(container.uow, container.passwords, "jane@example.com", PASSWORD)
    found = service.session_access(container.uow, opened.token)
    assert found is not None
    assert (found.access.user.email, found.session.csrf_token) == ("jane@example.com", opened.session.csrf_token)
    with pytest.raises(Unauthenticated, match="wrong e-mail or password"):
        service.sign_in(container.uow, container.passwords, "jane@example.com", "not the password")
    with pytest.raises(Unauthenticated, match="wrong e-mail or password"):
        service.sign_in(container.uow, container.passwords, "nobody@example.com", PASSWORD)


def test_the_stored_password_is_an_argon2id_hash_and_the_session_token_is_not_stored(container: Container) -> None:
    created = service.create_user(container.uow, container.passwords, "jane@example.com", password=PASSWORD)
    opened = service.sign_in(container.uow, container.passwords, "jane@example.com", PASSWORD)
    with container.uow.read() as tx:
        stored = tx.users.password_hash(created.access.user.id)
        assert tx.users.session(opened.token) is None
        assert tx.users.session(token_digest(opened.token)) is not None
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_signing_out_ends_the_session(container: Container) -> None:
    service.create_user(container.uow, container.passwords, "jane@example.com", password=PASSWORD)
    opened = service.sign_in(container.uow, container.passwords, "jane@example.com", PASSWORD)
    service.sign_out(container.uow, opened.token)
    assert service.session_access(container.uow, opened.token) is None


def test_an_expired_session_or_a_disabled_user_is_not_signed_in(container: Container) -> None:
    created = service.create_user(container.uow, container.passwords, "jane@example.com", password=PASSWORD)
    user_id = created.access.user.id
    past = datetime.now(UTC) - timedelta(days=20)
    with container.uow.transaction() as tx:
        tx.users.add_session(WebSession(token_digest("old-token"), user_id, "csrf", past, past + timedelta(days=14)))
    assert service.session_access(container.uow, "old-token") is None
    opened = service.sign_in(container.uow, container.passwords, "jane@example.com", PASSWORD)
    with container.uow.transaction() as tx:
        assert tx.users.session(token_digest("old-token")) is None  # expired sessions are swept at sign-in
        tx.users.set_active(user_id, False)
    assert service.session_access(container.uow, opened.token) is None
    with pytest.raises(Unauthenticated):
        service.sign_in(container.uow, container.passwords, "jane@example.com", PASSWORD)


def test_a_new_password_signs_out_every_session_and_replaces_the_old_one(container: Container) -> None:
    service.create_user(container.uow, container.passwords, "jane@example.com", password=PASSWORD)
    opened = service.sign_in(container.uow, container.passwords, "jane@example.com", PASSWORD)
    generated = service.set_password(container.uow, container.passwords, "jane@example.com")
    assert generated is not None and len(generated) >= 10
    assert service.session_access(container.uow, opened.token) is None
    with pytest.raises(Unauthenticated):
        service.sign_in(container.uow, container.passwords, "jane@example.com", PASSWORD)
    service.sign_in(container.uow, container.passwords, "jane@example.com", generated)


def test_roles_decide_which_projects_a_user_sees_and_administers(container: Container) -> None:
    shop = project_service.create_project(container.uow, container.box, "shop").project
    blog = project_service.create_project(container.uow, container.box, "blog").project
    admin = service.create_user(container.uow, container.passwords, "boss@example.com", password=PASSWORD).access
    viewer = service.create_user(
        container.uow, container.passwords, "eve@example.com", password=PASSWORD, role=Role.VIEWER, project_name="shop"
    ).access
    assert [p.name for p in service.visible_projects(container.uow, admin)] == ["blog", "shop"]
    assert admin.may_administer(blog.id) and admin.may_administer(shop.id)
    assert [p.name for p in service.visible_projects(container.uow, viewer)] == ["shop"]
    assert viewer.may_view(shop.id) and not viewer.may_administer(shop.id) and not viewer.may_view(blog.id)
    promoted = service.set_role(container.uow, "eve@example.com", "blog", Role.ADMIN)
    assert promoted.may_administer(blog.id) and not promoted.may_administer(shop.id)
    removed = service.set_role(container.uow, "eve@example.com", "shop", None)
    assert [p.name for p in service.visible_projects(container.uow, removed)] == ["blog"]


def test_creating_users_refuses_mistakes(container: Container) -> None:
    project_service.create_project(container.uow, container.box, "shop")
    service.create_user(container.uow, container.passwords, "jane@example.com", password=PASSWORD)
    with pytest.raises(Conflict):
        service.create_user(container.uow, container.passwords, "JANE@example.com", password=PASSWORD)
    with pytest.raises(InvalidInput, match="password"):
        service.create_user(container.uow, container.passwords, "joe@example.com", password="short")
    with pytest.raises(InvalidInput, match="email"):
        service.create_user(container.uow, container.passwords, "not an address", password=PASSWORD)
    with pytest.raises(InvalidInput, match="viewer needs a project"):
        service.create_user(container.uow, container.passwords, "joe@example.com", role=Role.VIEWER)
    with pytest.raises(NotFound):
        service.create_user(container.uow, container.passwords, "joe@example.com", project_name="elsewhere")


def test_the_first_admin_is_created_once_with_a_generated_password(container: Container) -> None:
    first = service.ensure_first_admin(container.uow, container.passwords)
    assert first is not None and first.password is not None
    assert (first.access.user.email, first.access.user.is_admin) == ("admin@localhost", True)
    service.sign_in(container.uow, container.passwords, "admin@localhost", first.password)
    assert service.ensure_first_admin(container.uow, container.passwords) is None


@pytest.fixture
def run(settings: Settings, container: Container, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACKBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TRACKBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TRACKBRIDGE_SECRET_KEY", "test-server-key-not-for-production")
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    cli = build_cli()

    def invoke(*args: str, ok: bool = True) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result.output

    return invoke


def test_cli_creates_lists_and_resets_users(run, container: Container) -> None:  # type: ignore[no-untyped-def]
    project_service.create_project(container.uow, container.box, "shop")
    output = run("user", "create", "boss@example.com")
    assert "admin of every project" in output
    generated = re.search(r"password \(shown once\)\s+│\s+(\S+)", output)
    assert generated is not None
    service.sign_in(container.uow, container.passwords, "boss@example.com", generated.group(1))
    output = run("user", "create", "eve@example.com", "--password", PASSWORD, "--role", "viewer", "--project", "shop")
    assert "viewer of shop" in output and "shown once" not in output
    listed = run("user", "list")
    assert "boss@example.com" in listed and "admin of every project" in listed and "viewer of shop" in listed
    assert "exists already" in run("user", "create", "eve@example.com", ok=False)
    output = run("user", "set-password", "eve@example.com", "--password", "another long password")
    assert "password of eve@example.com changed" in output
    service.sign_in(container.uow, container.passwords, "eve@example.com", "another long password")
    assert "admin in shop" in run("user", "grant", "eve@example.com", "--project", "shop", "--role", "admin")
