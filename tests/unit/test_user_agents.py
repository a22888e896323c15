"""User agent → Device with ua-parser (adapters/enrichment/user_agents.py), on real-world user agent strings."""

from __future__ import annotations

import pytest

from trackbridge.adapters.enrichment.user_agents import UaParserDeviceDetector
from trackbridge.domain.enrichment import Device

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
HEADLESS_CHROMIUM = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36"
)


@pytest.fixture(scope="module")
def detector() -> UaParserDeviceDetector:
    return UaParserDeviceDetector()


@pytest.mark.parametrize(
    ("user_agent", "device_type", "os_name", "browser_name"),
    [
        (WINDOWS_CHROME, "desktop", "Windows", "Chrome"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
            "Safari/605.1.15",
            "desktop",
            "Mac OS X",
            "Safari",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "desktop", "Linux", "Firefox"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
            "Safari/537.36 Edg/131.0.0.0",
            "desktop",
            "Windows",
            "Edge",
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
            "Safari/537.36",
            "desktop",
            "Chrome OS",
            "Chrome",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/18.1 Mobile/15E148 Safari/604.1",
            "smartphone",
            "iOS",
            "Mobile Safari",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
            "Mobile Safari/537.36",
            "smartphone",
            "Android",
            "Chrome Mobile",
        ),
        ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", "smartphone", "Android", None),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 "
            "Mobile/15E148 Safari/604.1",
            "tablet",
            "iOS",
            "Mobile Safari",
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
            "Safari/537.36",
            "tablet",
            "Android",
            "Chrome",
        ),
        (
            "Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/131.1.3 like "
            "Chrome/131.0.6778.135 Safari/537.36",
            "tablet",
            "Android",
            "Amazon Silk",
        ),
        (
            "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)",
            "console",
            None,
            None,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/70.0.3538.102 Safari/537.36 Edge/18.19041",
            "console",
            "Windows",
            "Edge",
        ),
        (
            "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/538.1 (KHTML, like Gecko) Version/6.0 TV "
            "Safari/538.1",
            "tv",
            "Tizen",
            None,
        ),
        (
            "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 "
            "Safari/537.36 WebAppManager",
            "tv",
            "Web0S",
            "Chrome",
        ),
        (
            "Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/130.0.6723.102 Mobile Safari/537.36",
            "tv",
            "Android",
            None,
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-T220) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
            "Mobile Safari/537.36",
            "tablet",
            "Android",
            None,
        ),
        ("curl/8.5.0", "other", None, "curl"),
    ],
)
def test_detects_the_device_type_os_and_browser(
    detector: UaParserDeviceDetector,
    user_agent: str,
    device_type: str,
    os_name: str | None,
    browser_name: str | None,
) -> None:
    device = detector.detect(user_agent)
    assert device.device_type == device_type
    assert device.os_name == os_name
    if browser_name is not None:
        assert device.browser_name == browser_name
    assert not device.is_bot


def test_reports_versions_brand_and_model(detector: UaParserDeviceDetector) -> None:
    device = detector.detect(
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 "
        "Mobile Safari/537.36"
    )
    assert device == Device(
        os_name="Android",
        os_version="14",
        device_type="smartphone",
        browser_name="Chrome Mobile",
        browser_version="131.0.6778",
        device_brand="Samsung",
        device_model="SM-S918B",
        is_bot=False,
    )


def test_generic_brands_are_not_reported(detector: UaParserDeviceDetector) -> None:
    device = detector.detect(
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile "
        "Safari/537.36"
    )
    assert (device.device_brand, device.device_model) == (None, None)


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) "
        "Chrome/116.0.1938.76 Safari/537.36",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "Mozilla/5.0 (compatible; SomeNewCrawler/0.1)",
    ],
)
def test_known_crawlers_are_bots(detector: UaParserDeviceDetector, user_agent: str) -> None:
    device = detector.detect(user_agent)
    assert device.is_bot
    assert device.device_type == "bot"


def test_a_phone_brand_containing_bot_is_not_a_bot(detector: UaParserDeviceDetector) -> None:
    device = detector.detect(
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile "
        "Safari/537.36"
    )
    assert not device.is_bot
    assert device.device_type == "smartphone"


def test_headless_chrome_is_a_visitor_by_default(detector: UaParserDeviceDetector) -> None:
    device = detector.detect(HEADLESS_CHROMIUM)
    assert (device.is_bot, device.device_type, device.browser_name) == (False, "desktop", "HeadlessChrome")


def test_headless_chrome_is_a_bot_when_configured() -> None:
    device = UaParserDeviceDetector(count_headless_as_bot=True).detect(HEADLESS_CHROMIUM)
    assert (device.is_bot, device.device_type) == (True, "bot")


@pytest.mark.parametrize("user_agent", [None, "", "   "])
def test_missing_user_agent_gives_an_unknown_device(detector: UaParserDeviceDetector, user_agent: str | None) -> None:
    assert detector.detect(user_agent) == Device()


def test_gibberish_and_huge_user_agents_do_not_fail(detector: UaParserDeviceDetector) -> None:
    assert detector.detect("\x00\xff nonsense ((( ").device_type == "other"
    assert detector.detect("Mozilla/5.0 " + "A" * 100_000).device_type in {"other", "desktop"}


def test_repeated_user_agents_come_from_the_cache() -> None:
    detector = UaParserDeviceDetector(cache_size=8)
    first = detector.detect(WINDOWS_CHROME)
    second = detector.detect(WINDOWS_CHROME)
    assert first is second
    assert "hits=1" in detector.cache_info()
