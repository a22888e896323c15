"""Receiving an upload: the request body streamed to a file, as it arrives, within a size limit.

The file is either the multipart field ``file`` (other small fields, such as ``columns``, are kept as text) or the raw
body. Nothing holds the file in memory: multipart is parsed incrementally with python-multipart's parser.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from trackbridge.domain.errors import InvalidInput, PayloadTooLarge

MAX_FIELD_BYTES = 64 * 1024
FILE_FIELD = "file"


@dataclass
class ReceivedUpload:
    path: Path
    size: int
    filename: str | None
    fields: dict[str, str] = field(default_factory=dict)


class _Sink:
    """Where the bytes go: counted against the limit, written to the file."""

    def __init__(self, target: BinaryIO, limit: int) -> None:
        self.target = target
        self.limit = limit
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise PayloadTooLarge(f"the file is larger than the limit of {self.limit} bytes")
        self.target.write(data)


class _Multipart:
    """Callbacks of python-multipart's parser: the ``file`` part to the sink, other parts into ``fields``."""

    def __init__(self, sink: _Sink) -> None:
        self.sink = sink
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.saw_file = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._value = bytearray()

    def parser(self, boundary: bytes) -> MultipartParser:
        return MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_part,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
            },
        )

    def _part_begin(self) -> None:
        self._headers, self._name, self._value = {}, None, bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", errors="replace")
        if self._name == FILE_FIELD:
            if self.saw_file:
                raise InvalidInput("send one file per upload", FILE_FIELD)
            self.saw_file = True
            raw = options.get(b"filename")
            self.filename = raw.decode("utf-8", errors="replace") if raw else None

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._name == FILE_FIELD:
            self.sink.write(data[start:end])
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise InvalidInput(f"is longer than {MAX_FIELD_BYTES} bytes", self._name)

    def _part_end(self) -> None:
        if self._name and self._name != FILE_FIELD:
            self.fields[self._name] = self._value.decode("utf-8", errors="replace")


async def receive_upload(request: Request, directory: Path, limit: int) -> ReceivedUpload:
    """Streams the body to a new file in ``directory``; the caller owns (and removes) the file."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + MAX_FIELD_BYTES:
        raise PayloadTooLarge(f"the body is {int(declared)} bytes; the limit is {limit} bytes")
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4().hex}.upload"
    try:
        with path.open("wb") as target:
            sink = _Sink(target, limit)
            if content_type == b"multipart/form-data":
                boundary = options.get(b"boundary")
                if not boundary:
                    raise InvalidInput("multipart/form-data needs a boundary", "Content-Type")
                parts = _Multipart(sink)
                parser = parts.parser(boundary)
                try:
                    async for chunk in request.stream():
                        await run_in_threadpool(parser.write, chunk)
                    parser.finalize()
                except MultipartParseError as error:
                    raise InvalidInput(f"the multipart body is malformed: {error}") from None
                if not parts.saw_file:
                    raise InvalidInput("the multipart body has no field named 'file'", FILE_FIELD)
                return ReceivedUpload(path, sink.size, parts.filename, parts.fields)
            async for chunk in request.stream():
                await run_in_threadpool(sink.write, chunk)
            if sink.size == 0:
                raise InvalidInput("the body is empty: send the file as the body or as the multipart field 'file'")
            return ReceivedUpload(path, sink.size, request.headers.get("x-filename"), {})
    except BaseException:
        path.unlink(missing_ok=True)
        raise
