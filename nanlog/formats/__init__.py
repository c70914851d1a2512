"""The registry of log formats, and the reader that lets them share a file.

Registration is an explicit list (fast start-up, no plugin discovery). A file
is read in one of two ways:

* a *file format* that owns the whole file, chosen from its head (Lightning's
  metrics.csv, HF's trainer_state.json, a CSV export);
* otherwise by :class:`MixedParser`: every line format whose literal hints a
  chunk contains reads the pieces it recognises and claims them; what no line
  format claims goes to the generic reader (``plain``). Records are kept in
  line order whoever read them.
"""

from __future__ import annotations

from collections import Counter

from nanlog.errors import NanlogError
from nanlog.formats.base import LogFormat, Parser, Spans
from nanlog.formats.csv_table import CsvFormat
from nanlog.formats.darknet import DarknetFormat
from nanlog.formats.hf_trainer import HFTrainerFormat
from nanlog.formats.keras import KerasFormat
from nanlog.formats.lightning import LightningFormat
from nanlog.formats.plain import PlainFormat
from nanlog.formats.ultralytics import UltralyticsFormat
from nanlog.formats.yolact import YolactFormat
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder

FORMATS: tuple[LogFormat, ...] = (
    KerasFormat(),
    LightningFormat(),
    HFTrainerFormat(),
    YolactFormat(),
    DarknetFormat(),
    UltralyticsFormat(),
    CsvFormat(),
    PlainFormat(),
)
BY_ID: dict[str, LogFormat] = {fmt.id: fmt for fmt in FORMATS}
GENERIC = BY_ID["plain"]
FALLBACK = GENERIC
LINE_FORMATS = tuple(fmt for fmt in FORMATS if fmt.hints)


def get_format(format_id: str) -> LogFormat:
    """The format named by ``--input-format``; an unknown id is the user's error."""
    try:
        return BY_ID[format_id]
    except KeyError:
        raise NanlogError(
            f"unknown input format {format_id!r}; choose one of: {', '.join(BY_ID)}"
        ) from None


def detect(head: str) -> LogFormat:
    """The format that scores ``head`` highest; ties go to the earlier (more specific) one."""
    best, best_score = FALLBACK, 0.0
    for fmt in FORMATS:
        try:
            score = fmt.sniff(head)
        except Exception:  # a sniffer must be total; a bug in one must not stop the others
            score = 0.0
        if score > best_score:
            best, best_score = fmt, score
    return best


def file_format(head: str) -> LogFormat | None:
    """The file format that owns a file with this head, if any."""
    for fmt in FORMATS:
        try:
            if fmt.owns_file(head):
                return fmt
        except Exception:  # an owner check must be total, like a sniffer
            continue
    return None


def make_parser(out: SeriesBuilder, head: str, format_id: str | None = None) -> Parser:
    """The parser for a log: the named format alone, a file format, or the mixed reader."""
    if format_id is not None:
        return _Single(get_format(format_id), out, head)
    owner = file_format(head)
    if owner is not None:
        return _Single(owner, out, head, whole_file=True)
    return MixedParser(out, head)


def reads_lines(parser: Parser) -> bool:
    """Whether the parser reads line by line, so that a long log can be read in samples
    (a JSON document such as trainer_state.json, or a CSV, is read whole)."""
    if isinstance(parser, MixedParser):
        return True
    return isinstance(parser, _Single) and (parser.fmt in LINE_FORMATS or parser.fmt is GENERIC)


class _Single(Parser):
    """One format reads everything (``--input-format``, or a file format)."""

    def __init__(
        self, fmt: LogFormat, out: SeriesBuilder, head: str, whole_file: bool = False
    ) -> None:
        super().__init__(out)
        self.fmt = fmt
        self.whole_file = whole_file
        self.inner = fmt.parser(out, head)
        self.variant = self.inner.variant

    def feed(self, chunk: Chunk) -> Spans | None:
        self.inner.feed(chunk)
        return None

    def finish(self) -> None:
        self.inner.finish()
        self.variant = self.inner.variant

    @property
    def format_id(self) -> str:
        return self.fmt.id

    @property
    def tried(self) -> list[str]:
        return [self.fmt.id]


class MixedParser(Parser):
    """Line formats claim what they recognise; the generic reader reads the rest."""

    def __init__(self, out: SeriesBuilder, head: str) -> None:
        super().__init__(out)
        self.line_parsers = [(fmt, fmt.parser(out, head)) for fmt in LINE_FORMATS]
        self.generic = GENERIC.parser(out, head)
        self.counts: Counter[str] = Counter()
        self._tried: list[str] = []
        self.head = head

    def feed(self, chunk: Chunk) -> None:
        out = self.out
        start = len(out)
        readers = 0
        rest = chunk  # what no format has claimed yet: the first format to claim a piece reads it
        for fmt, parser in self.line_parsers:
            if not any(hint in rest.text for hint in fmt.hints):
                continue
            if fmt.id not in self._tried:
                self._tried.append(fmt.id)
            before = len(out)
            spans = parser.feed(rest)
            if spans:
                rest = Chunk(_blank(rest.text, spans), chunk.first_line)
            if len(out) > before:
                self.counts[fmt.id] += len(out) - before
                readers += 1
        before = len(out)
        self.generic.feed(rest)
        if len(out) > before:
            self.counts[GENERIC.id] += len(out) - before
            readers += 1
        if readers > 1:
            out.sort_since(start)

    def finish(self) -> None:
        for _, parser in self.line_parsers:
            parser.finish()
        self.generic.finish()
        top = self.format_id
        self.variant = next(
            (parser.variant for fmt, parser in self.line_parsers if fmt.id == top), None
        )

    @property
    def format_id(self) -> str:
        """The specific format that read the most values; ``plain`` when only the generic one read.

        A log with a framework's bars and print lines is that framework's log.
        """
        if not self.counts:  # only messages: the head says whose they are
            return detect(self.head).id
        best = max((self.counts[fmt.id] for fmt, _ in self.line_parsers), default=0)
        if not best:
            return GENERIC.id
        return next(fmt.id for fmt, _ in self.line_parsers if self.counts[fmt.id] == best)

    @property
    def tried(self) -> list[str]:
        return [*self._tried, GENERIC.id]


def _blank(text: str, spans: Spans) -> str:
    """The text with claimed spans cut out; each becomes a segment break, newlines are kept."""
    pieces = []
    at = 0
    for start, end in sorted(spans):
        if start < at:
            start = at
        if end <= start:
            continue
        pieces.append(text[at:start])
        pieces.append("\r" + "\n" * text.count("\n", start, end))
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


__all__ = [
    "BY_ID",
    "FORMATS",
    "LogFormat",
    "MixedParser",
    "detect",
    "get_format",
    "make_parser",
    "reads_lines",
]
