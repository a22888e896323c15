"""`trackbridge user ...`: the people who sign in to the web UI."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from trackbridge.domain.users import Role, UserAccess
from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.services import projects as project_service
from trackbridge.services import users as service

EmailArgument = Annotated[str, typer.Argument(help="The user's e-mail address (the sign-in name).")]
PasswordOption = Annotated[
    str | None,
    typer.Option(help="The password (at least 10 characters); without it, a random one is generated and printed."),
]


def print_password(email: str, password: str, title: str) -> None:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_row("e-mail", email)
    table.add_row("password (shown once)", password)
    console.print(table)


def build() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.command("create")
    @reports_errors
    def create(
        email: EmailArgument,
        password: PasswordOption = None,
        role: Annotated[Role, typer.Option(help="admin or viewer.")] = Role.ADMIN,
        project: Annotated[
            str | None, typer.Option("--project", "-p", help="The project the role is in; without it: every project.")
        ] = None,
    ) -> None:
        """Create a user: admin of every project, or with --project, ROLE in that project."""
        with open_container() as c:
            created = service.create_user(c.uow, c.passwords, email, password=password, role=role, project_name=project)
        user = created.access.user
        where = f"{role.value} of {project}" if project else "admin of every project"
        console.print(f"user {user.email} created: {where}")
        if created.password is not None:
            print_password(user.email, created.password, "Sign-in")

    @app.command("set-password")
    @reports_errors
    def set_password(email: EmailArgument, password: PasswordOption = None) -> None:
        """Replace a user's password (their open sessions are signed out)."""
        with open_container() as c:
            generated = service.set_password(c.uow, c.passwords, email, password)
        console.print(f"password of {email} changed")
        if generated is not None:
            print_password(email, generated, "New password")

    @app.command("grant")
    @reports_errors
    def grant(
        email: EmailArgument,
        project: Annotated[str, typer.Option("--project", "-p", help="The project's name.")],
        role: Annotated[Role | None, typer.Option(help="admin or viewer; leave out to take the role away.")] = None,
    ) -> None:
        """Give a user a role in one project, or take it away."""
        with open_container() as c:
            service.set_role(c.uow, email, project, role)
        console.print(f"{email}: {role.value if role else 'no role'} in {project}")

    @app.command("list")
    @reports_errors
    def list_() -> None:
        """List users with their roles."""
        with open_container() as c:
            users = service.list_users(c.uow)
            names = {p.id: p.name for p in project_service.list_projects(c.uow)}
        table = Table("id", "e-mail", "roles", "active", "created")
        for access in users:
            table.add_row(
                str(access.user.id),
                access.user.email,
                _roles(access, names),
                "yes" if access.user.is_active else "no",
                f"{access.user.created_at:%Y-%m-%d %H:%M}",
            )
        console.print(table)

    return app


def _roles(access: UserAccess, names: dict[int, str]) -> str:
    if access.user.is_admin:
        return "admin of every project"
    held = [f"{role.value} of {names.get(project_id, project_id)}" for project_id, role in access.roles.items()]
    return ", ".join(sorted(held)) or "-"
