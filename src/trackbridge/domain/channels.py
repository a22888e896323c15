"""Where a visit came from: campaign codes from a landing URL, and the channel from codes, click ids and referrer. Pure.

Precedence in :func:`classify` (first that applies wins):

1. campaign codes → referrer type ``campaign``; the channel from ``utm_medium`` (paid search, e-mail, social, otherwise
   campaign; ``organic`` from a search engine source is organic search; with no medium a click id or a social-network
   source decides);
2. an ad click id in the landing URL: ``gclid`` / ``msclkid`` / ``gbraid`` / ``wbraid`` → paid search, ``fbclid`` →
   social;
3. a referrer on a known search engine → organic search (type ``search``, with the keyword when the URL still has it);
4. a referrer on a known social network → social;
5. a referrer on the landing page's own host or one of ``own_hosts`` → direct (internal navigation);
6. any other referrer → referral (type ``website``, named by its host);
7. nothing → direct.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from trackbridge.domain.enrichment import Source
from trackbridge.domain.events import Campaign
from trackbridge.domain.referrers import (
    find_search_engine,
    find_social_network,
    normalize_host,
    search_engine_named,
)

DIRECT = "direct"
ORGANIC_SEARCH = "organic_search"
PAID_SEARCH = "paid_search"
SOCIAL = "social"
EMAIL = "email"
REFERRAL = "referral"
CAMPAIGN = "campaign"
CHANNELS = (DIRECT, ORGANIC_SEARCH, PAID_SEARCH, SOCIAL, EMAIL, REFERRAL, CAMPAIGN)

PAID_SEARCH_MEDIUMS = frozenset({"cpc", "ppc", "paidsearch", "paid-search", "paid", "sem"})
EMAIL_MEDIUMS = frozenset({"email", "e-mail", "newsletter", "mail"})
SOCIAL_MEDIUMS = frozenset(
    {"social", "social-network", "social-media", "paid-social", "paidsocial", "sm", "sociallink"}
)
PAID_SEARCH_CLICK_IDS = {
    "gclid": "Google Ads",
    "gbraid": "Google Ads",
    "wbraid": "Google Ads",
    "msclkid": "Microsoft Ads",
}
SOCIAL_CLICK_IDS = {"fbclid": "Facebook"}

# Campaign parameters, first match wins: the UTM names, then Matomo's.
_CAMPAIGN_PARAMS: dict[str, tuple[str, ...]] = {
    "id": ("utm_id", "mtm_cid", "pk_cid"),
    "source": ("utm_source", "mtm_source", "pk_source"),
    "medium": ("utm_medium", "mtm_medium", "pk_medium"),
    "name": ("utm_campaign", "pk_campaign", "pk_cpn", "piwik_campaign", "mtm_campaign", "matomo_campaign"),
    "term": ("utm_term", "pk_kwd", "pk_keyword", "piwik_kwd", "mtm_kwd", "mtm_keyword", "matomo_kwd"),
    "content": ("utm_content", "mtm_content", "pk_content"),
}


def _query_params(url: str | None) -> dict[str, str]:
    """The URL's query parameters (names lower-cased, first value kept, empty values dropped); the fragment too when it
    looks like a query string, since some links put campaign codes after ``#``."""
    if not url or "=" not in url:
        return {}
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return {}
    params: dict[str, str] = {}
    for text in (parts.query, parts.fragment if "=" in parts.fragment else ""):
        for name, value in parse_qsl(text.lstrip("?"), keep_blank_values=False):
            cleaned = value.strip()
            if cleaned:
                params.setdefault(name.strip().lower(), cleaned)
    return params


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return normalize_host(host) if host else None


def campaign_from_url(url: str | None) -> Campaign:
    """The campaign codes in a landing URL: UTM names first, then Matomo's mtm_, pk_, piwik_ and matomo_ names."""
    params = _query_params(url)
    if not params:
        return Campaign()
    values = {
        field: next((params[name] for name in names if name in params), None)
        for field, names in _CAMPAIGN_PARAMS.items()
    }
    return Campaign(**values)


def _medium_key(medium: str | None) -> str:
    return (medium or "").strip().lower().replace("_", "-").replace(" ", "-")


def _campaign_channel(campaign: Campaign, landing_params: dict[str, str]) -> str:
    medium = _medium_key(campaign.medium)
    if medium in PAID_SEARCH_MEDIUMS or medium.replace("-", "") in PAID_SEARCH_MEDIUMS:
        return PAID_SEARCH
    if medium in EMAIL_MEDIUMS:
        return EMAIL
    if medium in SOCIAL_MEDIUMS:
        return SOCIAL
    if medium == "organic" and search_engine_named(campaign.source) is not None:
        return ORGANIC_SEARCH
    if medium:
        return CAMPAIGN
    if any(name in landing_params for name in PAID_SEARCH_CLICK_IDS):
        return PAID_SEARCH
    if any(name in landing_params for name in SOCIAL_CLICK_IDS):
        return SOCIAL
    source = campaign.source
    if source and find_social_network(source if "." in source else f"{source}.com"):
        return SOCIAL
    return CAMPAIGN


def _campaign_source(campaign: Campaign, landing_params: dict[str, str], referrer_url: str | None) -> Source:
    return Source(
        referrer_type="campaign",
        channel=_campaign_channel(campaign, landing_params),
        referrer_name=campaign.name or campaign.source,
        referrer_keyword=campaign.term,
        referrer_url=referrer_url,
    )


def _click_id_source(
    landing_params: dict[str, str], referrer_url: str | None, referrer_host: str | None
) -> Source | None:
    for ids, channel in ((PAID_SEARCH_CLICK_IDS, PAID_SEARCH), (SOCIAL_CLICK_IDS, SOCIAL)):
        network = next((label for name, label in ids.items() if name in landing_params), None)
        if network is None:
            continue
        if channel == PAID_SEARCH:
            engine = find_search_engine(referrer_host)
            if engine is not None:
                keyword = _keyword(referrer_url, engine.keyword_params)
                return Source("search", PAID_SEARCH, engine.name, keyword, referrer_url)
            return Source("campaign", PAID_SEARCH, network, None, referrer_url)
        social = find_social_network(referrer_host)
        return Source("social", SOCIAL, social.name if social else network, None, referrer_url)
    return None


def _keyword(referrer_url: str | None, param_names: tuple[str, ...]) -> str | None:
    params = _query_params(referrer_url)
    return next((params[name] for name in param_names if name in params), None)


def classify(
    campaign: Campaign,
    referrer_url: str | None,
    landing_url: str | None,
    own_hosts: frozenset[str] = frozenset(),
) -> Source:
    """The visit's referrer type, channel, name and keyword; see the module docstring for the rules."""
    referrer_url = (referrer_url or "").strip() or None
    landing_params = _query_params(landing_url)
    if not campaign.is_empty():
        return _campaign_source(campaign, landing_params, referrer_url)
    referrer_host = _host(referrer_url)
    by_click_id = _click_id_source(landing_params, referrer_url, referrer_host)
    if by_click_id is not None:
        return by_click_id
    if referrer_host is None:
        return Source(referrer_type="direct", channel=DIRECT)
    engine = find_search_engine(referrer_host)
    if engine is not None:
        keyword = _keyword(referrer_url, engine.keyword_params)
        return Source("search", ORGANIC_SEARCH, engine.name, keyword, referrer_url)
    network = find_social_network(referrer_host)
    if network is not None:
        return Source("social", SOCIAL, network.name, None, referrer_url)
    landing_host = _host(landing_url)
    own = {normalize_host(h) for h in own_hosts}
    if referrer_host == landing_host or referrer_host in own:
        return Source(referrer_type="direct", channel=DIRECT)
    return Source("website", REFERRAL, referrer_host, None, referrer_url)
