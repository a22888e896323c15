"""`trackbridge upload`: seed 003-style files stored from the command line, with counts and the rejected lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from trackbridge.adapters.db.tables import customers, orders
from trackbridge.config import Settings
from trackbridge.entrypoints.cli.main import build_cli

FIXTURES = Path(__file__).parent.parent / "fixtures" / "crm"


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TRACKBRIDGE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TRACKBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TRACKBRIDGE_SECRET_KEY", "cli-test-server-key-0123456789")
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    for command in (["migrate"], ["project", "create", "shop"]):
        result = runner.invoke(build_cli(), command, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return runner


def invoke(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(build_cli(), list(args), catch_exceptions=False)
    return result.exit_code, result.output


def count(settings: Settings, table: object) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        with engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_upload_customers_and_orders_prints_counts_and_rejected_lines(cli: CliRunner, settings: Settings) -> None:
    code, output = invoke(
        cli, "upload", str(FIXTURES / "customers.csv"), "--project", "shop", "--kind", "customers", "--merge", "SAVE"
    )
    assert code == 0, output
    assert "done" in output
    assert "rows stored" in output and "│ 4" in output
    assert "uniq_id: is required" in output and "not-an-email" in output
    code, output = invoke(cli, "upload", str(FIXTURES / "orders.csv"), "--project", "shop", "--kind", "orders")
    assert code == 0 and "only CONTACT" in output
    invoke(cli, "upload", str(FIXTURES / "orders.csv"), "--project", "shop", "--kind", "orders")
    assert count(settings, customers) == 5
    assert count(settings, orders) == 4
    code, output = invoke(
        cli, "upload", str(FIXTURES / "simple_orders.csv"), "--project", "shop", "--kind", "simple_orders"
    )
    assert code == 0 and "needs client_ids, emails, phones or their md5" in output
    assert count(settings, orders) == 8


def test_upload_with_a_column_mapping_and_a_failing_file(cli: CliRunner, settings: Settings, tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("Customer;Mail\nk-1;eva@example.com\n", encoding="utf-8-sig")
    code, output = invoke(
        cli,
        "upload",
        str(mine),
        "--project",
        "shop",
        "--kind",
        "customers",
        "--columns",
        '{"Customer": "uniq_id", "Mail": "emails"}',
    )
    assert code == 0, output
    assert count(settings, customers) == 1
    code, output = invoke(cli, "upload", str(mine), "--project", "shop", "--kind", "customers")
    assert code == 1 and "lacks uniq_id" in output
    code, output = invoke(cli, "upload", str(mine), "--project", "nope", "--kind", "customers")
    assert code == 1
    code, output = invoke(cli, "upload", str(mine), "--project", "shop", "--kind", "contacts")
    assert code == 1 and "kind" in output
