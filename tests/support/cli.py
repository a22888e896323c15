"""Running the ``trackbridge`` command line in-process against a test's database and data folder."""

from __future__ import annotations

from typer.testing import CliRunner

from trackbridge.config import Settings
from trackbridge.entrypoints.cli.main import build_cli


def run_cli(
    settings: Settings, *args: str, code: int = 0, never_shows: str | None = None, env: dict[str, str] | None = None
) -> str:
    """The output of ``trackbridge <args>`` run with ``settings``' database; asserts its exit code and, when given,
    that ``never_shows`` (a credential) is not in the output."""
    env = {
        **(env or {}),
        "TRACKBRIDGE_DATABASE_URL": settings.resolved_database_url,
        "TRACKBRIDGE_DATA_DIR": str(settings.data_dir),
        "TRACKBRIDGE_SECRET_KEY": "test-server-key-not-for-production",
        "COLUMNS": "200",
    }
    result = CliRunner().invoke(build_cli(), list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, result.output
    if never_shows is not None:
        assert never_shows not in result.output
    return result.output
