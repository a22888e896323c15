"""Channel classification and campaign codes (domain/channels.py, domain/referrers.py)."""

from __future__ import annotations

import pytest

from trackbridge.domain.channels import CHANNELS, campaign_from_url, classify
from trackbridge.domain.events import Campaign
from trackbridge.domain.referrers import find_search_engine, find_social_network, search_engines, social_networks

SHOP = "https://shop.example/"


def test_campaign_from_url_reads_all_six_utm_codes() -> None:
    url = (
        SHOP + "?utm_id=42&utm_source=newsletter&utm_medium=email&utm_campaign=spring&utm_term=plants&utm_content=hero"
    )
    assert campaign_from_url(url) == Campaign("42", "newsletter", "email", "spring", "plants", "hero")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pk_campaign=a&pk_kwd=k", Campaign(name="a", term="k")),
        ("pk_cpn=a&pk_keyword=k", Campaign(name="a", term="k")),
        ("piwik_campaign=a&piwik_kwd=k", Campaign(name="a", term="k")),
        (
            "mtm_campaign=a&mtm_kwd=k&mtm_source=s&mtm_medium=m&mtm_content=c&mtm_cid=7",
            Campaign("7", "s", "m", "a", "k", "c"),
        ),
        ("matomo_campaign=a&matomo_kwd=k", Campaign(name="a", term="k")),
        ("mtm_campaign=a&mtm_keyword=k", Campaign(name="a", term="k")),
        ("pk_campaign=a&pk_source=s&pk_medium=m&pk_content=c&pk_cid=9", Campaign("9", "s", "m", "a", None, "c")),
    ],
)
def test_campaign_from_url_maps_matomo_parameter_names(query: str, expected: Campaign) -> None:
    assert campaign_from_url(f"{SHOP}?{query}") == expected


def test_campaign_from_url_prefers_utm_over_matomo_names() -> None:
    assert campaign_from_url(SHOP + "?mtm_campaign=m&utm_campaign=u").name == "u"


def test_campaign_from_url_reads_codes_after_the_hash_and_ignores_blank_values() -> None:
    assert campaign_from_url(SHOP + "#utm_source=fb&utm_medium=") == Campaign(source="fb")


@pytest.mark.parametrize("url", [None, "", "https://shop.example/p", "not a url", "https://[::1/"])
def test_campaign_from_url_is_empty_without_codes(url: str | None) -> None:
    assert campaign_from_url(url).is_empty()


@pytest.mark.parametrize(
    ("medium", "channel"),
    [
        ("cpc", "paid_search"),
        ("PPC", "paid_search"),
        ("paid_search", "paid_search"),
        ("paidsearch", "paid_search"),
        ("paid", "paid_search"),
        ("email", "email"),
        ("E-Mail", "email"),
        ("newsletter", "email"),
        ("social", "social"),
        ("social-network", "social"),
        ("paid_social", "social"),
        ("sm", "social"),
        ("display", "campaign"),
        ("affiliate", "campaign"),
    ],
)
def test_campaign_medium_decides_the_channel(medium: str, channel: str) -> None:
    source = classify(Campaign(source="x", medium=medium, name="spring", term="kw"), None, SHOP)
    assert (source.referrer_type, source.channel) == ("campaign", channel)
    assert (source.referrer_name, source.referrer_keyword) == ("spring", "kw")


def test_campaign_codes_win_over_a_search_engine_referrer() -> None:
    source = classify(Campaign(source="google", medium="cpc", name="spring"), "https://www.google.com/", SHOP)
    assert (source.referrer_type, source.channel, source.referrer_name) == ("campaign", "paid_search", "spring")
    assert source.referrer_url == "https://www.google.com/"


def test_campaign_without_a_name_is_named_by_its_source() -> None:
    assert classify(Campaign(source="partner-site", medium="banner"), None, SHOP).referrer_name == "partner-site"


def test_organic_medium_from_a_search_engine_source_is_organic_search() -> None:
    assert classify(Campaign(source="bing", medium="organic"), None, SHOP).channel == "organic_search"


def test_campaign_without_medium_uses_the_click_id_or_a_social_source() -> None:
    assert classify(Campaign(name="s"), None, SHOP + "?utm_campaign=s&gclid=abc").channel == "paid_search"
    assert classify(Campaign(source="facebook"), None, SHOP).channel == "social"
    assert classify(Campaign(source="partner"), None, SHOP).channel == "campaign"


def test_gclid_without_codes_is_paid_search_named_by_the_engine() -> None:
    source = classify(Campaign(), "https://www.google.de/", SHOP + "?gclid=Cj0K")
    assert (source.referrer_type, source.channel, source.referrer_name) == ("search", "paid_search", "Google")


def test_msclkid_without_a_referrer_is_paid_search() -> None:
    source = classify(Campaign(), None, SHOP + "?msclkid=1")
    assert (source.referrer_type, source.channel, source.referrer_name) == ("campaign", "paid_search", "Microsoft Ads")


def test_fbclid_is_social() -> None:
    source = classify(Campaign(), "https://l.facebook.com/", SHOP + "?fbclid=IwAR")
    assert (source.referrer_type, source.channel, source.referrer_name) == ("social", "social", "Facebook")


@pytest.mark.parametrize(
    ("referrer", "engine", "keyword"),
    [
        ("https://www.google.com/search?q=blue+shoes", "Google", "blue shoes"),
        ("https://www.google.co.uk/", "Google", None),
        ("https://www.google.com.au/search?q=x", "Google", "x"),
        ("https://google.de/url?q=pflanzen", "Google", "pflanzen"),
        ("android-app://com.google.android.googlequicksearchbox/https/www.google.com", "Google", None),
        ("https://www.bing.com/search?q=plants&form=QBLH", "Bing", "plants"),
        ("https://uk.search.yahoo.com/search?p=ferns", "Yahoo!", "ferns"),
        ("https://duckduckgo.com/", "DuckDuckGo", None),
        ("https://yandex.ru/search/?text=%D1%86%D0%B2%D0%B5%D1%82%D1%8B", "Yandex", "цветы"),
        ("https://www.baidu.com/s?wd=plant", "Baidu", "plant"),
        ("https://www.ecosia.org/search?q=tree", "Ecosia", "tree"),
        ("https://www.qwant.com/?q=q1", "Qwant", "q1"),
        ("https://search.naver.com/search.naver?query=n", "Naver", "n"),
        ("https://search.seznam.cz/?q=s", "Seznam", "s"),
        ("https://www.startpage.com/do/search?query=sp", "Startpage", "sp"),
        ("https://search.brave.com/search?q=b", "Brave Search", "b"),
        ("https://search.aol.com/aol/search?q=a", "AOL", "a"),
        ("https://www.ask.com/web?q=a", "Ask", "a"),
        ("https://www.sogou.com/web?query=s", "Sogou", "s"),
    ],
)
def test_search_engine_referrer_is_organic_search_with_its_keyword(
    referrer: str, engine: str, keyword: str | None
) -> None:
    source = classify(Campaign(), referrer, SHOP)
    assert (source.referrer_type, source.channel) == ("search", "organic_search")
    assert (source.referrer_name, source.referrer_keyword, source.referrer_url) == (engine, keyword, referrer)


@pytest.mark.parametrize(
    ("referrer", "network"),
    [
        ("https://l.facebook.com/l.php?u=x", "Facebook"),
        ("https://m.facebook.com/", "Facebook"),
        ("https://www.instagram.com/", "Instagram"),
        ("https://www.linkedin.com/feed/", "LinkedIn"),
        ("https://lnkd.in/abc", "LinkedIn"),
        ("https://t.co/xyz", "X (Twitter)"),
        ("https://x.com/someone", "X (Twitter)"),
        ("https://www.pinterest.de/pin/1", "Pinterest"),
        ("https://old.reddit.com/r/plants", "Reddit"),
        ("https://www.youtube.com/watch?v=1", "YouTube"),
        ("https://youtu.be/1", "YouTube"),
        ("https://www.tiktok.com/", "TikTok"),
        ("https://vk.com/", "VKontakte"),
        ("https://t.me/channel", "Telegram"),
        ("https://web.whatsapp.com/", "WhatsApp"),
        ("android-app://com.linkedin.android/", "LinkedIn"),
    ],
)
def test_social_network_referrer_is_social(referrer: str, network: str) -> None:
    source = classify(Campaign(), referrer, SHOP)
    assert (source.referrer_type, source.channel, source.referrer_name) == ("social", "social", network)


def test_referrer_on_the_landing_host_is_internal_navigation() -> None:
    source = classify(Campaign(), "https://www.shop.example/category", "https://shop.example/product")
    assert (source.referrer_type, source.channel, source.referrer_url) == ("direct", "direct", None)


def test_referrer_on_one_of_the_own_hosts_is_direct() -> None:
    source = classify(Campaign(), "https://checkout.shop.example/done", SHOP, frozenset({"checkout.shop.example"}))
    assert source.channel == "direct"


def test_other_referrer_is_a_referral_named_by_its_host() -> None:
    source = classify(Campaign(), "https://www.blog.example.org:8443/post?id=1", SHOP)
    assert (source.referrer_type, source.channel, source.referrer_name) == ("website", "referral", "blog.example.org")


@pytest.mark.parametrize(
    "host", ["mail.google.com", "docs.google.com", "googleusercontent.com", "google.com.evil.example"]
)
def test_non_search_google_hosts_are_referrals(host: str) -> None:
    assert classify(Campaign(), f"https://{host}/x", SHOP).channel == "referral"


@pytest.mark.parametrize("referrer", [None, "", "   ", "not a url"])
def test_no_usable_referrer_is_direct(referrer: str | None) -> None:
    source = classify(Campaign(), referrer, SHOP)
    assert (source.referrer_type, source.channel, source.referrer_name) == ("direct", "direct", None)


def test_every_channel_produced_is_a_known_channel() -> None:
    referrers = [None, "https://www.google.com/", "https://t.co/", "https://a.example/"]
    for referrer in referrers:
        assert classify(Campaign(), referrer, SHOP).channel in CHANNELS


def test_data_files_load_and_every_pattern_is_unique(caplog: pytest.LogCaptureFixture) -> None:
    search_engines.__wrapped__()
    social_networks.__wrapped__()
    assert not [r for r in caplog.records if "listed twice" in r.getMessage()]
    assert find_search_engine("www.google.fr") is not None
    assert find_social_network("lnkd.in") is not None
    assert find_search_engine(None) is None
    assert search_engines() is search_engines()  # cached once per process
    assert social_networks() is social_networks()
