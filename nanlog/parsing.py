"""The reading pipeline: a source's bytes to a :class:`~nanlog.model.Run`."""

from __future__ import annotations

import io as _stdio
from pathlib import Path
from typing import BinaryIO

from nanlog.errors import NanlogError, NoMetricsError
from nanlog.formats import FORMATS, detect, get_format
from nanlog.formats.base import scan_events
from nanlog.io import Source, TextReader, decompressed, describe, open_binary
from nanlog.model import Run, SeriesBuilder


def parse_source(source: Source, input_format: str | None = None) -> Run:
    """Read one source into a Run; raise NanlogError when it holds no training metrics."""
    fmt = get_format(input_format) if input_format else None
    stream = open_binary(source)
    try:
        return _parse_stream(stream, source.name, describe(source), fmt_id=fmt.id if fmt else None)
    finally:
        if not source.is_stdin:
            stream.close()


def parse_stream(stream: BinaryIO, name: str = "-", input_format: str | None = None) -> Run:
    """Read an already open binary stream (the caller closes it)."""
    return _parse_stream(decompressed(stream), name, name, fmt_id=input_format)


def _parse_stream(stream: BinaryIO, name: str, shown: str, fmt_id: str | None) -> Run:
    reader = TextReader(stream, shown)
    head = reader.head
    fmt = get_format(fmt_id) if fmt_id else detect(head)
    series = SeriesBuilder()
    parser = fmt.parser(series, head)
    run = Run(source=name, format=fmt.id, series=series, encoding=reader.encoding)
    for chunk in reader.chunks():
        parser.feed(chunk)
        scan_events(chunk, run.events)
    parser.finish()
    run.lines = reader.lines_read
    run.variant = parser.variant
    if not run.records and not run.events:
        tried = fmt.id if fmt_id else ", ".join(f.id for f in FORMATS)
        what = "empty input" if reader.bytes_read == 0 else "no training metrics found"
        raise NoMetricsError(f"{what} in {shown}; formats tried: {tried}")
    return run


def parse(path_or_stream: str | Path | BinaryIO, input_format: str | None = None) -> Run:
    """Public API: parse a log file path (``-`` for stdin) or a binary stream into a Run."""
    if isinstance(path_or_stream, (str, Path)):
        name = str(path_or_stream)
        return parse_source(Source(name, None if name == "-" else Path(name)), input_format)
    if isinstance(path_or_stream, _stdio.TextIOBase):
        raise NanlogError("nanlog.parse needs a binary stream (open the file with 'rb')")
    return parse_stream(path_or_stream, getattr(path_or_stream, "name", "-"), input_format)
