"""Read a long log in one streaming pass, parsing only what a diagnosis reads.

Parsing costs about a microsecond per value, so a 200 MB log takes tens of seconds in full.
A diagnosis needs much less: the start of the run, every region where a value turns
non-finite or a framework reports a failure (the break, with the curve just before and just
after it), the end, and the shape of the rest. So the log is cut into blocks of raw bytes;
a prefilter (:mod:`nanlog.prefilter`) flags the blocks that hold a non-finite word or a
failure message, and:

* the first ``HEAD_BYTES`` are parsed in full (a short log is parsed in full, always);
* a flagged block is parsed in full, with the ``BEFORE`` blocks before it (held back in a
  small queue until their fate is known) and the ``AFTER`` blocks after it, for the first
  ``MAX_REGIONS`` regions; up to ``MAX_FLAGGED_BYTES`` of blocks with non-finite values
  (the first one always) and as much again of blocks with failure messages or huge numbers;
* of the other blocks, an even sample (about ``SAMPLES`` of them) is parsed at its end, the
  rest give only the last line that names an epoch (so formats that print ``Epoch 3/10``
  once keep counting) and their line count (so line numbers stay exact);
* the last ``BEFORE`` blocks are parsed in full.

Memory is bounded by the queue (``BEFORE + 1`` blocks) whatever the size of the log.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from nanlog.io import Chunk, TextReader
from nanlog.prefilter import NONFINITE, Scanner, best_scanner

BLOCK_BYTES = 64 << 10
HEAD_BYTES = 128 << 10
BEFORE = 2
AFTER = 1
MAX_REGIONS = 8
MAX_FLAGGED_BYTES = 256 << 10
SAMPLES = 128
SAMPLE_BYTES = 2 << 10
CONTEXT_MAX = 4096  # an epoch line longer than this is a progress bar, not a header


@dataclass
class Settings:
    """The knobs above, in one object so that tests can make them small."""

    block_bytes: int = BLOCK_BYTES
    head_bytes: int = HEAD_BYTES
    before: int = BEFORE
    after: int = AFTER
    max_regions: int = MAX_REGIONS
    max_flagged_bytes: int = MAX_FLAGGED_BYTES
    samples: int = SAMPLES
    sample_bytes: int = SAMPLE_BYTES


@dataclass
class _Block:
    raw: bytes
    first_line: int
    flags: int = 0


@dataclass
class Coverage:
    """What the sampled reading parsed, for the report's note."""

    bytes_total: int = 0
    bytes_parsed: int = 0
    blocks_flagged: int = 0
    flagged_skipped: int = 0
    sampled: bool = False
    scanner: str = ""
    regions: list[int] = field(default_factory=list)  # first line of each flagged region


class SampledReader:
    """Yields the chunks a diagnosis parses, in line order, from one pass over the bytes."""

    def __init__(
        self,
        reader: TextReader,
        size_hint: int | None = None,
        settings: Settings | None = None,
        scanner: Scanner | None = None,
    ) -> None:
        self.reader = reader
        self.settings = settings or Settings()
        self.scanner = scanner or best_scanner()
        self.coverage = Coverage(scanner=self.scanner.name)
        body = max(0, (size_hint or 0) - self.settings.head_bytes)
        per_sample = self.settings.block_bytes * max(1, self.settings.samples)
        # A known size spreads the samples evenly; a stream doubles its stride as it goes.
        self._stride = max(1, body // per_sample) if size_hint else 8
        self._stride_known = size_hint is not None
        self._sampled = 0
        self._skipped = 0
        self._flagged: dict[int, int] = {}  # bytes parsed for NONFINITE blocks (key 1), others (0)
        self._after = 0
        self._next_line = 1
        self._last_epoch: bytes | None = None
        self.gaps: list[int] = []  # first line of each piece parsed after text left out

    def chunks(self) -> Iterator[Chunk]:
        for chunk in self._pieces():
            if chunk.first_line != self._next_line:
                self.gaps.append(chunk.first_line)
            self._next_line = chunk.first_line + chunk.text.count("\n")
            yield chunk

    def _pieces(self) -> Iterator[Chunk]:
        s = self.settings
        cov = self.coverage
        pending: deque[_Block] = deque()
        offset = 0
        for raw, first_line in self.reader.raw_blocks(s.block_bytes):
            cov.bytes_total += len(raw)
            start, offset = offset, offset + len(raw)
            if start < s.head_bytes:
                yield self._full(_Block(raw, first_line))
                continue
            block = _Block(raw, first_line, self.scanner.scan(raw))
            if block.flags:
                cov.blocks_flagged += 1
            if block.flags and self._take(block):
                new_region = self._after == 0 and len(cov.regions) < s.max_regions
                if new_region:
                    cov.regions.append(first_line)
                while pending:  # the window before a new region; else the queue is skipped
                    block_before = pending.popleft()
                    if new_region:
                        yield self._full(block_before)
                    else:
                        yield from self._skip(block_before)
                self._after = s.after
                yield self._full(block)
                continue
            if block.flags:
                cov.flagged_skipped += 1
            if self._after:
                self._after -= 1
                yield self._full(block)
                continue
            pending.append(block)
            if len(pending) > s.before:
                yield from self._skip(pending.popleft())
        while pending:  # the end of the run
            yield self._full(pending.popleft())

    def _take(self, block: _Block) -> bool:
        """Whether a flagged block is parsed: non-finite values and the other flags (failure
        messages, huge numbers) each have a budget, and the first non-finite block is always
        parsed (the break is exact)."""
        kind = NONFINITE if block.flags & NONFINITE else 0
        spent = self._flagged.get(kind, 0)
        if spent >= self.settings.max_flagged_bytes and not (kind and not spent):
            return False
        self._flagged[kind] = spent + len(block.raw)
        return True

    def _full(self, block: _Block) -> Chunk:
        self.coverage.bytes_parsed += len(block.raw)
        return Chunk(self.reader.decode(block.raw), block.first_line)

    def _skip(self, block: _Block) -> Iterator[Chunk]:
        """A block left out: its end when the even sample takes it, else its epoch context."""
        self._skipped += 1
        self.coverage.sampled = True
        raw = block.raw
        if self._skipped % self._stride == 0:
            self._sampled += 1
            if not self._stride_known and self._sampled >= self.settings.samples:
                self._stride *= 2
                self._sampled //= 2
            start = _boundary_before(raw, len(raw) - self.settings.sample_bytes)
            piece = raw[start:]
            self.coverage.bytes_parsed += len(piece)
            yield Chunk(self.reader.decode(piece), block.first_line + raw.count(b"\n", 0, start))
            return
        for start, end in _context_spans(raw):
            piece = raw[start:end]
            mark = _EPOCH_NUMBER.search(piece)
            if mark is not None:  # an epoch line: only when the epoch changed
                if mark.group(1) == self._last_epoch:
                    continue
                self._last_epoch = mark.group(1)
            line = block.first_line + raw.count(b"\n", 0, start)
            yield Chunk(self.reader.decode(piece), line)


def _boundary_before(raw: bytes, at: int) -> int:
    """The start of the line (or of the redraw frame, for a long progress-bar line) at ``at``."""
    if at <= 0:
        return 0
    newline = raw.rfind(b"\n", 0, at) + 1
    if at - newline <= 4 * SAMPLE_BYTES:
        return newline
    return raw.rfind(b"\r", 0, at) + 1 or newline


_EPOCH_NUMBER = re.compile(rb"poch\W{0,3}(\d+)")


def _context_spans(raw: bytes) -> list[tuple[int, int]]:
    """What a left-out block tells the parsers that follow: the last short line that names an
    epoch (``Epoch 3/10`` is printed once per epoch) and the last progress-bar frame (its
    ``n/N`` gives the total number of steps)."""
    spans = []
    at = raw.rfind(b"poch")
    if at >= 0:
        start = raw.rfind(b"\n", 0, at) + 1
        end = raw.find(b"\n", at)
        end = len(raw) if end < 0 else end + 1
        if end - start <= CONTEXT_MAX:
            spans.append((start, end))
    at = raw.rfind(b"%|")
    if at >= 0:
        start = max(raw.rfind(b"\n", 0, at), raw.rfind(b"\r", 0, at)) + 1
        stops = [i for i in (raw.find(b"\n", at), raw.find(b"\r", at)) if i >= 0]
        end = min(stops) + 1 if stops else len(raw)
        if end - start <= CONTEXT_MAX and not any(a <= start < b for a, b in spans):
            spans.append((start, end))
    return sorted(spans)
