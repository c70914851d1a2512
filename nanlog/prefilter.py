"""Which blocks of a long log are worth parsing: a cheap scan over raw bytes.

A diagnosis reads the first non-finite value, the curve before it, the messages a framework
prints when training fails, and the overall shape of the run. Only the first three need every
line, and they are rare: a block of bytes is flagged when it holds a non-finite token (``nan``,
``inf``, ``Infinity``, ``1.#QNAN`` ..., as a word) or the literal text of a failure message.

A block with a number of 1e8 or more is flagged too (a divergence that never prints NaN),
by the hyperscan scanner only. Otherwise the two scanners give the same flags. With the optional ``hyperscan`` package (``pip install
nanlog[fast]``) one compiled database scans every pattern at once, at memory speed. Without it,
``bytes`` searches (C speed, one pass per word) find candidates, and a regex confirms a
word only in the blocks where a candidate was found. ``NANLOG_PREFILTER=python`` forces the
fallback.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any, Protocol

NONFINITE = 1
EVENT = 2
LARGE = 4  # a number of 1e8 or more (hyperscan only: a regex over every digit is too slow)

# A non-finite token as a word; ``[A-Za-z0-9_]`` is what hyperscan's \b calls a word.
# PaddleOCR pads after (nanxxx), Python's zero-padded formats before (0000nan)
_NONFINITE_WORD = rb"0{0,16}(?:nan|inf|infinity)(?:x{1,3})?"
_WINDOWS_SPELLING = rb"1\.#(?:QNAN|SNAN|IND|INF)"
_CONFIRM = re.compile(
    rb"(?<![A-Za-z0-9_])0{0,16}(?i:nan|inf|infinity)(?:x{1,3})?(?![A-Za-z0-9_])|"
    + _WINDOWS_SPELLING
)
# Candidate spellings for the fallback, each with the words that contain it and do not count
# (``INFO`` is on every line of a Python logging log).
_CANDIDATES: tuple[tuple[bytes, tuple[bytes, ...]], ...] = (
    (b"nan", (b"nano", b"nanlog")),
    (b"NaN", ()),
    (b"NAN", ()),
    (b"inf", (b"info", b"infer")),
    (b"Inf", (b"Info", b"Infer")),
    (b"INF", (b"INFO",)),
    (b"#Q", ()),
    (b"#I", ()),
)
# Literal text that every failure message outside the non-finite words contains, and the
# usual mentions of half precision (the messages' own patterns are in nanlog.formats.base;
# the head is always read in full).
EVENT_WORDS: tuple[bytes, ...] = (
    b"verflow",
    b"OVERFLOW",
    b"loss scale",
    b"cale is small",
    b"scale_after",
    b"TerminateOnNan",
    b"inimum",
    b"iverged",
    b"label value",
    b"out of bounds",
    b"is not in [0",
    b"device-side",
    b"n_classes",
    b"Invalid loss",
    b"not finite",
    b"bad values",
    b"Traceback",
    b"encountered in",
    b"Error: ",
    b"float16",
    b"fp16",
    b"bf16",
    b"16-mixed",
    b"GradScaler",
)


class Scanner(Protocol):
    name: str

    def scan(self, block: bytes) -> int:
        """NONFINITE | EVENT flags of one block."""
        ...


class PythonScanner:
    name = "python"

    def scan(self, block: bytes) -> int:
        flags = NONFINITE if self._nonfinite(block) else 0
        if any(word in block for word in EVENT_WORDS):
            flags |= EVENT
        return flags

    @staticmethod
    def _nonfinite(block: bytes) -> bool:
        for word, benign in _CANDIDATES:
            if word not in block:
                continue
            if benign and block.count(word) <= sum(block.count(b) for b in benign):
                continue  # every occurrence is inside INFO, info, nano ...
            return _CONFIRM.search(block) is not None  # the regex sees every spelling at once
        return False


# 1e8 or more, in exponent form or with nine integer digits and a fraction (not a clock time).
_LARGE_NUMBERS = (
    rb"[0-9][eE]\+?(?:0?[89]|[1-9][0-9])\b",
    rb"(?:^|[^0-9.:])[0-9]{9,}\.[0-9]",
)


class HyperscanScanner:
    name = "hyperscan"

    def __init__(self, hyperscan: Any) -> None:
        patterns = [rb"\b" + _NONFINITE_WORD + rb"\b", _WINDOWS_SPELLING]
        patterns += [re.escape(word) for word in EVENT_WORDS]
        patterns += list(_LARGE_NUMBERS)
        self._flags = [NONFINITE, NONFINITE] + [EVENT] * len(EVENT_WORDS)
        self._flags += [LARGE] * len(_LARGE_NUMBERS)
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        caseless = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH
        self._db.compile(
            expressions=patterns,
            ids=list(range(len(patterns))),
            elements=len(patterns),
            flags=[caseless] + [hyperscan.HS_FLAG_SINGLEMATCH] * (len(patterns) - 1),
        )

    def scan(self, block: bytes) -> int:
        found = [0]

        def on_match(pattern: int, start: int, end: int, flags: int, context: Any) -> None:
            found[0] |= self._flags[pattern]

        self._db.scan(block, match_event_handler=on_match)
        return found[0]


_compiled = threading.local()  # one Hyperscan database per thread: its scratch is not shared


def best_scanner() -> Scanner:
    """Hyperscan when it is installed and usable on this CPU, else the fallback.

    Compiling the database takes about 25 ms, longer than diagnosing a small log, so each
    thread compiles it once (``nanlog scan`` diagnoses thousands of logs in one process).
    """
    if os.environ.get("NANLOG_PREFILTER", "").lower() != "python":
        scanner: Scanner | None = getattr(_compiled, "scanner", None)
        if scanner is not None:
            return scanner
        try:
            import hyperscan

            _compiled.scanner = HyperscanScanner(hyperscan)
            return _compiled.scanner  # type: ignore[no-any-return]
        except Exception:  # not installed, or no SSSE3 on this CPU
            pass
    return PythonScanner()
