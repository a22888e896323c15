"""The port of identification's storage: links, customers as identification sees them, forms, merges, timelines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from trackbridge.domain.identity import CurrentLink, NewLink

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FormSubmission:
    visitor_id: str
    session_id: int | None
    event_id: str
    submitted_at: datetime
    customer_id: int | None
    email: str | None
    form: str | None
    fields: JsonObject
    page_url: str | None


@dataclass(frozen=True, slots=True)
class PendingTraits:
    event_id: str
    occurred_at: datetime
    tags: list[str]
    details: JsonObject


@dataclass(frozen=True, slots=True)
class MergeInfo:
    id: int
    kept_customer_id: int
    merged_customer_id: int
    by: str
    at: datetime
    undone_at: datetime | None


class IdentityRepository(Protocol):
    # customers ----------------------------------------------------------------------------------------------------
    def resolve_customer(self, project_id: int, customer_id: int) -> int | None:
        """The customer that stands for this id (following operator merges); None when it does not exist."""
        ...

    def customer_for_email(self, project_id: int, email: str, now: datetime) -> int:
        """The customer with this e-mail (following merges), created when new."""
        ...

    def customer_for_external_id(self, project_id: int, external_id: str, now: datetime) -> int:
        """The customer with this CRM id (following merges), created when new."""
        ...

    def customers_for(self, project_id: int, column: str, values: Sequence[str], now: datetime) -> dict[str, int]:
        """Many customers at once by ``email`` or ``external_id``: found or created, merges followed."""
        ...

    def update_customer(self, project_id: int, customer_id: int, values: JsonObject, now: datetime) -> None:
        """Overrides the given columns (first_name, last_name, phone, phone_normalized, subscribed)."""
        ...

    def add_tags(self, project_id: int, customer_id: int, tags: Sequence[str], now: datetime) -> None: ...

    # links --------------------------------------------------------------------------------------------------------
    def current_links(self, project_id: int, visitor_ids: Sequence[str]) -> dict[str, CurrentLink]: ...

    def end_link(self, link_id: int, at: datetime) -> None: ...

    def add_link(self, project_id: int, visitor_id: str, link: NewLink, recorded_at: datetime) -> int: ...

    def set_visitor_customer(self, project_id: int, visitor_id: str, link: NewLink) -> None:
        """Mirrors the link in force on the visitor row (customer, strength, when, how)."""
        ...

    def join_anonymous_sessions(self, project_id: int, visitor_id: str, customer_id: int) -> int:
        """The visitor's sessions without a customer join this one; how many."""
        ...

    def move_sessions(
        self,
        project_id: int,
        visitor_id: str,
        *,
        from_customer: int,
        to_customer: int,
        since: datetime | None,
        also_session: int | None,
    ) -> int:
        """The visitor's sessions of ``from_customer`` (or of none) started at or after ``since`` (all when None),
        plus ``also_session``, move to ``to_customer``; how many."""
        ...

    def fill_session_customers(self, project_id: int, session_ids: Sequence[int]) -> None:
        """Sessions among these without a customer take their visitor's customer."""
        ...

    # forms and pending traits ---------------------------------------------------------------------------------------
    def add_form_submission(self, project_id: int, submission: FormSubmission) -> None:
        """Stores it with the tracking data of its session (UTM codes, referrer, landing page); a repeat is ignored."""
        ...

    def add_pending(self, project_id: int, visitor_id: str, traits: PendingTraits) -> None: ...

    def visitors_with_pending(self, project_id: int, visitor_ids: Sequence[str]) -> set[str]:
        """Those of these visitors that have traits waiting."""
        ...

    def take_pending(self, project_id: int, visitor_id: str) -> list[PendingTraits]:
        """The traits waiting for this visitor's customer, oldest first; removed."""
        ...


class MergeRepository(Protocol):
    def active_merge_of(self, project_id: int, customer_id: int) -> int | None:
        """The id of the merge in force that merged this customer into another, if any."""
        ...

    def customer_exists(self, project_id: int, customer_id: int) -> bool: ...

    def merge(self, project_id: int, kept: int, merged: int, by: str, at: datetime) -> MergeInfo: ...

    def merge_by_id(self, project_id: int, merge_id: int) -> MergeInfo | None: ...

    def undo(self, project_id: int, merge_id: int, by: str, at: datetime) -> MergeInfo: ...


class TimelineRepository(Protocol):
    def timeline(
        self, project_id: int, customer_id: int, *, before_session: int | None, limit: int
    ) -> JsonObject | None:
        """The customer's timeline (None when there is no such customer); see docs/identity.md for its shape."""
        ...
