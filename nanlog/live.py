"""Live analysis: the same parsers and rules as ``diagnose``, fed as bytes arrive.

A :class:`Monitor` takes raw bytes in any pieces, decodes and cleans them like
:mod:`nanlog.io`, and feeds every complete redraw segment (up to the last
``\\r`` or ``\\n``) to the format's parser at once, so the record that carries
the first NaN is seen as soon as its segment is complete. The format is chosen
as soon as a format recognises the text; the first 64 KiB are kept, and if the
definitive detection on them (the one ``diagnose`` makes) disagrees, they are
parsed again with the right format, so the final report equals ``diagnose``
on the same complete log.
"""

from __future__ import annotations

import codecs
import math
from collections import deque
from dataclasses import dataclass

from nanlog.engine import Report, diagnose_run
from nanlog.envelope import Envelope, find_envelope
from nanlog.formats import file_format, make_parser
from nanlog.formats.base import Parser
from nanlog.io import HEAD_BYTES, MAX_CARRY_CHARS, Chunk, clean, guess_encoding, token_boundary
from nanlog.model import Run, SeriesBuilder
from nanlog.names import canonical_name
from nanlog.parsing import bound_memory, feed_chunk
from nanlog.rules.base import fmt

STOP_METRICS = ("loss", "val_loss", "lr")
GROWTH_WARNING = 100.0  # times the starting loss: an early warning (divergence is 1000x)
SPIKE_WARNING = 10.0  # times the recent median grad norm
OVERFLOW_WARNING = 4  # loss-scaler overflow messages
WINDOW = 1 << 20  # characters of recent text kept to quote a value's line


@dataclass(frozen=True)
class LiveEvent:
    """Something worth a line while the run goes on."""

    kind: str  # "warning", "nonfinite", "divergence"
    message: str
    line: int
    fatal: bool = False  # a non-finite loss / lr: what --stop-on-nan acts on


class Monitor:
    def __init__(self, source: str = "-", input_format: str | None = None) -> None:
        self.source = source
        self.input_format = input_format
        self.series = SeriesBuilder()
        self.run = Run(source=source, format="", series=self.series)
        self.parser: Parser | None = None
        self.reading = ""
        self.raw_head = b""
        self.head_text = ""  # kept until the definitive detection
        self.decided = False
        self.envelope: Envelope | None = None  # found on the head, as diagnose finds it
        self.decoder: codecs.IncrementalDecoder | None = None
        self.carry = ""
        self.line = 1
        self.seen = 0  # records already checked
        self.first_nonfinite: LiveEvent | None = None
        self.warned: set[str] = set()
        self.loss_start: list[float] = []
        self.grad_recent: deque[float] = deque(maxlen=20)
        self.lr_recent: deque[float] = deque(maxlen=4)
        self.last_loss: float | None = None
        self.prefix = ""  # the first 4 KiB of clean text
        self.window = ""  # the recent text, whole lines
        self.window_line = 1
        self.window_end_line = 1  # the line the window's text ends on

    # -- bytes in ---------------------------------------------------------------
    def feed(self, data: bytes) -> list[LiveEvent]:
        if self.decoder is None:
            self.raw_head += data
            if len(self.raw_head) < 4096 and b"\n" not in self.raw_head and data:
                return []  # a first line (or 4 KiB) to guess the encoding from
            self.decoder = codecs.getincrementaldecoder(guess_encoding(self.raw_head))("replace")
            data, self.raw_head = self.raw_head, b""
        text = self.carry + self.decoder.decode(data)
        cut = max(text.rfind("\n"), text.rfind("\r")) + 1
        if cut == 0 and len(text) > MAX_CARRY_CHARS:  # a newline-free flood: bounded, linear
            cut = token_boundary(text)
        self.carry = text[cut:]
        return self._text(text[:cut]) if cut else []

    def restart(self) -> None:
        """The file was truncated or rotated: line numbers start again at the new file's
        first line (they refer to the file as it is now); the records read so far are kept."""
        self.carry = ""
        if self.decoder is not None:
            self.decoder.reset()
        self.line = 1
        self.window, self.window_line, self.window_end_line = "", 1, 1

    def close(self) -> Report:
        """The input ended: parse what is left and return the full diagnosis."""
        if self.decoder is None:
            self.decoder = codecs.getincrementaldecoder(guess_encoding(self.raw_head))("replace")
            tail = self.decoder.decode(self.raw_head, final=True)
        else:
            tail = self.decoder.decode(b"", final=True)
        self._text(self.carry + tail, final=True)
        self.carry = ""
        if self.parser is not None:
            self.parser.finish()
            self.run.variant = self.parser.variant
            self.run.format = self.parser.format_id or self.input_format or "plain"
        self.run.lines = self.line - 1
        self.run.head_hint = self.prefix  # as diagnose's reader keeps it: the first 4 KiB, wrapped
        return diagnose_run(self.run)

    # -- text to records ------------------------------------------------------------
    def _text(self, raw: str, final: bool = False) -> list[LiveEvent]:
        text = clean(raw, self.envelope)
        if len(self.prefix) < 4096:
            self.prefix = (self.prefix + text)[:4096]
        if not text and not final:
            return []
        if not self.decided:
            self.head_text += text
            if self.parser is None:
                # The mixed reader needs no detection: read from the first piece on (re-sniffing
                # a growing head on every read was quadratic in start-up noise).
                self._start(self.head_text)
                return self._parse_chunk(self.head_text, first_line=1)
            if len(self.head_text.encode()) >= HEAD_BYTES or final:
                return self._decide(text)
        return self._parse_chunk(text, first_line=self.line)

    def _start(self, head: str) -> None:
        self.parser = make_parser(self.series, head, self.input_format)
        self.reading = _reading(head, self.input_format)

    def _decide(self, text: str) -> list[LiveEvent]:
        """The definitive choice on the head, as diagnose makes it; re-parse if it differs."""
        self.decided = True
        head = self.head_text
        sniffed = _head_as_read(head)
        self.head_text = ""
        self.envelope = find_envelope(sniffed)
        if self.envelope is not None:  # every line so far is read again without it
            head, sniffed = self.envelope.unwrap(head), self.envelope.unwrap(sniffed)
        elif self.parser is not None and _reading(sniffed, self.input_format) == self.reading:
            return self._parse_chunk(text, first_line=self.line)
        self.series.truncate(0)
        self.run.events.clear()
        self.run.line_texts.clear()
        self.seen = 0
        self._start(sniffed)
        self.line = 1
        return self._parse_chunk(head, first_line=1)

    def _parse_chunk(self, text: str, first_line: int) -> list[LiveEvent]:
        if not text:
            return []
        assert self.parser is not None
        chunk = Chunk(text, first_line)
        self._remember(chunk)
        feed_chunk(self.run, self.parser, chunk, quote=Chunk(self.window, self.window_line))
        self.line = first_line + text.count("\n")
        events = self._check(chunk)
        bound_memory(self.run)  # after the check: every record has been looked at
        self.seen = len(self.series)
        return events

    # -- what to say ----------------------------------------------------------------
    def _remember(self, chunk: Chunk) -> None:
        """Keep the last whole lines of text (at least WINDOW characters) for the report's line text."""
        if self.window and chunk.first_line == self.window_end_line:
            self.window += chunk.text
        else:
            self.window, self.window_line = chunk.text, chunk.first_line
        self.window_end_line = chunk.first_line + chunk.text.count("\n")
        if len(self.window) > 2 * WINDOW:
            cut = self.window.find("\n", len(self.window) - WINDOW) + 1
            if cut == 0:  # \r-only redraws: cut between segments; the window stays bounded
                cut = self.window.find("\r", len(self.window) - WINDOW) + 1
            if cut == 0:
                cut = len(self.window) - WINDOW
            self.window_line += self.window.count("\n", 0, cut)
            self.window = self.window[cut:]

    def _check(self, chunk: Chunk) -> list[LiveEvent]:
        events: list[LiveEvent] = []
        s = self.series
        group_loss_zero = False
        for i in range(self.seen, len(s)):
            name = s.names[s.name_id[i]]
            metric, value, line = canonical_name(name), s.value[i], s.line[i]
            if metric == "loss" and value == 0.0:
                group_loss_zero = True
            if not math.isfinite(value):
                fatal = metric in STOP_METRICS or (metric == "grad_norm" and group_loss_zero)
                # the first non-finite value, and once more the first that calls for a stop
                if self.first_nonfinite is None or (fatal and not self.first_nonfinite.fatal):
                    step = s.step[i]
                    where = f" at step {step}" if step >= 0 else ""
                    message = f"{metric} turned {fmt(value)}{where} (line {line})"
                    self.first_nonfinite = LiveEvent("nonfinite", message, line, fatal)
                    events.append(self.first_nonfinite)
                continue
            events.extend(self._precursors(metric, value, line))
        self.seen = len(s)
        overflows = sum(1 for e in self.run.events if e.kind == "overflow")
        if overflows >= OVERFLOW_WARNING:
            events.extend(
                self._warn(
                    "overflow", f"{overflows} loss-scaler overflow messages", chunk.first_line
                )
            )
        for event in self.run.events:
            if event.kind == "label_out_of_range":
                events.extend(
                    self._warn(
                        "label",
                        f"the framework reports a bad label: {event.text[:100]}",
                        event.line,
                    )
                )
        return events

    def _precursors(self, metric: str, value: float, line: int) -> list[LiveEvent]:
        found: list[LiveEvent] = []
        if metric == "loss":
            if len(self.loss_start) < 5:
                self.loss_start.append(abs(value))
            start = sorted(self.loss_start)[len(self.loss_start) // 2]
            if (
                len(self.loss_start) >= 3
                and start > 0
                and abs(value) >= GROWTH_WARNING * start
                and abs(value) >= 1
            ):
                found += self._warn(
                    "growth",
                    f"loss is {fmt(value)}, {abs(value) / start:.3g}x where it "
                    f"started (line {line}): diverging",
                    line,
                    kind="divergence",
                )
            if (
                self.last_loss
                and value > 10 * abs(self.last_loss)
                and len(self.lr_recent) >= 3
                and all(
                    b > a for a, b in zip(self.lr_recent, list(self.lr_recent)[1:], strict=False)
                )
            ):
                found += self._warn(
                    "lr-rising",
                    f"loss jumped to {fmt(value)} while the learning rate is "
                    f"still rising (line {line})",
                    line,
                )
            self.last_loss = value
        elif metric == "grad_norm":
            if len(self.grad_recent) >= 10:
                median = sorted(self.grad_recent)[len(self.grad_recent) // 2]
                if median > 0 and value >= SPIKE_WARNING * median:
                    found += self._warn(
                        "spike",
                        f"grad norm spiked to {fmt(value)}, {value / median:.3g}x its "
                        f"recent median (line {line})",
                        line,
                    )
            self.grad_recent.append(value)
        elif metric == "lr":
            self.lr_recent.append(value)
        elif metric == "loss_scale" and value <= 1.0:
            found += self._warn(
                "scale", f"the loss scale fell to {fmt(value)} (line {line}): fp16 overflow", line
            )
        return found

    def _warn(
        self, key: str, message: str, line: int, kind: str = "warning", fatal: bool = False
    ) -> list[LiveEvent]:
        if key in self.warned:
            return []
        self.warned.add(key)
        return [LiveEvent(kind, message, line, fatal)]


def _reading(head: str, input_format: str | None) -> str:
    """How a head is read: the named format, the file format that owns it, or mixed."""
    if input_format:
        return input_format
    owner = file_format(head)
    return owner.id if owner is not None else "mixed"


def _head_as_read(head: str) -> str:
    """What diagnose's reader sniffs: the first 64 KiB."""
    return head.encode()[:HEAD_BYTES].decode("utf-8", "ignore")
