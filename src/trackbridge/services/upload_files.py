"""Reading an uploaded file as a stream of rows, never whole: CSV (``,``, ``;`` or tab), a JSON array, or JSON Lines.

UTF-8, with or without a byte-order mark. The format is told by the first character that is not white space: ``[`` a
JSON array (streamed with ijson), ``{`` JSON Lines, anything else CSV (the delimiter told by the header line).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

import ijson  # type: ignore[import-untyped]

from trackbridge.domain.crm_upload import UploadKind, canonical_header, missing_columns
from trackbridge.domain.errors import InvalidInput

BUFFER_BYTES = 256 * 1024
SNIFF_BYTES = 1024
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Row:
    """A record of the file: its line (CSV, JSON Lines) or position (JSON array), its cells by canonical field, or why
    it could not be read as a record at all."""

    line: int
    cells: Mapping[str, object]
    problem: str | None = None


class _CountingReader(io.RawIOBase):
    def __init__(self, source: BinaryIO, on_read: Callable[[int], None]) -> None:
        self._source = source
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self._on_read(size)
        return size


class UploadFile:
    """The rows of one file; ``bytes_read`` follows how far the stream has been read (for progress)."""

    def __init__(self, source: BinaryIO, kind: UploadKind, mapping: Mapping[str, str]) -> None:
        self.kind = kind
        self.mapping = mapping
        self.bytes_read = 0
        self._stream = io.BufferedReader(_CountingReader(source, self._count), buffer_size=BUFFER_BYTES)

    def _count(self, size: int) -> None:
        self.bytes_read += size

    def rows(self) -> Iterator[Row]:
        """Raises InvalidInput when the file cannot be read as a whole (not UTF-8, no required column, broken JSON)."""
        head = self._stream.peek(SNIFF_BYTES)
        if head.startswith(_BOM):
            self._stream.read(len(_BOM))
            head = head[len(_BOM) :]
        first = head.lstrip()[:1]
        try:
            if first == b"[":
                yield from self._json_array()
            elif first == b"{":
                yield from self._json_lines()
            else:
                yield from self._csv(head)
        except UnicodeDecodeError:
            raise InvalidInput("the file is not UTF-8 text", "file") from None

    def _canonical(self, record: Mapping[str, object]) -> dict[str, object]:
        return {canonical_header(str(name), self.mapping): value for name, value in record.items()}

    def _csv(self, head: bytes) -> Iterator[Row]:
        sample = head[:SNIFF_BYTES].decode("utf-8", errors="ignore")
        text = io.TextIOWrapper(self._stream, encoding="utf-8", newline="")
        reader = csv.reader(text, delimiter=_delimiter(sample))
        header = next(reader, None)
        if not header:
            raise InvalidInput("the file is empty: a header line is expected first", "file")
        names = [canonical_header(name, self.mapping) for name in header]
        missing = missing_columns(self.kind, set(names))
        if missing:
            raise InvalidInput(f"the header lacks {', '.join(missing)} (columns found: {', '.join(header)})", "file")
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not cells or cells == [""]:
                continue
            if len(cells) != len(names):
                yield Row(start, {}, f"has {len(cells)} cells where the header has {len(names)}")
                continue
            yield Row(start, dict(zip(names, cells, strict=True)))

    def _json_array(self) -> Iterator[Row]:
        position = 0
        try:
            for item in ijson.items(self._stream, "item"):
                position += 1
                yield self._json_row(position, item)
        except ijson.JSONError as error:
            raise InvalidInput(f"the JSON is malformed after record {position}: {error}", "file") from None

    def _json_lines(self) -> Iterator[Row]:
        text = io.TextIOWrapper(self._stream, encoding="utf-8", newline="")
        for number, raw in enumerate(text, start=1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw, parse_float=Decimal)
            except json.JSONDecodeError as error:
                yield Row(number, {}, f"is not valid JSON: {error.msg}")
                continue
            yield self._json_row(number, item)

    def _json_row(self, line: int, item: object) -> Row:
        if not isinstance(item, dict):
            return Row(line, {}, "is not a JSON object")
        return Row(line, self._canonical(item))


def _delimiter(sample: str) -> str:
    """The delimiter of the header line (``,``, ``;`` or tab). The header alone is looked at: data lines of a
    semicolon-separated file often hold decimal commas (``1234,50``), which would fool a guess over the whole sample."""
    lines = sample.splitlines()
    header = lines[0] if lines else ""
    counts = {delimiter: header.count(delimiter) for delimiter in ",;\t"}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","
