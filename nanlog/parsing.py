"""The reading pipeline: a source's bytes to a :class:`~nanlog.model.Run`."""

from __future__ import annotations

import io as _stdio
import math
import re
from pathlib import Path
from typing import BinaryIO

from nanlog.errors import NanlogError, NoMetricsError
from nanlog.formats import get_format, make_parser
from nanlog.formats.base import Parser, scan_events
from nanlog.io import (
    Chunk,
    Source,
    TextReader,
    damage_of,
    decompressed,
    describe,
    open_binary,
)
from nanlog.model import Run, SeriesBuilder
from nanlog.tfevents import is_event_file, read_event_file


def parse_source(source: Source, input_format: str | None = None) -> Run:
    """Read one source into a Run; raise NanlogError when it holds no training metrics."""
    fmt = get_format(input_format) if input_format else None
    stream = open_binary(source)
    if source.path is not None and is_event_file(source.path, _peek_head(stream)):
        stream.close()
        return read_event_file(source.path, source.name)
    try:
        return _parse_stream(stream, source.name, describe(source), fmt_id=fmt.id if fmt else None)
    finally:
        if not source.is_stdin:
            stream.close()


def _peek_head(stream: BinaryIO) -> bytes:
    peek = getattr(stream, "peek", None)
    try:
        return bytes(peek(64)[:64]) if peek is not None else b""
    except (OSError, ValueError, EOFError):
        return b""


def parse_stream(stream: BinaryIO, name: str = "-", input_format: str | None = None) -> Run:
    """Read an already open binary stream (the caller closes it)."""
    return _parse_stream(decompressed(stream), name, name, fmt_id=input_format)


def _parse_stream(stream: BinaryIO, name: str, shown: str, fmt_id: str | None) -> Run:
    if fmt_id:
        get_format(fmt_id)  # an unknown id is the user's error before any reading
    reader = TextReader(stream, shown)
    head = reader.head
    series = SeriesBuilder()
    parser = make_parser(series, head, fmt_id)
    run = Run(
        source=name, format="", series=series, encoding=reader.encoding, head_hint=head[:4096]
    )
    for chunk in reader.chunks():
        feed_chunk(run, parser, chunk)
        bound_memory(run)
    parser.finish()
    run.format = parser.format_id or fmt_id or "plain"
    damage = damage_of(stream)
    if damage is not None:
        run.warnings.append(
            f"the compressed input is {damage}: everything before the damage was read"
        )
    run.lines = reader.lines_read
    run.variant = parser.variant
    if not run.records and not run.events:
        what = "empty input" if reader.bytes_read == 0 else "no training metrics found"
        raise NoMetricsError(f"{what} in {shown}; formats tried: {', '.join(parser.tried)}")
    return run


MAX_LINE_TEXTS = 20


def bound_memory(run: Run) -> None:
    """Between chunks: thin a huge series (see SeriesBuilder.compact) and say so once."""
    first_time = run.series.dropped == 0
    if run.series.compact() and first_time:
        run.warnings.append(
            "a long log: to bound memory, the middle of the series was thinned (the first, the "
            "recent, every non-finite and every huge value kept); counts and the break are exact"
        )


def feed_chunk(run: Run, parser: Parser, chunk: Chunk, quote: Chunk | None = None) -> None:
    """One chunk through the format's parser and the event scan; quote new non-finite lines.

    Shared by diagnose and the live monitor. A group the chunk redraws (a progress bar
    frame replaced) counts as new. ``quote`` is the text lines are quoted from when it is
    more than the chunk (live pieces may begin in the middle of a line).
    """
    series = run.series
    before = min(len(series), series.group_start)
    parser.feed(chunk)
    scan_events(chunk, run.events)
    if len(run.line_texts) < MAX_LINE_TEXTS and len(series) > before:
        keep_nonfinite_lines(run, quote or chunk, before)


_NONFINITE_WORD = re.compile(r"(?i)nan|inf")


def keep_nonfinite_lines(run: Run, chunk: Chunk, start: int) -> None:
    """Keep the text of the lines that print the first non-finite values (for the report)."""
    values = run.series.value
    lines = run.series.line
    for i in range(start, len(values)):
        if math.isfinite(values[i]) or lines[i] in run.line_texts:
            continue
        text = _line_of(chunk, lines[i])
        if text is not None:
            run.line_texts[lines[i]] = text
        if len(run.line_texts) >= MAX_LINE_TEXTS:
            return


def _line_of(chunk: Chunk, line: int) -> str | None:
    """The redraw segment of ``line`` that shows a non-finite word, else the line's end."""
    offset = line - chunk.first_line
    if offset < 0:
        return None
    start = 0
    for _ in range(offset):
        start = chunk.text.find("\n", start) + 1
        if start == 0:
            return None
    end = chunk.text.find("\n", start)
    text = chunk.text[start : end if end != -1 else len(chunk.text)]
    segments = [seg for seg in text.split("\r") if seg.strip()]
    for segment in segments:
        if _NONFINITE_WORD.search(segment):
            return segment.strip()[:400]
    return segments[-1].strip()[:400] if segments else ""


def parse(path_or_stream: str | Path | BinaryIO, input_format: str | None = None) -> Run:
    """Public API: parse a log file path (``-`` for stdin) or a binary stream into a Run."""
    if isinstance(path_or_stream, (str, Path)):
        name = str(path_or_stream)
        return parse_source(Source(name, None if name == "-" else Path(name)), input_format)
    if isinstance(path_or_stream, _stdio.TextIOBase):
        raise NanlogError("nanlog.parse needs a binary stream (open the file with 'rb')")
    return parse_stream(path_or_stream, getattr(path_or_stream, "name", "-"), input_format)
