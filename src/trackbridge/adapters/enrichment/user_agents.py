"""User agent → device, OS and browser with ``ua-parser`` (the uap-core regexes, matched by its Rust backend).

ua-parser names the browser, the OS and the device (brand, model) and marks crawlers with the device family
``Spider``; it has no notion of a device *type*, so :func:`device_type` derives Matomo's types (desktop, smartphone,
tablet, console, tv) from the parse and a few well-known tokens. Results are kept in an LRU cache: a site's visitors
share few user agents.

Headless browsers (``HeadlessChrome``, PhantomJS) are real browsers driven by programs: by default they are recorded
like any other visitor (our own end-to-end tests and uptime monitors use them); ``count_headless_as_bot=True`` treats
them as bots.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from ua_parser import OS, BestAvailableResolver, Parser, Result, UserAgent, load_builtins, load_lazy_builtins
from ua_parser import Device as UapDevice

from trackbridge.domain.enrichment import Device

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 10_000
MAX_USER_AGENT_LENGTH = 1_000

# Tokens are matched in the lower-cased user agent with plain substring tests (far faster than one big regex).
# Crawlers ua-parser may miss: generic words in bot names, and a few well-known fetchers without them.
_BOT_TOKENS = (
    "crawl", "spider", "slurp", "facebookexternalhit", "mediapartners", "feedfetcher", "lighthouse", "pagespeed",
    "pingdom", "uptimerobot", "ia_archiver", "bingpreview", "+http://", "+https://", "bot@",
)  # fmt: skip
_BOT_NAME = re.compile(r"[a-z0-9]bot/|\bbot\b")
_HEADLESS_TOKENS = ("headless", "phantomjs")
_TV_TOKENS = (
    "smart-tv", "smarttv", "hbbtv", "web0s", "webos.tv", "netcast", "appletv", "apple tv", "crkey", "bravia",
    "googletv", "android tv", "roku", "viera", "aquos", "philipstv", "vidaa", " tv safari", "; aft",
)  # fmt: skip
_CONSOLE_TOKENS = ("playstation", "xbox", "nintendo", "wii", "psp", "ps vita")
_TABLET_TOKENS = ("tablet", "ipad", "kindle", "silk/", "playbook")
_TABLET_MODEL = re.compile(r"; kf[a-z]{2,}|\bsm-[tpx]\d")
_MOBILE_TOKENS = ("mobi", "iphone", "ipod", "windows phone", "kaios", "blackberry", "opera mini")
_MOBILE_OS = frozenset({"Android", "iOS", "Windows Phone", "KaiOS", "BlackBerry OS", "Firefox OS", "HarmonyOS"})
_DESKTOP_OS = frozenset(
    {"Windows", "Mac OS X", "macOS", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian", "FreeBSD", "OpenBSD"}
    | {"NetBSD", "Solaris", "Mint", "Arch Linux", "Gentoo", "Red Hat", "SUSE", "Kubuntu", "Mandriva", "CentOS"}
)
_GENERIC_BRANDS = frozenset({"Generic", "Generic_Android", "Generic_Android_Tablet", "Generic_Inettv", "Spider"})


def _version(part: UserAgent | OS | None) -> str | None:
    if part is None:
        return None
    pieces = [p for p in (part.major, part.minor, part.patch) if p]
    return ".".join(pieces) or None


def _family(part: UserAgent | OS | None) -> str | None:
    if part is None or not part.family or part.family == "Other":
        return None
    return part.family


def _has_any(text: str, tokens: tuple[str, ...]) -> bool:
    return any(token in text for token in tokens)


def device_type(user_agent: str, result: Result) -> str:
    """Matomo's device type from the parse (the bot type is decided by the caller)."""
    lower = user_agent.lower()
    os_name = _family(result.os)
    brand = result.device.brand if result.device else None
    if _has_any(lower, _CONSOLE_TOKENS):
        return "console"
    if _has_any(lower, _TV_TOKENS) or brand == "Generic_Inettv" or ("tizen" in lower and "tv" in lower):
        return "tv"
    if brand == "Generic_Android_Tablet" or _has_any(lower, _TABLET_TOKENS):
        return "tablet"
    if ("; kf" in lower or "sm-" in lower) and _TABLET_MODEL.search(lower):
        return "tablet"
    if os_name == "Android" and "mobile" not in lower:
        return "tablet"  # Android tablets leave "Mobile" out of the user agent; phones send it.
    if os_name in _MOBILE_OS or _has_any(lower, _MOBILE_TOKENS):
        return "smartphone"
    if os_name in _DESKTOP_OS:
        return "desktop"
    return "other"


def is_bot_agent(user_agent: str, result: Result, *, count_headless_as_bot: bool = False) -> bool:
    """ua-parser's crawlers, user agents with a crawler's words, and headless browsers when they count as bots."""
    if result.device is not None and result.device.family == "Spider":
        return True
    lower = user_agent.lower()
    if _has_any(lower, _BOT_TOKENS) or ("bot" in lower and _BOT_NAME.search(lower)):
        return True
    return count_headless_as_bot and _has_any(lower, _HEADLESS_TOKENS)


def _brand_and_model(device: UapDevice | None) -> tuple[str | None, str | None]:
    if device is None:
        return None, None
    brand = None if device.brand in _GENERIC_BRANDS else device.brand
    model = device.model if brand else None
    return brand, model


def device_from_parse(user_agent: str, result: Result, *, count_headless_as_bot: bool = False) -> Device:
    """Our :class:`Device` from a ua-parser result."""
    is_bot = is_bot_agent(user_agent, result, count_headless_as_bot=count_headless_as_bot)
    brand, model = _brand_and_model(result.device)
    return Device(
        os_name=_family(result.os),
        os_version=_version(result.os),
        device_type="bot" if is_bot else device_type(user_agent, result),
        browser_name=_family(result.user_agent),
        browser_version=_version(result.user_agent),
        device_brand=brand,
        device_model=model,
        is_bot=is_bot,
    )


def _build_parser() -> Parser:
    try:
        matchers = load_lazy_builtins()
    except (ImportError, ModuleNotFoundError):  # pragma: no cover - the builtins ship with ua-parser
        matchers = load_builtins()
    parser = Parser(BestAvailableResolver(matchers))
    logger.info("user agent parser ready (%s)", BestAvailableResolver.__module__)
    return parser


class UaParserDeviceDetector:
    """:class:`~trackbridge.services.enrichment.DeviceDetector` with ua-parser. The regexes load on the first call."""

    def __init__(self, *, count_headless_as_bot: bool = False, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self._count_headless_as_bot = count_headless_as_bot
        self._parser: Parser | None = None
        self._cached = lru_cache(maxsize=cache_size)(self._detect_uncached)

    def detect(self, user_agent: str | None) -> Device:
        text = (user_agent or "").strip()
        if not text:
            return Device()
        return self._cached(text[:MAX_USER_AGENT_LENGTH])

    def cache_info(self) -> str:
        return str(self._cached.cache_info())

    def _detect_uncached(self, user_agent: str) -> Device:
        if self._parser is None:
            self._parser = _build_parser()
        return device_from_parse(
            user_agent, self._parser.parse(user_agent), count_headless_as_bot=self._count_headless_as_bot
        )
