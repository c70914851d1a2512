"""The reading pipeline: a source's bytes to a :class:`~nanlog.model.Run`."""

from __future__ import annotations

import io as _stdio
import math
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from nanlog.errors import NanlogError, NoMetricsError
from nanlog.formats import get_format, make_parser, reads_lines
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
from nanlog.progress import ReadProgress
from nanlog.sampling import Coverage, SampledReader, Settings
from nanlog.tfevents import is_event_file, read_event_file

# Messages that say nothing of a failure on their own: a log holding only these (and no
# metric) is not a training log nanlog can read.
ASIDE_EVENTS = frozenset({"half_precision", "bfloat16", "numpy_warning"})


def parse_source(
    source: Source,
    input_format: str | None = None,
    sampling: Settings | None = None,
    progress: bool = False,
) -> Run:
    """Read one source into a Run; raise NanlogError when it holds no training metrics."""
    fmt = get_format(input_format) if input_format else None
    stream = open_binary(source)
    if source.path is not None and is_event_file(source.path, _peek_head(stream)):
        stream.close()
        return read_event_file(source.path, source.name)
    try:
        return _parse_stream(
            stream, source.name, describe(source), fmt.id if fmt else None, sampling, progress
        )
    finally:
        if not source.is_stdin:
            stream.close()


def _peek_head(stream: BinaryIO) -> bytes:
    peek = getattr(stream, "peek", None)
    try:
        return bytes(peek(64)[:64]) if peek is not None else b""
    except (OSError, ValueError, EOFError):
        return b""


def parse_stream(
    stream: BinaryIO,
    name: str = "-",
    input_format: str | None = None,
    sampling: Settings | None = None,
) -> Run:
    """Read an already open binary stream (the caller closes it)."""
    return _parse_stream(decompressed(stream), name, name, input_format, sampling)


# Read every line: ``nanlog parse`` (an export gives every value) and the comparison tests.
EVERY_LINE = Settings(head_bytes=1 << 62)


def _parse_stream(
    stream: BinaryIO,
    name: str,
    shown: str,
    fmt_id: str | None,
    sampling: Settings | None = None,
    progress: bool = False,
) -> Run:
    if fmt_id:
        get_format(fmt_id)  # an unknown id is the user's error before any reading
    reader = TextReader(stream, shown)
    head = reader.head
    series = SeriesBuilder()
    parser = make_parser(series, head, fmt_id)
    run = Run(
        source=name,
        format="",
        series=series,
        encoding=reader.encoding,
        head_hint=reader.wrapped_head[:4096],
    )
    sampled = None
    size = _size_of(stream)
    if (
        sampling is not EVERY_LINE
        and reader.ascii_compatible
        and reads_lines(parser)
        and not _json_document(head)
    ):
        sampled = SampledReader(reader, size, sampling)
        chunks = sampled.chunks()
    else:
        chunks = reader.chunks()
    shown_progress = ReadProgress(shown, size) if progress else None
    try:
        for chunk in chunks:
            feed_chunk(run, parser, chunk)
            bound_memory(run)
            if shown_progress is not None:
                shown_progress(sampled.coverage.bytes_total if sampled else reader.bytes_read)
    finally:
        if shown_progress is not None:
            shown_progress.close()
    parser.finish()
    if sampled is not None and sampled.coverage.sampled:
        run.warnings.append(_coverage_note(sampled.coverage))
        run.gaps = sampled.gaps
    _finish_run(run, parser, reader, stream, shown, fmt_id)
    return run


def _finish_run(
    run: Run, parser: Parser, reader: TextReader, stream: BinaryIO, shown: str, fmt_id: str | None
) -> None:
    """What a run knows once its input is read: its format, damage, line count."""
    run.format = parser.format_id or fmt_id or "plain"
    damage = damage_of(stream)
    if damage is not None:
        run.warnings.append(
            f"the compressed input is {damage}: everything before the damage was read"
        )
    run.lines = reader.lines_read
    run.variant = parser.variant
    if not run.records and all(event.kind in ASIDE_EVENTS for event in run.events):
        what = "empty input" if reader.bytes_read == 0 else "no training metrics found"
        raise NoMetricsError(f"{what} in {shown}; formats tried: {', '.join(parser.tried)}")


MAX_LINE_TEXTS = 20
# ``nanlog parse`` keeps a log of up to this many bytes whole, so that what a format fills in
# at the end (Hugging Face console steps, from the bar's total and the final epoch) is in
# every row; beyond it, rows are written as they are read and forgotten.
STREAM_AFTER = 64 << 20


def stream_source(
    source: Source,
    input_format: str | None,
    flush: Callable[[Run], None],
    stream_after: int = STREAM_AFTER,
) -> Run:
    """Parse every line of a source; past ``stream_after`` bytes, hand ``flush`` the run after
    each chunk so that it writes (and drops, see SeriesBuilder.drop_head) the final records."""
    fmt = get_format(input_format) if input_format else None
    stream = open_binary(source)
    if source.path is not None and is_event_file(source.path, _peek_head(stream)):
        stream.close()
        run = read_event_file(source.path, source.name)
        flush(run)
        return run
    try:
        reader = TextReader(stream, describe(source))
        head = reader.head
        series = SeriesBuilder()
        parser = make_parser(series, head, fmt.id if fmt else None)
        run = Run(
            source.name, "", series, encoding=reader.encoding, head_hint=reader.wrapped_head[:4096]
        )
        for chunk in reader.chunks():
            feed_chunk(run, parser, chunk)
            if reader.bytes_read > stream_after:
                flush(run)
        parser.finish()
        _finish_run(run, parser, reader, stream, describe(source), fmt.id if fmt else None)
        flush(run)
        return run
    finally:
        if not source.is_stdin:
            stream.close()


def _json_document(head: str) -> bool:
    """A pretty-printed JSON document (its objects span lines), not JSON lines."""
    first = next((line.strip() for line in head.splitlines() if line.strip()), "")
    return first in ("{", "[")


def _size_of(stream: BinaryIO) -> int | None:
    """The size of a regular, uncompressed file; None for pipes and decompressed streams."""
    try:
        info = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError, _stdio.UnsupportedOperation):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _coverage_note(coverage: Coverage) -> str:
    mb = 1 << 20
    return (
        f"a long log ({coverage.bytes_total / mb:.0f} MB): read in one pass, "
        f"{coverage.bytes_parsed / mb:.1f} MB of it parsed (the start, the end, every region "
        "with a NaN/inf or a failure message, and an even sample of the rest); the first "
        "non-finite value is exact"
    )


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


def parse(
    path_or_stream: str | Path | BinaryIO,
    input_format: str | None = None,
    sampling: Settings | None = None,
) -> Run:
    """Public API: parse a log file path (``-`` for stdin) or a binary stream into a Run.

    A long log is read in one pass and parsed where a diagnosis reads it (see
    :mod:`nanlog.sampling`); ``sampling=EVERY_LINE`` parses every line.
    """
    if isinstance(path_or_stream, (str, Path)):
        name = str(path_or_stream)
        source = Source(name, None if name == "-" else Path(name))
        return parse_source(source, input_format, sampling)
    if isinstance(path_or_stream, _stdio.TextIOBase):
        raise NanlogError("nanlog.parse needs a binary stream (open the file with 'rb')")
    return parse_stream(
        path_or_stream, getattr(path_or_stream, "name", "-"), input_format, sampling
    )
