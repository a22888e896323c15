"""The customer directory: the searchable list, a customer's page (timeline and profile), merges by e-mail or id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from trackbridge.domain.errors import InvalidInput, NotFound
from trackbridge.domain.projects import Project
from trackbridge.services import customers as customer_service
from trackbridge.services.customer_directory_ports import (
    CustomerFilterChoices,
    CustomerListPage,
    CustomerQuery,
    MergeRecord,
)
from trackbridge.services.identity_ports import MergeInfo
from trackbridge.services.ports import UnitOfWork

MAX_PER_PAGE = 200
MAX_SEARCH = 200
FILTER_CHOICES = 200


@dataclass(frozen=True)
class CustomerPage:
    """Everything a customer page shows: the timeline (the API's JSON), the profile and the merges."""

    timeline: dict[str, Any]
    profile: dict[str, Any]
    merges: list[MergeRecord]
    merged_into: MergeRecord | None
    """The merge in force that made this customer part of another one, if any."""


def list_customers(uow: UnitOfWork, project: Project, query: CustomerQuery) -> CustomerListPage:
    if query.page < 1:
        raise InvalidInput("must be 1 or more", "page")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"must be between 1 and {MAX_PER_PAGE}", "per_page")
    if query.search is not None and len(query.search) > MAX_SEARCH:
        raise InvalidInput(f"at most {MAX_SEARCH} characters", "q")
    cleaned = replace(
        query,
        search=(query.search or "").strip() or None,
        tag=query.tag or None,
        source=query.source or None,
        lead_source=query.lead_source or None,
    )
    with uow.read() as tx:
        return tx.customer_list.search(project.id, cleaned)


def filter_choices(uow: UnitOfWork, project: Project) -> CustomerFilterChoices:
    with uow.read() as tx:
        return tx.customer_list.filter_choices(project.id, FILTER_CHOICES)


def customer_page(
    uow: UnitOfWork, project: Project, customer_id: int, *, cursor: str | None, limit: int
) -> CustomerPage:
    found = customer_service.timeline(uow, project, customer_id, cursor=cursor, limit=limit)
    with uow.read() as tx:
        profile = tx.customer_profile.profile(project.id, [customer_id, *found["mergedCustomers"]])
        merges = tx.customer_profile.merges_of(project.id, customer_id)
    merged_into = next(
        (m for m in merges if m.merged_customer_id == customer_id and m.undone_at is None),
        None,
    )
    return CustomerPage(found, profile, merges, merged_into)


def merge_into(uow: UnitOfWork, project: Project, kept: int, other: str, by: str) -> MergeInfo:
    """Merges the customer named by ``other`` (an id, or an e-mail) into ``kept``."""
    other = other.strip()
    if not other:
        raise InvalidInput("name the customer to merge: an id or an e-mail", "other")
    if other.isdigit():
        merged = int(other)
    else:
        with uow.read() as tx:
            found = tx.customer_list.id_for_email(project.id, other)
        if found is None:
            raise NotFound(f"no customer with e-mail {other} in this project")
        merged = found
    return customer_service.merge_customers(uow, project, kept, merged, by)


def undo_merge(uow: UnitOfWork, project: Project, merge_id: int, by: str) -> MergeInfo:
    return customer_service.undo_merge(uow, project, merge_id, by)
