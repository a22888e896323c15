"""Known search engines and social networks, recognised by a referrer's host. Pure: the lists are data files.

The lists live in ``domain/data/search_engines.json`` and ``domain/data/social_networks.json``, read once per process
with :mod:`importlib.resources`. Host patterns:

* ``example.com`` matches that host; a leading ``www.`` or ``m.`` on the referrer is ignored;
* ``*.example.com`` matches ``example.com`` and every subdomain of it;
* ``name.*`` matches the name under any country domain: ``google.de``, ``google.co.uk``, ``google.com.au``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

_STRIPPED_PREFIXES = ("www.", "m.")
# Second-level labels under which country domains register names (google.co.uk, google.com.br, yandex.com.tr).
_SECOND_LEVELS = frozenset({"co", "com", "net", "org", "ne", "or", "ac", "gob", "gov", "edu"})


Entry = TypeVar("Entry")


@dataclass(frozen=True, slots=True)
class SearchEngine:
    name: str
    keyword_params: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SocialNetwork:
    name: str


def normalize_host(host: str) -> str:
    """Lower case, no port, no trailing dot, without a leading ``www.`` or ``m.``."""
    host = host.strip().lower().rstrip(".")
    if ":" in host and not host.startswith("["):
        host = host.split(":", 1)[0]
    for prefix in _STRIPPED_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


def _without_country_tld(host: str) -> str | None:
    """``google.co.uk`` → ``google``, ``google.de`` → ``google``; None for a bare label."""
    labels = host.split(".")
    if len(labels) < 2:
        return None
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVELS and len(labels[-1]) == 2:
        return ".".join(labels[:-2])
    return ".".join(labels[:-1])


def _candidates(host: str) -> list[str]:
    """The patterns that could match ``host``, most specific first."""
    found = [host]
    labels = host.split(".")
    found.extend("*." + ".".join(labels[i:]) for i in range(len(labels) - 1))
    base = _without_country_tld(host)
    if base:
        found.append(base + ".*")
        base_labels = base.split(".")
        found.extend("*." + ".".join(base_labels[i:]) + ".*" for i in range(len(base_labels)))
    return found


class HostDirectory(Generic[Entry]):
    """Host patterns → entry, looked up by host (results cached). Built once from a data file."""

    def __init__(self, patterns: dict[str, Entry]) -> None:
        self._patterns = patterns
        self._find_cached = lru_cache(maxsize=4096)(self._find)

    def find(self, host: str | None) -> Entry | None:
        if not host:
            return None
        return self._find_cached(host)

    def _find(self, host: str) -> Entry | None:
        normalized = normalize_host(host)
        for candidate in _candidates(normalized):
            value = self._patterns.get(candidate)
            if value is not None:
                return value
        return None


def _read_data(name: str) -> dict[str, Any]:
    text = resources.files("trackbridge.domain").joinpath("data", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _index(entries: list[dict[str, Any]], build: Callable[[dict[str, Any]], Entry]) -> dict[str, Entry]:
    patterns: dict[str, Entry] = {}
    for entry in entries:
        value = build(entry)
        for pattern in entry["hosts"]:
            key = pattern.strip().lower()
            if key.startswith(_STRIPPED_PREFIXES) and key.count(".") >= 2 and not key.startswith("*."):
                key = normalize_host(key)
            if key in patterns:
                logger.warning("referrer host pattern %s listed twice; keeping the first", key)
                continue
            patterns[key] = value
    return patterns


def _engine(entry: dict[str, Any]) -> SearchEngine:
    return SearchEngine(name=str(entry["name"]), keyword_params=tuple(entry.get("params", ())))


def _network(entry: dict[str, Any]) -> SocialNetwork:
    return SocialNetwork(name=str(entry["name"]))


@cache
def search_engines() -> HostDirectory[SearchEngine]:
    return HostDirectory(_index(_read_data("search_engines.json")["engines"], _engine))


@cache
def social_networks() -> HostDirectory[SocialNetwork]:
    return HostDirectory(_index(_read_data("social_networks.json")["networks"], _network))


def find_search_engine(host: str | None) -> SearchEngine | None:
    return search_engines().find(host)


def find_social_network(host: str | None) -> SocialNetwork | None:
    return social_networks().find(host)


def search_engine_named(name: str | None) -> SearchEngine | None:
    """An engine by a campaign source such as ``google`` or ``bing.com`` (case-insensitive)."""
    if not name:
        return None
    key = name.strip().lower()
    if "." in key:
        return find_search_engine(key)
    return _engines_by_name().get(key)


@cache
def _engines_by_name() -> dict[str, SearchEngine]:
    by_name: dict[str, SearchEngine] = {}
    for entry in _read_data("search_engines.json")["engines"]:
        engine = _engine(entry)
        by_name.setdefault(engine.name.lower().rstrip("!"), engine)
        by_name.setdefault(engine.name.lower().replace(" ", ""), engine)
    return by_name
