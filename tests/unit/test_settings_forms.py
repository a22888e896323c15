"""The settings pages' text forms (entrypoints/web/settings_forms.py): mappings written as lines, read back the same."""

from __future__ import annotations

import pytest

from trackbridge.domain.errors import InvalidInput
from trackbridge.domain.order_status import StatusType
from trackbridge.entrypoints.web.settings_forms import lookups_text, parse_lookups, parse_status_mapping, status_text


def test_lookup_lines_read_back_what_was_written() -> None:
    mappings = {("utm_source", "fb"): "Facebook", ("utm_campaign", "spring"): "Spring sale"}
    text = lookups_text(mappings)

    assert parse_lookups(text + "\n\n# ignored\n") == sorted((f, v, t) for (f, v), t in mappings.items())


def test_a_lookup_line_without_three_parts_names_its_line() -> None:
    with pytest.raises(InvalidInput, match="line 2"):
        parse_lookups("utm_source | a | A\nutm_source | b")


def test_status_lines_read_back_and_repeats_are_refused() -> None:
    text = status_text({"awaiting_pickup": StatusType.PAID, "on_layaway": StatusType.IN_PROGRESS})

    assert parse_status_mapping(text) == {"awaiting_pickup": "PAID", "on_layaway": "IN_PROGRESS"}
    with pytest.raises(InvalidInput, match="mapped twice"):
        parse_status_mapping("a = PAID\na = SPAM")
    with pytest.raises(InvalidInput, match="line 1"):
        parse_status_mapping("= PAID")
