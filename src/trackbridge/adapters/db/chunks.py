"""Splitting long id lists for ``IN (...)`` clauses: SQLite accepts at most 32,766 bound parameters a statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

IN_CHUNK = 500
"""Ids per ``IN (...)`` clause: far below SQLite's limit, and short enough for PostgreSQL's planner."""

T = TypeVar("T")


def in_chunks(values: Sequence[T], size: int = IN_CHUNK) -> list[Sequence[T]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
