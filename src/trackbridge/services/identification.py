"""Identification: turns identify, form submissions, e-mail links and Matomo's ``uid`` into visitor → customer links.

Called by the worker (services/processing.py) inside the transaction that sessionized the events, after the sessions
and actions are written. The rules are domain/identity.py's; this module finds the customers, records the links, moves
sessions and applies customer details and tags. docs/identity.md tells users what it does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from trackbridge.domain.email_links import TokenRefused, read_token
from trackbridge.domain.events import EventType, ProcessedEvent, TrackedEvent
from trackbridge.domain.identity import (
    Claim,
    CurrentLink,
    Evidence,
    LinkMethod,
    Outcome,
    decide,
    uid_claim,
    usable_email,
)
from trackbridge.domain.identity_traits import customer_details, read_form, tags_of
from trackbridge.domain.projects import Project
from trackbridge.services import matomo_import, outbound_hooks
from trackbridge.services.identity_ports import FormSubmission, IdentityRepository, PendingTraits
from trackbridge.services.ports import SecretBox, Transaction

log = logging.getLogger(__name__)

FORM_IDENTIFY_WINDOW = timedelta(seconds=10)

IDENTITY_TYPES = frozenset(
    {EventType.IDENTIFY, EventType.FORM_SUBMIT, EventType.EMAIL_LINK, EventType.CUSTOMER_DETAILS, EventType.APPLY_TAGS}
)


@dataclass
class _Batch:
    """What one call keeps while it works through its events."""

    tx: Transaction
    project: Project
    secrets: SecretBox | None
    now: datetime
    links: dict[str, CurrentLink]
    form_emails: dict[tuple[str, str], list[datetime]] = field(default_factory=dict)
    uids_seen: set[tuple[str, str]] = field(default_factory=set)
    by_email: dict[str, int] = field(default_factory=dict)
    by_external_id: dict[str, int] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)
    secret: str | None = None
    changed: set[int] = field(default_factory=set)
    """Customers created or given new details or tags: the exports send them again."""

    @property
    def repo(self) -> IdentityRepository:
        return self.tx.identities


def process_events(
    tx: Transaction,
    project: Project,
    processed: Sequence[ProcessedEvent],
    *,
    secrets: SecretBox | None = None,
    now: datetime | None = None,
) -> None:
    """Applies the identity events of a processed batch, in the order they happened. ``secrets`` (by default the
    transaction's) decrypts the project's signing secret for e-mail link tokens; without one they are skipped."""
    relevant = [item for item in processed if item.event.type in IDENTITY_TYPES or item.event.user_id]
    if not relevant:
        return
    relevant.sort(key=lambda item: item.event.occurred_at)
    batch = _Batch(
        tx=tx,
        project=project,
        secrets=secrets,
        now=now or datetime.now(UTC),
        links=tx.identities.current_links(project.id, [item.event.visitor_id for item in relevant]),
    )
    _prefetch(batch, relevant)
    for item in relevant:
        _process_one(batch, item)
    if batch.changed:
        outbound_hooks.customers_changed(tx, project, sorted(batch.changed), batch.now)


def _prefetch(batch: _Batch, relevant: Sequence[ProcessedEvent]) -> None:
    """Finds (or creates) every customer the batch names, and who has traits waiting, in a few statements."""
    emails: set[str] = set()
    external_ids: set[str] = set()
    identified: set[str] = set()  # by identify or a form (perhaps created now), not by a uid on every hit
    for item in relevant:
        event = item.event
        email = read_form(event.properties).email if event.type is EventType.FORM_SUBMIT else None
        if email is not None:
            batch.form_emails.setdefault((event.visitor_id, email), []).append(event.occurred_at)
        elif event.type in IDENTITY_TYPES:
            email = usable_email(event.properties.get("email"))
        if email is not None and event.type is not EventType.EMAIL_LINK:
            emails.add(email)
            identified.add(email)
        claim = uid_claim(event.user_id)
        if claim is not None and claim.email is not None:
            emails.add(claim.email)
        elif claim is not None and claim.external_id is not None:
            external_ids.add(claim.external_id)
    project_id, repo = batch.project.id, batch.repo
    batch.by_email = repo.customers_for(project_id, "email", sorted(emails), batch.now)
    batch.changed.update(batch.by_email[email] for email in identified if email in batch.by_email)
    batch.by_external_id = repo.customers_for(project_id, "external_id", sorted(external_ids), batch.now)
    batch.pending = repo.visitors_with_pending(project_id, [item.event.visitor_id for item in relevant])


def _customer_by_email(batch: _Batch, email: str) -> int:
    found = batch.by_email.get(email)
    if found is None:
        found = batch.by_email[email] = batch.repo.customer_for_email(batch.project.id, email, batch.now)
        batch.changed.add(found)  # perhaps created just now
    return found


def _process_one(batch: _Batch, item: ProcessedEvent) -> None:
    event = item.event
    if event.user_id and (event.visitor_id, event.user_id) not in batch.uids_seen:
        batch.uids_seen.add((event.visitor_id, event.user_id))
        claim = uid_claim(event.user_id)
        if claim is not None:
            _claim(batch, item, claim)
    if event.type is EventType.IDENTIFY:
        _identify(batch, item)
    elif event.type is EventType.FORM_SUBMIT:
        _form(batch, item)
    elif event.type is EventType.EMAIL_LINK:
        _email_link(batch, item)
    elif event.type in (EventType.CUSTOMER_DETAILS, EventType.APPLY_TAGS):
        _traits(batch, event)


def _identify(batch: _Batch, item: ProcessedEvent) -> None:
    email = usable_email(item.event.properties.get("email"))
    if email is None:
        log.debug("identify without a usable e-mail ignored", extra={"project": batch.project.name})
        return
    customer_id: int | None
    if _part_of_a_form(batch, item.event, email):
        customer_id = _customer_by_email(batch, email)
    else:
        customer_id = _claim(batch, item, Claim(LinkMethod.IDENTIFY, email=email))
    _update_customer(batch, customer_id, customer_details(item.event.properties), tags_of(item.event.properties))


def _part_of_a_form(batch: _Batch, event: TrackedEvent, email: str) -> bool:
    """tracker.js's integrateForm sends identify next to the form_submit; the form is the evidence (form strength)."""
    moments = batch.form_emails.get((event.visitor_id, email), [])
    return any(abs(moment - event.occurred_at) <= FORM_IDENTIFY_WINDOW for moment in moments)


def _form(batch: _Batch, item: ProcessedEvent) -> None:
    event = item.event
    content = read_form(event.properties)
    customer_id = _claim(batch, item, Claim(LinkMethod.FORM, email=content.email)) if content.email else None
    batch.repo.add_form_submission(
        batch.project.id,
        FormSubmission(
            visitor_id=event.visitor_id,
            session_id=item.session_id,
            event_id=event.event_id,
            submitted_at=event.occurred_at,
            customer_id=customer_id,
            email=content.email,
            form=content.form,
            fields=content.fields,
            page_url=event.url,
        ),
    )
    if customer_id is not None:
        _update_customer(batch, customer_id, content.details, content.tags)
        matomo_import.request_import(batch.tx, batch.project.id, [customer_id], batch.now)  # seed 000: at once


def _email_link(batch: _Batch, item: ProcessedEvent) -> None:
    secret = _secret(batch)
    if secret is None:
        log.warning("e-mail link event skipped: no secret box given", extra={"project": batch.project.name})
        return
    try:
        claim = read_token(secret, batch.project.id, item.event.properties.get("token"), batch.now)
    except TokenRefused as refused:
        log.info("e-mail link token ignored", extra={"project": batch.project.name, "reason": refused.reason})
        return
    _claim(batch, item, Claim(LinkMethod.EMAIL_LINK, customer_id=claim.customer_id))


def _secret(batch: _Batch) -> str | None:
    box = batch.secrets or batch.tx.secret_box
    if batch.secret is None and box is not None:
        batch.secret = box.decrypt(batch.tx.projects.secret_ciphertext(batch.project.id))
    return batch.secret


def _traits(batch: _Batch, event: TrackedEvent) -> None:
    details = customer_details(event.properties)
    tags = tags_of(event.properties) if event.type is EventType.APPLY_TAGS else []
    if not details and not tags:
        return
    email = usable_email(event.properties.get("email"))
    if email is not None:  # details that name their customer go to that customer, linked or not
        _update_customer(batch, _customer_by_email(batch, email), details, tags)
        return
    current = batch.links.get(event.visitor_id)
    if current is not None:
        _update_customer(batch, current.customer_id, details, tags)
        return
    batch.repo.add_pending(
        batch.project.id, event.visitor_id, PendingTraits(event.event_id, event.occurred_at, tags, details)
    )
    batch.pending.add(event.visitor_id)


def _update_customer(batch: _Batch, customer_id: int | None, details: dict[str, object], tags: list[str]) -> None:
    if customer_id is None:
        return
    batch.repo.update_customer(batch.project.id, customer_id, details, batch.now)
    batch.repo.add_tags(batch.project.id, customer_id, tags, batch.now)
    if details or tags:
        batch.changed.add(customer_id)


def _resolve(batch: _Batch, claim: Claim) -> int | None:
    repo, project_id = batch.repo, batch.project.id
    if claim.email is not None:
        return _customer_by_email(batch, claim.email)
    if claim.external_id is not None:
        found = batch.by_external_id.get(claim.external_id)
        return found if found is not None else repo.customer_for_external_id(project_id, claim.external_id, batch.now)
    if claim.customer_id is not None:
        return repo.resolve_customer(project_id, claim.customer_id)
    return None


def _claim(batch: _Batch, item: ProcessedEvent, claim: Claim) -> int | None:
    """Finds (or creates) the claimed customer and applies the link rules; the customer's id."""
    customer_id = _resolve(batch, claim)
    if customer_id is None:
        log.info("identity claim for an unknown customer ignored", extra={"project": batch.project.name})
        return None
    event = item.event
    evidence = Evidence(claim.method, customer_id, event.occurred_at, item.session_id, event.event_id)
    current = batch.links.get(event.visitor_id)
    decision = decide(current, evidence)
    if decision.new_link is None:
        if decision.outcome is Outcome.IGNORE:
            log.info("identity evidence not applied", extra={"project": batch.project.name, "reason": decision.reason})
        return customer_id
    repo, project_id, visitor_id, link = batch.repo, batch.project.id, event.visitor_id, decision.new_link
    if decision.end_current and current is not None:
        repo.end_link(current.link_id, link.linked_at)
    link_id = repo.add_link(project_id, visitor_id, link, batch.now)
    repo.set_visitor_customer(project_id, visitor_id, link)
    if decision.outcome is Outcome.LINK:
        repo.join_anonymous_sessions(project_id, visitor_id, customer_id)
        if visitor_id in batch.pending:
            batch.pending.discard(visitor_id)
            for traits in repo.take_pending(project_id, visitor_id):
                _update_customer(batch, customer_id, traits.details, traits.tags)
    elif current is not None and decision.outcome in (Outcome.REPLACE, Outcome.SWITCH):
        repo.move_sessions(
            project_id,
            visitor_id,
            from_customer=current.customer_id,
            to_customer=customer_id,
            since=link.valid_from,
            also_session=item.session_id if decision.claims_session else None,
        )
    batch.links[visitor_id] = CurrentLink(
        link_id, customer_id, link.method, link.strength, link.linked_at, link.valid_from, link.session_id
    )
    log.info(
        "visitor linked",
        extra={"project": batch.project.name, "outcome": decision.outcome.value, "how": link.method.value},
    )
    return customer_id
