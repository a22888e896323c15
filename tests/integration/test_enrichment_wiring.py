"""The container builds the enrichment adapters from the settings."""

from __future__ import annotations

from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

from trackbridge.adapters.enrichment.geo import MmdbGeoLocator, NullGeoLocator
from trackbridge.config import Settings
from trackbridge.entrypoints.bootstrap import Container, build_container

HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"
)


def test_container_has_a_device_detector_and_no_geo_without_a_database(container: Container) -> None:
    assert container.device_detector.detect(HEADLESS).is_bot is False
    assert isinstance(container.geo_locator, NullGeoLocator)
    assert container.geo_locator.locate("81.2.69.160") is None


def test_container_follows_the_headless_and_own_database_settings(settings: Settings, tmp_path: Path) -> None:
    own = tmp_path / "own.mmdb"
    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-Country", ipv4_compatible=True)
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "GB", "names": {"en": "United Kingdom"}}})
    writer.to_db_file(str(own))
    built = build_container(settings.model_copy(update={"count_headless_as_bot": True, "geoip_database": own}))
    try:
        assert built.device_detector.detect(HEADLESS).is_bot is True
        assert isinstance(built.geo_locator, MmdbGeoLocator)
        located = built.geo_locator.locate("81.2.69.160")
        assert located is not None
        assert located.country_code == "GB"
    finally:
        built.close()
