"""What the worker adds to a new visit: device from the user agent, location from the IP, source from UTM codes and
referrer, lead source and channel through the project's mappings, and the IP anonymised as the settings say."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from trackbridge.domain.channels import classify
from trackbridge.domain.enrichment import Device, Location, Source
from trackbridge.domain.events import Campaign, TrackedEvent
from trackbridge.domain.privacy import anonymize_ip
from trackbridge.domain.sessions import SessionDetails, lead_source, mapped_channel
from trackbridge.services.enrichment import DeviceDetector, GeoLocator
from trackbridge.services.tracking_ports import LookupMappings

log = logging.getLogger(__name__)

_CACHE_LIMIT = 10_000


@dataclass
class Enricher:
    devices: DeviceDetector
    geo: GeoLocator
    anonymize_level: int = 0

    def __post_init__(self) -> None:
        self._devices: dict[str | None, Device] = {}

    def device(self, user_agent: str | None) -> Device:
        found = self._devices.get(user_agent)
        if found is None:
            if len(self._devices) >= _CACHE_LIMIT:
                self._devices.clear()
            found = self._devices[user_agent] = self.devices.detect(user_agent)
        return found

    def source(
        self, entry: TrackedEvent, campaign: Campaign, mappings: LookupMappings
    ) -> tuple[Source, str | None, str | None]:
        """The source of a visit entered with ``entry``, its channel and its lead source."""
        landing_host = urlsplit(entry.url).hostname if entry.url else None
        own_hosts = frozenset({landing_host}) if landing_host else frozenset()
        source = classify(campaign, entry.referrer, entry.url, own_hosts)
        channel = mapped_channel(campaign, mappings, source.channel)
        return source, channel, lead_source(campaign, mappings, source.referrer_name)

    def details(self, entry: TrackedEvent, campaign: Campaign, mappings: LookupMappings, origin: str) -> SessionDetails:
        source, channel, lead = self.source(entry, campaign, mappings)
        return SessionDetails(
            entry_url=entry.url,
            campaign=campaign,
            source=source,
            channel=channel,
            lead_source=lead,
            device=self.device(entry.user_agent),
            location=self._location(entry),
            ip=self._anonymized(entry.ip),
            user_agent=entry.user_agent,
            origin=origin,
        )

    def _location(self, entry: TrackedEvent) -> Location | None:
        override = entry.location
        if override is not None:
            return Location(
                country_code=override.country_code,
                region_code=override.region_code,
                city=override.city,
                latitude=override.latitude,
                longitude=override.longitude,
            )
        try:
            return self.geo.locate(entry.ip)
        except ValueError:
            log.debug("IP not located", extra={"ip": entry.ip})
            return None

    def _anonymized(self, ip: str | None) -> str | None:
        if ip is None or self.anonymize_level <= 0:
            return ip
        return anonymize_ip(ip, self.anonymize_level) or None
