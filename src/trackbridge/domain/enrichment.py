"""What enrichment learns about a visit from its request: the device, and where it came from. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Device:
    """From the user agent. ``device_type`` is one of desktop, smartphone, tablet, console, tv, bot, other."""

    os_name: str | None = None
    os_version: str | None = None
    device_type: str = "other"
    browser_name: str | None = None
    browser_version: str | None = None
    device_brand: str | None = None
    device_model: str | None = None
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Location:
    """From the IP (or an authenticated override). Raw values, whatever the lookup tables hold."""

    country_code: str | None = None
    country_name: str | None = None
    region_code: str | None = None
    region_name: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a visit came from. ``referrer_type`` is Matomo's: direct, search, website, social, campaign.
    ``channel`` is one of direct, organic_search, paid_search, social, email, referral, campaign."""

    referrer_type: str
    channel: str
    referrer_name: str | None = None
    referrer_keyword: str | None = None
    referrer_url: str | None = None
