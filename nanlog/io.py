"""From what the user named (file, directory, ``-``) to clean text chunks.

Everything about bytes lives here so that every format sees the same text and
reports the same 1-based line numbers:

* compression is recognised by magic bytes (gzip, bz2, xz);
* bytes are decoded as UTF-8 when they are UTF-8, else with the encoding a
  charset detector names (GBK/GB18030 logs are common), invalid bytes replaced;
* ANSI escapes, backspaces (Keras 2 redraws) and NUL bytes are removed and
  ``\\r\\n`` becomes ``\\n``. A lone ``\\r`` is kept: it separates the redrawn
  frames of a progress bar, which carry per-batch values;
* a prefix that wraps every line (a CI runner's timestamp, a container's name, a Markdown
  quote) is taken off, as found on the head (:mod:`nanlog.envelope`);
* chunks end on a line boundary and know the line number they start at, so a
  format can run its regexes over a whole chunk instead of line by line.

Files are opened read-only and never modified.
"""

from __future__ import annotations

import bz2
import codecs
import io as _io
import lzma
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, BinaryIO, cast

from nanlog.envelope import Envelope, find_envelope
from nanlog.errors import NanlogError
from nanlog.safety import strip_controls

CHUNK_BYTES = 1 << 20
HEAD_BYTES = 1 << 16
# A "line" longer than this without a newline is cut into pieces; the pieces
# keep their line number. It bounds memory for pathological inputs.
MAX_CARRY_CHARS = 8 << 20

LOG_SUFFIXES = {".log", ".txt", ".out", ".err", ".csv", ".json", ".jsonl", ".gz", ".bz2", ".xz"}
_SKIP_NAMES = {"hparams.yaml", "config.json", "tokenizer.json", "vocab.json"}

_CONTROL = re.compile(r"[\x00\x08]+")
# What a web page, a word processor or a Chinese input method puts where a trainer printed
# ASCII: no-break and other wide spaces, curly quotes around a dict's keys, the minus sign,
# full-width punctuation and digits (``损失：nan，``). Each becomes the character it stands for.
_LOOKALIKES = re.compile(
    "[\u00a0\u2000-\u200a\u202f\u205f\u3000\u2018\u2019\u201c\u201d\u2212\uff01-\uff5e]"
)
_ASCII_OF: dict[int, str] = {
    **{c: " " for c in (0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)},
    0x2018: "'",
    0x2019: "'",
    0x201C: '"',
    0x201D: '"',
    0x2212: "-",
    **{c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
}
_CRLF = re.compile(r"\r+\n")

_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"))
COMPRESSED_MAGIC = tuple(magic for magic, _ in _MAGIC)
_LEGACY_OK = {
    "gb18030",
    "gbk",
    "gb2312",
    "big5",
    "big5hkscs",
    "shift_jis",
    "cp932",
    "euc_jp",
    "euc_kr",
    "cp949",
    "cp1252",
    "latin_1",
    "iso8859_1",
    "cp1251",
    "utf_16",
    "utf_16_le",
    "utf_16_be",
}


@dataclass(frozen=True)
class Source:
    """One input as the user named it: a path, or ``-`` for standard input."""

    name: str
    path: Path | None

    @property
    def is_stdin(self) -> bool:
        return self.path is None


@dataclass(frozen=True)
class Chunk:
    """Clean text that ends on a line boundary, with the line number it starts at."""

    text: str
    first_line: int


def resolve_inputs(names: list[str]) -> list[Source]:
    """Expand the user's inputs into sources; a directory gives its log-like files."""
    sources: list[Source] = []
    for name in names:
        if name == "-":
            sources.append(Source("-", None))
            continue
        path = Path(name)
        if path.is_dir():
            found = list_log_files(path)
            if not found:
                raise NanlogError(
                    f"no log files in directory {name} "
                    f"(looked for {', '.join(sorted(LOG_SUFFIXES))} and files without a suffix)"
                )
            sources.extend(Source(str(p), p) for p in found)
        else:
            sources.append(Source(name, path))
    return sources


def list_log_files(directory: Path) -> list[Path]:
    """The log-like files below a directory, in a stable order (see :func:`select_log_files`)."""
    files = [p.relative_to(directory) for p in directory.rglob("*") if p.is_file()]
    return [directory / p for p in select_log_files(files)]


def select_log_files(files: Iterable[PurePath]) -> list[PurePath]:
    """Which of a folder's files (paths relative to it) are logs, in a stable order.

    A Lightning ``version_N`` folder gives its ``metrics.csv`` (its TensorBoard event
    file only when the folder holds nothing else); checkpoints, hyper-parameter files
    and hidden files are passed over. Pure, so a remote folder's listing is judged the same.
    """
    found = []
    event_files = []
    for path in sorted(files):
        if any(part.startswith(".") for part in path.parts):
            continue
        if path.name.startswith("events.out.tfevents"):
            event_files.append(path)
        elif path.name in _SKIP_NAMES:
            continue
        elif path.suffix.lower() in LOG_SUFFIXES or path.suffix == "":
            found.append(path)
    # A run folder (Lightning's version_N) with a metrics.csv or a log is read from those;
    # its event file repeats the same scalars. A folder with only event files is read from them.
    folders_with_logs = {path.parent for path in found}
    found += [path for path in event_files if path.parent not in folders_with_logs]
    return sorted(found)


def open_binary(source: Source) -> BinaryIO:
    """Open a source for reading bytes, decompressing when the magic bytes say so."""
    if source.path is None:
        if sys.stdin is None or sys.stdin.closed:
            raise NanlogError("standard input is closed; name a log file or pipe one in")
        raw: BinaryIO = sys.stdin.buffer
    else:
        try:
            raw = open(source.path, "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:
            raise NanlogError(f"no such file: {source.name}") from None
        except IsADirectoryError:
            raise NanlogError(f"{source.name} is a directory; name the log file in it") from None
        except PermissionError:
            raise NanlogError(
                f"cannot read {source.name}: permission denied (check the file's permissions)"
            ) from None
        except OSError as exc:
            raise NanlogError(f"cannot read {source.name}: {exc.strerror or exc}") from None
    return decompressed(raw)


def decompressed(raw: BinaryIO) -> BinaryIO:
    """The stream itself, or a decompressing view of it when its magic bytes say so.

    A file that begins with the magic bytes but does not decompress (a text log that happens
    to start with ``BZh``) is read as it is.
    """
    if not hasattr(raw, "peek"):
        raw = cast(BinaryIO, _io.BufferedReader(_RawAdapter(raw)))
    head = _peek(raw, 64)
    for magic, kind in _MAGIC:
        if head.startswith(magic) and _decompresses(kind, head):
            return cast(BinaryIO, _io.BufferedReader(_Decompressing(raw, kind), 1 << 16))
    return raw


def _new_decompressor(kind: str) -> Any:
    if kind == "gzip":
        return zlib.decompressobj(wbits=31)
    return bz2.BZ2Decompressor() if kind == "bz2" else lzma.LZMADecompressor()


def _decompresses(kind: str, head: bytes) -> bool:
    """The head is the start of a real compressed stream, not text with the same first bytes."""
    try:
        _new_decompressor(kind).decompress(head)
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
        return False
    return True


class _Decompressing(_io.RawIOBase):
    """Decompresses as it reads, with the decompressor objects of zlib, bz2 and lzma.

    Unlike ``gzip.GzipFile`` they hand out everything decoded so far: a file cut mid-write
    (a killed job) loses nothing before the cut. ``damage`` says what was wrong, if anything:
    the stream was truncated, or trailing bytes were not a further compressed member.
    """

    def __init__(self, raw: BinaryIO, kind: str) -> None:
        self._raw = raw
        self._kind = kind
        self._decompressor = _new_decompressor(kind)
        self._pending = b""
        self._done = False
        self.damage: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            self._pending = self._step()
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _step(self) -> bytes:
        data = self._raw.read(1 << 16)
        try:
            if not data:
                self._done = True
                if not self._decompressor.eof:
                    self.damage = "truncated"
                return b""
            out = bytes(self._decompressor.decompress(data))
            while self._decompressor.eof:
                rest = self._decompressor.unused_data
                if not rest:
                    break
                if not _decompresses(self._kind, rest[:64]):  # not a further member: garbage
                    self.damage = "trailing data after the compressed stream"
                    self._done = True
                    break
                self._decompressor = _new_decompressor(self._kind)
                out += bytes(self._decompressor.decompress(rest))
            return out
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
            self.damage = "corrupt"
            self._done = True
            return b""


def damage_of(stream: BinaryIO) -> str | None:
    """What was wrong with a compressed input (truncated, corrupt, trailing data), if anything."""
    raw = getattr(stream, "raw", None)
    return raw.damage if isinstance(raw, _Decompressing) else None


class _RawAdapter(_io.RawIOBase):
    """Lets any binary stream (BytesIO, a socket file) be buffered, so it can be peeked."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _peek(raw: BinaryIO, size: int) -> bytes:
    peek = getattr(raw, "peek", None)
    if peek is not None:
        try:
            return bytes(peek(size)[:size])
        except (OSError, ValueError):
            return b""
    return b""


def guess_encoding(head: bytes) -> str:
    """UTF-8 when the head is UTF-8 (a few stray bytes allowed), else what a detector says.

    Byte-order marks and the NUL pattern of UTF-16 are checked first: UTF-16 text
    of ASCII is valid UTF-8 with a NUL after every character.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 16:
        odd_nuls, even_nuls = sample[1::2].count(0), sample[0::2].count(0)
        if odd_nuls > 0.4 * len(sample) / 2 and even_nuls < 0.05 * len(sample) / 2:
            return "utf-16-le"
        if even_nuls > 0.4 * len(sample) / 2 and odd_nuls < 0.05 * len(sample) / 2:
            return "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    text = decoder.decode(head, final=False)
    bad = text.count("\ufffd")
    if bad <= 2:
        return "utf-8"
    from charset_normalizer import from_bytes  # imported only for non-UTF-8 input

    best = from_bytes(head).best()
    if best is not None:
        name = codecs.lookup(best.encoding).name.replace("-", "_")
        if name in _LEGACY_OK:
            return name
    return "utf-8"


def clean(text: str, envelope: Envelope | None = None) -> str:
    """Remove what a terminal would not show as text, keeping every ``\\n`` and ``\\r``,
    turn look-alikes of ASCII back into it, and take off the envelope found on the log's
    head (:mod:`nanlog.envelope`).

    NUL and backspace go first, so that ``ESC NUL ]`` cannot become a live sequence once the
    NUL is gone; then every escape sequence and control character (:mod:`nanlog.safety`).
    """
    if "\x00" in text or "\x08" in text:
        text = _CONTROL.sub("", text)
    text = strip_controls(text)
    if "\r\n" in text:
        text = _CRLF.sub("\n", text)
    if not text.isascii() and _LOOKALIKES.search(text):
        text = text.translate(_ASCII_OF)
    if envelope is not None:
        text = envelope.unwrap(text)
    return text


class TextReader:
    """Decoded, cleaned chunks of one source, plus its head for format sniffing."""

    def __init__(self, stream: BinaryIO, name: str, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.name = name
        self._stream = stream
        self._chunk_bytes = chunk_bytes
        self._head_raw = self._read(HEAD_BYTES)
        self.encoding = guess_encoding(self._head_raw)
        self.envelope = find_envelope(clean(self._head_raw.decode(self.encoding, errors="replace")))
        self.lines_read = 0
        self.bytes_read = 0

    @property
    def head(self) -> str:
        """The cleaned text of the first block, for sniffing."""
        return clean(self._head_raw.decode(self.encoding, errors="replace"), self.envelope)

    @property
    def wrapped_head(self) -> str:
        """The first block with its envelope still on: a logger's name in it (``- mmdet -``)
        tells which trainer wrote the log."""
        return clean(self._head_raw.decode(self.encoding, errors="replace"))

    def chunks(self) -> Iterator[Chunk]:
        """Yield clean chunks; each ends on ``\\n`` (the last one may not)."""
        decoder = codecs.getincrementaldecoder(self.encoding)("replace")
        carry = ""
        line = 1
        data = self._head_raw
        while True:
            final = not data
            self.bytes_read += len(data)
            text = carry + decoder.decode(data, final=final)
            if final:
                if text:
                    chunk = clean(text, self.envelope)
                    yield Chunk(chunk, line)
                    line += chunk.count("\n")
                    if not chunk.endswith("\n"):
                        line += 1
                self.lines_read = line - 1
                return
            cut = text.rfind("\n") + 1
            if cut == 0 and len(text) > MAX_CARRY_CHARS:
                cut = token_boundary(text)
            carry = text[cut:]
            if cut:
                chunk = clean(text[:cut], self.envelope)
                yield Chunk(chunk, line)
                line += chunk.count("\n")
            data = self._read(self._chunk_bytes)

    @property
    def ascii_compatible(self) -> bool:
        """Whether a byte ``\\n`` always ends a line: blocks can then be cut and decoded alone."""
        try:
            return "\n".encode(self.encoding) == b"\n" and "utf_16" not in codecs.lookup(
                self.encoding
            ).name.replace("-", "_")
        except LookupError:
            return False

    def raw_blocks(self, block_bytes: int) -> Iterator[tuple[bytes, int]]:
        """Undecoded blocks that end on ``\\n`` (the last may not), with their first line.

        For ASCII-compatible encodings only (see :attr:`ascii_compatible`): a line longer
        than MAX_CARRY_CHARS is cut at a separator, as :meth:`chunks` does.
        """
        buffer = b""
        line = 1
        data = self._head_raw
        while True:
            self.bytes_read += len(data)
            buffer = buffer + data if buffer else data
            if not data:
                if buffer:
                    yield buffer, line
                    line += buffer.count(b"\n") + (0 if buffer.endswith(b"\n") else 1)
                self.lines_read = line - 1
                return
            start = 0  # cut every full block the buffer holds
            while len(buffer) - start >= block_bytes:
                cut = buffer.rfind(b"\n", start, start + block_bytes) + 1
                if cut == 0:  # a line longer than a block: up to its end, or a separator
                    cut = buffer.find(b"\n", start + block_bytes) + 1
                    if cut == 0:
                        if len(buffer) - start <= MAX_CARRY_CHARS:
                            break
                        cut = start + raw_token_boundary(buffer[start:])
                block = buffer[start:cut]
                yield block, line
                line += block.count(b"\n")
                start = cut
            buffer = buffer[start:]
            data = self._read(max(block_bytes, 1 << 16))

    def decode(self, raw: bytes) -> str:
        """The clean text of a raw block."""
        return clean(raw.decode(self.encoding, errors="replace"), self.envelope)

    def _read(self, size: int) -> bytes:
        try:
            return self._stream.read(size)
        except OSError as exc:
            raise NanlogError(f"cannot read {self.name}: {exc.strerror or exc}") from None


_BOUNDARY = re.compile(r"[\s,;|\r]")


def token_boundary(text: str) -> int:
    """Where to cut an over-long line: after its last separator, so no number is split
    (``12345.0`` read as ``12`` and ``345.0``); anywhere only if it has none."""
    for at in range(len(text) - 1, max(-1, len(text) - 4096), -1):
        if _BOUNDARY.match(text, at):
            return at + 1
    return len(text)


_RAW_BOUNDARY = re.compile(rb"[\s,;|\r]")


def raw_token_boundary(data: bytes) -> int:
    """:func:`token_boundary` for undecoded bytes."""
    for at in range(len(data) - 1, max(-1, len(data) - 4096), -1):
        if _RAW_BOUNDARY.match(data, at):
            return at + 1
    return len(data)


def describe(source: Source) -> str:
    """A short human name for messages."""
    return "standard input" if source.is_stdin else os.fspath(source.name)
