"""Every line shape of the corpora, stretched, must parse fast (on demand, not in CI).

    python benchmarks/line_shapes.py            # lists shapes slower than 0.3 s; exit 1 if any

A regex that backtracks exponentially hides until a real log stretches the line it chokes
on (a DeepXDE row of bracketed lists once took 48 s for six lines). Each distinct line shape
of ``sample_logs/`` (digits and words folded) is repeated into one long line three ways (as
is, with spaces doubled, ending in a cell no format reads) and parsed with a 5 s alarm.
"""

from __future__ import annotations

import contextlib
import io
import re
import signal
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
SLOW = 0.3


class _TimedOut(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _TimedOut


def shapes() -> list[str]:
    """One line per shape: digits and letters folded, at most 300 characters."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "sample_logs").rglob("*.log")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line[:300]
            key = re.sub(r"[A-Za-z]+", "a", re.sub(r"\d+", "9", line))
            if len(line) > 10:
                found.setdefault(key, line)
    return list(found.values())


def seconds(data: bytes) -> float:
    from nanlog.engine import diagnose_run
    from nanlog.errors import NanlogError
    from nanlog.parsing import parse_stream

    signal.alarm(5)
    start = time.perf_counter()
    try:
        with contextlib.suppress(NanlogError):
            diagnose_run(parse_stream(io.BytesIO(data), "shape"))
        return time.perf_counter() - start
    except _TimedOut:
        return float("inf")
    finally:
        signal.alarm(0)


def main() -> int:
    signal.signal(signal.SIGALRM, _alarm)
    lines = shapes()
    slow = []
    for line in lines:
        for variant in (line * 12 + " x", (line + "  ") * 12 + "[]", line.replace(" ", "    ") * 6):
            took = seconds((variant + "\n").encode())
            if took > SLOW:
                slow.append((took, variant[:120]))
    for took, text in sorted(slow, reverse=True):
        print(f"{took:6.2f} s  {text!r}")
    print(f"{len(lines)} line shapes, 3 stretches each: {len(slow)} slower than {SLOW} s")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
