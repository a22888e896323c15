"""How CRM rows recognise a person: visitor ids, e-mails, phones, and md5s of e-mails and phones. Pure, no I/O.

Plain values are normalised before hashing (e-mails trimmed and lower-cased, phones to digits with the country code), so
md5(``mail@yandex.ru``) = ``3c56ff8fef0f6c65b36b2d25720fe276`` and md5(``79995551111``) =
``f09f2c3d48f31e2a802944ade2e5aec5``, as Metrica computes them (formats.md §2).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.values import check_visitor_id, normalize_email, normalize_phone

MD5 = re.compile(r"^[0-9a-f]{32}$")
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15  # E.164
IDENTIFIER_FIELDS = ("client_ids", "emails", "phones", "emails_md5", "phones_md5")


@dataclass(frozen=True, slots=True)
class Identifiers:
    """How a customer or a simplified order can be recognised: visitor ids, e-mails, phones, and their md5s."""

    visitor_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    email_md5s: tuple[str, ...] = ()
    phone_md5s: tuple[str, ...] = ()

    def hashes(self) -> dict[str, tuple[str, ...]]:
        """md5s by the field they come from: plain values are hashed, so md5-only data elsewhere matches them."""
        return {
            "emails": tuple(md5_hex(e) for e in self.emails),
            "phones": tuple(md5_hex(p) for p in self.phones),
            "emails_md5": self.email_md5s,
            "phones_md5": self.phone_md5s,
        }


def md5_hex(value: str) -> str:
    return hashlib.md5(value.encode("utf-8"), usedforsecurity=False).hexdigest()


def is_md5(value: str) -> bool:
    return bool(MD5.match(value))


def split_list(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def parse_identifiers(cells: Mapping[str, object]) -> Identifiers:
    visitor_ids = [check_visitor_id(v.lower(), "client_ids") for v in split_list(cells.get("client_ids"))]
    emails: list[str] = []
    email_md5s = [_md5(v, "emails_md5") for v in split_list(cells.get("emails_md5"))]
    for value in split_list(cells.get("emails")):
        lowered = value.lower()
        if is_md5(lowered):  # an md5 where a plain address was expected: keep it as the md5 it is
            email_md5s.append(lowered)
        else:
            emails.append(normalize_email(value, "emails"))
    phones: list[str] = []
    phone_md5s = [_md5(v, "phones_md5") for v in split_list(cells.get("phones_md5"))]
    for value in split_list(cells.get("phones")):
        if is_md5(value.lower()):
            phone_md5s.append(value.lower())
        else:
            phones.append(_phone(value))
    return Identifiers(
        visitor_ids=tuple(dict.fromkeys(visitor_ids)),
        emails=tuple(dict.fromkeys(emails)),
        phones=tuple(dict.fromkeys(phones)),
        email_md5s=tuple(dict.fromkeys(email_md5s)),
        phone_md5s=tuple(dict.fromkeys(phone_md5s)),
    )


def _md5(value: str, field: str) -> str:
    lowered = value.strip().lower()
    if not is_md5(lowered):
        raise InvalidInput(f"{value!r} is not an md5 (32 hexadecimal characters)", field)
    return lowered


def _phone(value: str) -> str:
    digits = normalize_phone(value) or ""
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        raise InvalidInput(f"{value!r} is not a phone number with its country code", "phones")
    return digits
