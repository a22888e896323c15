"""The docs stay complete: every setting is documented, and the README's two commands exist."""

from __future__ import annotations

from pathlib import Path

from trackbridge.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_configuration_md() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    missing = [name for name in Settings.model_fields if f"TRACKBRIDGE_{name.upper()}" not in text]
    assert not missing, f"document these settings in docs/configuration.md: {missing}"


def test_every_setting_has_a_description() -> None:
    undescribed = [name for name, field in Settings.model_fields.items() if not field.description]
    assert not undescribed


def test_readme_names_the_two_commands_and_the_makefile_has_them() -> None:
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for command in ("make run", "make test"):
        assert command in readme
        assert f"\n{command.split()[1]}:" in makefile
