"""Ports of enrichment: user agent → device, IP → location. Adapters (adapters/enrichment/) implement them."""

from __future__ import annotations

from typing import Protocol

from trackbridge.domain.enrichment import Device, Location


class DeviceDetector(Protocol):
    def detect(self, user_agent: str | None) -> Device: ...


class GeoLocator(Protocol):
    def locate(self, ip: str | None) -> Location | None: ...
