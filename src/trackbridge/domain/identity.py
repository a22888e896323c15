"""Who a visitor is: the rules that link a visitor (a browser's id) to a customer. Pure, no I/O.

Evidence has a strength: a login / ``identify`` call or Matomo's ``uid`` (3) beats a form submission (2), which beats a
click on a signed link in a bulk e-mail (1). An operator's merge (4) is above all of them. Given the visitor's current
link and a new piece of evidence, :func:`decide` says what happens:

* an anonymous visitor is linked at once by any evidence; its earlier anonymous sessions join the customer (``LINK``);
* evidence for the customer the visitor already belongs to changes nothing, unless it is stronger: then the link is
  recorded again with the stronger method (``STRENGTHEN``), so a later weaker claim cannot move it;
* an e-mail link never moves a visitor who is already identified (a forwarded e-mail, seed 000's complaint);
* weaker evidence never moves a visitor;
* within the session in which the current link was made, the earliest form submission keeps the session (seed 000:
  several submissions with different contact data in one session → the earliest), and stronger evidence takes over
  everything the weaker link had (``REPLACE``);
* a login (``identify`` / ``uid``) as another customer, or in a later session a form of equal strength, is a shared
  device: from that moment on the visitor belongs to the new customer, and earlier sessions stay where they are
  (``SWITCH``). The session the switch happens in goes to the new customer unless the current link was made in it
  (a session belongs to its earliest, strongest evidence);
* evidence older than the current link, from another session, arrives too late to change anything (``IGNORE``).

No rule here merges two customers: a switch moves a visitor, never the other customer's history; only an operator
merges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from trackbridge.domain.values import EMAIL, is_placeholder_id


class LinkMethod(StrEnum):
    """How a link was made; stored on every link."""

    IDENTIFY = "identify"
    MATOMO_UID = "matomo_uid"
    FORM = "form"
    EMAIL_LINK = "email_link"
    OPERATOR_MERGE = "operator_merge"


STRENGTH: dict[LinkMethod, int] = {
    LinkMethod.OPERATOR_MERGE: 4,
    LinkMethod.IDENTIFY: 3,
    LinkMethod.MATOMO_UID: 3,
    LinkMethod.FORM: 2,
    LinkMethod.EMAIL_LINK: 1,
}


def strength_of(method: LinkMethod) -> int:
    return STRENGTH[method]


class Outcome(StrEnum):
    LINK = "link"
    ALREADY = "already"
    STRENGTHEN = "strengthen"
    REPLACE = "replace"
    SWITCH = "switch"
    IGNORE = "ignore"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One claim that a visitor is a customer, with where and when it was made."""

    method: LinkMethod
    customer_id: int
    occurred_at: datetime
    session_id: int | None
    event_id: str | None

    @property
    def strength(self) -> int:
        return STRENGTH[self.method]


@dataclass(frozen=True, slots=True)
class CurrentLink:
    """The visitor's link in force (the one not ended). ``valid_from`` None: from the start of the visitor's history."""

    link_id: int
    customer_id: int
    method: LinkMethod
    strength: int
    linked_at: datetime
    valid_from: datetime | None
    session_id: int | None


@dataclass(frozen=True, slots=True)
class NewLink:
    customer_id: int
    method: LinkMethod
    strength: int
    linked_at: datetime
    valid_from: datetime | None
    session_id: int | None
    event_id: str | None
    note: str


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a piece of evidence. ``end_current`` says whether the current link ends (at ``new_link``'s
    ``linked_at``); ``new_link`` is the link to record, if any; ``reason`` is for logs and for the link's note."""

    outcome: Outcome
    reason: str
    new_link: NewLink | None = None
    end_current: bool = False
    claims_session: bool = True
    """For a switch: whether the session the evidence came in goes to the new customer."""


def _link(evidence: Evidence, valid_from: datetime | None, note: str) -> NewLink:
    return NewLink(
        customer_id=evidence.customer_id,
        method=evidence.method,
        strength=evidence.strength,
        linked_at=evidence.occurred_at,
        valid_from=valid_from,
        session_id=evidence.session_id,
        event_id=evidence.event_id,
        note=note,
    )


def decide(current: CurrentLink | None, evidence: Evidence) -> Decision:
    """The rule table of the module docstring, applied to one piece of evidence."""
    if current is None:
        reason = "anonymous visitor identified; earlier sessions join the customer"
        return Decision(Outcome.LINK, reason, _link(evidence, None, reason))
    if evidence.customer_id == current.customer_id:
        if evidence.strength > current.strength:
            reason = f"confirmed by stronger evidence ({evidence.method.value} over {current.method.value})"
            return Decision(Outcome.STRENGTHEN, reason, _link(evidence, current.valid_from, reason), end_current=True)
        return Decision(Outcome.ALREADY, "visitor already belongs to this customer")
    if evidence.method is LinkMethod.EMAIL_LINK:
        return Decision(Outcome.IGNORE, "an e-mail link never moves a visitor who is already identified")
    if evidence.strength < current.strength:
        return Decision(
            Outcome.IGNORE,
            f"weaker evidence ({evidence.method.value}) than the current link ({current.method.value})",
        )
    same_session = evidence.session_id is not None and evidence.session_id == current.session_id
    if same_session:
        return _decide_within_session(current, evidence)
    if evidence.occurred_at < current.linked_at:
        return Decision(Outcome.IGNORE, "evidence from another session older than the current link")
    reason = "identified as another customer on the same device; later sessions belong to them"
    return Decision(Outcome.SWITCH, reason, _link(evidence, evidence.occurred_at, reason), end_current=True)


def _decide_within_session(current: CurrentLink, evidence: Evidence) -> Decision:
    """Evidence for another customer, at least as strong, in the session where the current link was made."""
    if evidence.strength > current.strength:
        reason = f"stronger evidence in the same session replaces a {current.method.value} link"
        return Decision(Outcome.REPLACE, reason, _link(evidence, current.valid_from, reason), end_current=True)
    if evidence.method is LinkMethod.FORM:
        if evidence.occurred_at < current.linked_at:
            reason = "an earlier submission in the same session wins"
            return Decision(Outcome.REPLACE, reason, _link(evidence, current.valid_from, reason), end_current=True)
        return Decision(Outcome.IGNORE, "a later submission in the same session; the earliest keeps the session")
    if evidence.occurred_at < current.linked_at:
        return Decision(Outcome.IGNORE, "a login older than the current link")
    reason = "logged in as another customer on the same device; from now on the visitor belongs to them"
    return Decision(
        Outcome.SWITCH, reason, _link(evidence, evidence.occurred_at, reason), end_current=True, claims_session=False
    )


@dataclass(frozen=True, slots=True)
class Claim:
    """What an event claims before the customer is looked up: an e-mail, a CRM id (``uid``) or a customer id (token)."""

    method: LinkMethod
    email: str | None = None
    external_id: str | None = None
    customer_id: int | None = None


def usable_email(value: object) -> str | None:
    """The e-mail, trimmed and lower-cased, when it can link anything; None for placeholders and non-addresses."""
    if not isinstance(value, str) or is_placeholder_id(value):
        return None
    email = value.strip().lower()
    if len(email) > 320 or not EMAIL.match(email):
        return None
    return email


def uid_claim(user_id: str | None) -> Claim | None:
    """Matomo's ``uid``: an e-mail when it looks like one, otherwise the shop's own customer id; placeholders never."""
    if user_id is None or is_placeholder_id(user_id):
        return None
    text = user_id.strip()
    if not text or len(text) > 200:
        return None
    email = usable_email(text)
    if email is not None:
        return Claim(LinkMethod.MATOMO_UID, email=email)
    if "@" in text:
        return None
    return Claim(LinkMethod.MATOMO_UID, external_id=text)


def earliest_first(evidence: list[Evidence]) -> list[Evidence]:
    """Evidence in the order it happened (ties: the stronger first), so a batch is decided as if it came live."""
    return sorted(evidence, key=lambda item: (item.occurred_at, -item.strength))
