"""Operator use cases around customers' identities: e-mail links, merges and their undo, the timeline."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from trackbridge.domain.email_links import DEFAULT_VALIDITY, link_with_token, make_token
from trackbridge.domain.errors import Conflict, InvalidInput, NotFound
from trackbridge.domain.identity import usable_email
from trackbridge.domain.projects import Project
from trackbridge.services.identity_ports import MergeInfo
from trackbridge.services.ports import SecretBox, UnitOfWork

log = logging.getLogger(__name__)

MAX_VALIDITY = timedelta(days=400)


def _now() -> datetime:
    return datetime.now(UTC)


def email_link_token(
    uow: UnitOfWork, box: SecretBox, project: Project, email: str, *, validity: timedelta = DEFAULT_VALIDITY
) -> str:
    """A signed ``tb_r`` value that identifies the recipient (created as a customer when new)."""
    address = usable_email(email)
    if address is None:
        raise InvalidInput(f"{email!r} is not an e-mail address that can identify anyone", "email")
    if not timedelta(0) < validity <= MAX_VALIDITY:
        raise InvalidInput(f"must be between 1 second and {MAX_VALIDITY.days} days", "validity")
    now = _now()
    with uow.transaction() as tx:
        customer_id = tx.identities.customer_for_email(project.id, address, now)
        secret = box.decrypt(tx.projects.secret_ciphertext(project.id))
    return make_token(secret, project.id, customer_id, now + validity)


def email_link(
    uow: UnitOfWork,
    box: SecretBox,
    project: Project,
    email: str,
    url: str,
    *,
    validity: timedelta = DEFAULT_VALIDITY,
) -> str:
    """``url`` with a signed ``tb_r`` parameter that identifies the recipient."""
    link_with_token(url, "")  # refuses a bad URL before anything is stored
    return link_with_token(url, email_link_token(uow, box, project, email, validity=validity))


def merge_customers(uow: UnitOfWork, project: Project, kept: int, merged: int, by: str) -> MergeInfo:
    """Moves everything of ``merged`` to ``kept`` and records it; the two must be distinct, existing, unmerged."""
    if kept == merged:
        raise InvalidInput("a customer cannot be merged into itself", "other")
    with uow.transaction() as tx:
        for customer_id in (kept, merged):
            if not tx.merges.customer_exists(project.id, customer_id):
                raise NotFound(f"no customer {customer_id} in this project")
            active = tx.merges.active_merge_of(project.id, customer_id)
            if active is not None:
                raise Conflict(f"customer {customer_id} was merged already (merge {active}); undo that merge first")
        info = tx.merges.merge(project.id, kept, merged, by, _now())
    log.info("customers merged", extra={"project": project.name, "merge_id": info.id, "by": by})
    return info


def undo_merge(uow: UnitOfWork, project: Project, merge_id: int, by: str) -> MergeInfo:
    with uow.transaction() as tx:
        info = tx.merges.merge_by_id(project.id, merge_id)
        if info is None:
            raise NotFound(f"no merge {merge_id} in this project")
        if info.undone_at is not None:
            raise Conflict(f"merge {merge_id} was undone already")
        undone = tx.merges.undo(project.id, merge_id, by, _now())
    log.info("customer merge undone", extra={"project": project.name, "merge_id": merge_id, "by": by})
    return undone


def timeline(uow: UnitOfWork, project: Project, customer_id: int, *, cursor: str | None, limit: int) -> dict[str, Any]:
    if cursor is not None and not cursor.isdigit():
        raise InvalidInput("is not a cursor this timeline gave", "cursor")
    with uow.read() as tx:
        found = tx.timeline.timeline(
            project.id, customer_id, before_session=int(cursor) if cursor else None, limit=limit
        )
    if found is None:
        raise NotFound(f"no customer {customer_id} in this project")
    return found


def merge_as_json(info: MergeInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "kept": info.kept_customer_id,
        "merged": info.merged_customer_id,
        "by": info.by,
        "at": int(info.at.timestamp() * 1000),
        "undoneAt": None if info.undone_at is None else int(info.undone_at.timestamp() * 1000),
    }
