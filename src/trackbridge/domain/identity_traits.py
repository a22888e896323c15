"""What identify, customerDetails, applyTags and form submissions say about a customer, read from event properties.

Properties arrive in the tracker's camelCase (seed 004): ``email``, ``firstName``, ``lastName``, ``phoneNumber``,
``subscribed``, ``tags``. A form submission may also carry ``form`` (its name or selector) and ``fields`` (every field
as submitted); a top-level value wins over the same one inside ``fields``. Pure, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trackbridge.domain.identity import usable_email
from trackbridge.domain.values import normalize_phone

JsonObject = dict[str, Any]
MAX_TAGS = 100
MAX_TAG_LENGTH = 200
_TEXT_FIELDS = {"firstName": "first_name", "lastName": "last_name"}
_FORM_META = {"form", "fields", "tags"}


def customer_details(properties: JsonObject) -> JsonObject:
    """Customer columns to override from what was sent; a field not sent (or not usable) is left out."""
    details: JsonObject = {}
    for name, column in _TEXT_FIELDS.items():
        value = properties.get(name)
        if isinstance(value, str) and value.strip():
            details[column] = value.strip()[:200]
    phone = properties.get("phoneNumber", properties.get("phone"))
    if isinstance(phone, str) and phone.strip():
        details["phone"] = phone.strip()[:64]
        details["phone_normalized"] = normalize_phone(phone)
    subscribed = properties.get("subscribed")
    if isinstance(subscribed, bool):
        details["subscribed"] = subscribed
    return details


def tags_of(properties: JsonObject) -> list[str]:
    """The tags sent (a list of strings, or one string), trimmed, deduplicated, in order."""
    raw = properties.get("tags")
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    tags: list[str] = []
    for value in values:
        if isinstance(value, str) and value.strip() and value.strip()[:MAX_TAG_LENGTH] not in tags:
            tags.append(value.strip()[:MAX_TAG_LENGTH])
    return tags[:MAX_TAGS]


@dataclass(frozen=True, slots=True)
class FormContent:
    form: str | None
    email: str | None
    fields: JsonObject
    details: JsonObject
    tags: list[str]


def read_form(properties: JsonObject) -> FormContent:
    """A form submission's content: the fields as submitted, and the e-mail, details and tags found in them."""
    nested = properties.get("fields")
    fields: JsonObject = dict(nested) if isinstance(nested, dict) else {}
    fields.update({name: value for name, value in properties.items() if name not in _FORM_META})
    form = properties.get("form")
    return FormContent(
        form=form.strip()[:200] if isinstance(form, str) and form.strip() else None,
        email=usable_email(fields.get("email")),
        fields=fields,
        details=customer_details(fields),
        tags=tags_of(properties),
    )
