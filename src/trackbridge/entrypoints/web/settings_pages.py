"""The settings pages: the project's credentials and tracker snippet, API keys, lookup and status mappings; the
connectors, their logs and the dead letters come from settings_connectors.py (included here).

Everyone who may see the project sees its public token, site id, snippet and the list of keys; the signing secret,
and every change (rotate, create, revoke, edit a mapping), are for the project's admins (POST forms with the CSRF
token, then Post/Redirect/Get; a new API key is shown once, on the answer to the form that created it).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from trackbridge.domain.credentials import Scope
from trackbridge.domain.errors import ClientError
from trackbridge.domain.order_status import StatusType
from trackbridge.entrypoints.bootstrap import Container
from trackbridge.entrypoints.web import settings_connectors
from trackbridge.entrypoints.web.pages import AdminPost, ProjectPage, ViewerPage, page_router, redirect_to
from trackbridge.entrypoints.web.pages import render as render_page
from trackbridge.entrypoints.web.settings_forms import lookups_text, parse_lookups, parse_status_mapping, status_text
from trackbridge.entrypoints.web.templating import project_path
from trackbridge.services import lookups, order_settings
from trackbridge.services import projects as project_service

DONE = {
    "secret": "The signing secret was rotated. Give the new one to every backend that signs calls.",
    "token": "The token was rotated. Replace the tracker snippet on your pages: the old token no longer works.",
    "revoked": "The API key was revoked.",
    "lookups": "The lookup mappings were saved. New visits use them.",
    "statuses": "The status mapping was saved; stored orders were re-typed.",
}
SCOPES = [(Scope.WRITE.value, "write (and read)"), (Scope.READ.value, "read only")]
TABS = [
    ("settings", "Project & keys"),
    ("mappings", "Mappings"),
    ("connectors", "Connectors"),
    ("dead", "Dead letters"),
]


def render(request: Request, template: str, page: ProjectPage, tab: str, **context: Any) -> Response:
    status_code = int(context.pop("status_code", 200))
    return render_page(
        request, template, page, section="settings", status_code=status_code, tabs=TABS, tab=tab, **context
    )


def snippet(request: Request, token: str) -> str:
    base = str(request.base_url).rstrip("/")
    return f'<script src="{base}/tracker.js?token={token}"></script>'


def build_router(container: Container) -> APIRouter:
    router = page_router()
    uow, box = container.uow, container.box

    def overview(
        request: Request,
        page: ProjectPage,
        *,
        reveal: bool = False,
        done: str = "",
        new_key: str | None = None,
        problem: str | None = None,
        status_code: int = 200,
    ) -> Response:
        project = project_service.get_project(uow, page.project.name)  # fresh: a rotated token shows at once
        secret = project_service.signing_secret(uow, box, project) if page.is_admin and reveal else None
        return render(
            request,
            "settings/index.html",
            page,
            "settings",
            current=project,
            secret=secret,
            snippet=snippet(request, project.token),
            keys=project_service.list_api_keys(uow, project),
            scopes=SCOPES,
            done=DONE.get(done),
            new_key=new_key,
            problem=problem,
            status_code=status_code,
        )

    @router.get("/p/{project}/settings")
    async def settings_page(
        request: Request, page: ViewerPage, reveal: Annotated[bool, Query()] = False, done: str = ""
    ) -> Response:
        return await run_in_threadpool(lambda: overview(request, page, reveal=reveal, done=done))

    @router.post("/p/{project}/settings/rotate-secret")
    async def rotate_secret(page: AdminPost) -> Response:
        await run_in_threadpool(project_service.rotate_secret, uow, box, page.project)
        return redirect_to(project_path(page.project, "settings", reveal="true", done="secret"))

    @router.post("/p/{project}/settings/rotate-token")
    async def rotate_token(page: AdminPost) -> Response:
        await run_in_threadpool(project_service.rotate_token, uow, page.project)
        return redirect_to(project_path(page.project, "settings", done="token"))

    @router.post("/p/{project}/settings/api-keys")
    async def create_key(request: Request, page: AdminPost) -> Response:
        form = await request.form()
        name = str(form.get("name") or "").strip()
        scope = str(form.get("scope") or Scope.WRITE.value)
        if not name or len(name) > 200 or scope not in {value for value, _ in SCOPES}:
            problem = "Give the key a name (at most 200 characters) and a scope."
            return await run_in_threadpool(lambda: overview(request, page, problem=problem, status_code=400))
        _info, plain = await run_in_threadpool(project_service.create_api_key, uow, page.project, name, Scope(scope))
        return await run_in_threadpool(lambda: overview(request, page, new_key=plain))

    @router.post("/p/{project}/settings/api-keys/{key_id}/revoke")
    async def revoke_key(page: AdminPost, key_id: int) -> Response:
        await run_in_threadpool(project_service.revoke_api_key, uow, page.project, key_id)
        return redirect_to(project_path(page.project, "settings", done="revoked"))

    def mappings_page(
        request: Request,
        page: ProjectPage,
        *,
        done: str = "",
        problem: str | None = None,
        drafts: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        own = order_settings.get_settings(uow, page.project)
        texts = {
            "lead_source": lookups_text(lookups.get_mappings(uow, page.project, lookups.LookupKind.LEAD_SOURCE)),
            "channel": lookups_text(lookups.get_mappings(uow, page.project, lookups.LookupKind.CHANNEL)),
            "statuses": status_text(own.status_mapping),
        }
        texts.update(drafts or {})
        return render(
            request,
            "settings/mappings.html",
            page,
            "mappings",
            texts=texts,
            own_statuses=sorted(own.status_mapping.items()),
            types=[kind.value for kind in StatusType],
            done=DONE.get(done),
            problem=problem,
            status_code=status_code,
        )

    @router.get("/p/{project}/settings/mappings")
    async def mappings(request: Request, page: ViewerPage, done: str = "") -> Response:
        return await run_in_threadpool(lambda: mappings_page(request, page, done=done))

    @router.post("/p/{project}/settings/mappings/{kind}")
    async def save_mapping(request: Request, page: AdminPost, kind: str) -> Response:
        form = await request.form()
        text = str(form.get("text") or "")

        def save() -> Response:
            try:
                if kind == "statuses":
                    order_settings.replace_status_mapping(uow, page.project, parse_status_mapping(text))
                    return redirect_to(project_path(page.project, "settings", "mappings", done="statuses"))
                lookup = lookups.LookupKind(kind) if kind in {k.value for k in lookups.LookupKind} else None
                if lookup is None:
                    return mappings_page(request, page, problem=f"No mapping called {kind!r}.", status_code=404)
                lookups.replace_mappings(uow, page.project, lookup, parse_lookups(text))
                return redirect_to(project_path(page.project, "settings", "mappings", done="lookups"))
            except ClientError as error:
                return mappings_page(request, page, problem=error.message, drafts={kind: text}, status_code=400)

        return await run_in_threadpool(save)

    router.include_router(settings_connectors.build_router(container, render))
    return router
