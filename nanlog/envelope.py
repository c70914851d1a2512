"""What wraps every line of a log without being part of what the trainer printed.

A CI job's log comes with the runner's timestamp on each line, a logger's with its record
(time, name, level: ``2024-05-01 12:00:00,123 - mmdet - INFO - ``), ``docker compose logs`` with
the service's name, ``kubectl logs --prefix`` with the pod, Ray with the worker's pid,
``torchrun --tee`` and ``mpirun --tag-output`` with the rank, pdsh with the host; a log
pasted in a thread comes as a Markdown quote, indented as a code block, or with the line
numbers of the editor it was copied from. Formats that read
a line by its columns (a table of numbers under a header, a progress line at the start of a
line) would not recognise such a line.

The envelope is decided once, on the head of the log: a wrapper that starts (nearly) every
line of the head, possibly several stacked (a timestamp, then a rank), then the indentation
every remaining line shares. Every chunk then loses exactly that prefix: a log without one
pays nothing, and a line that lacks it is left as it is.
"""

from __future__ import annotations

import itertools
import re

# A time as loggers print it: ``2024-05-01 12:00:00,123``, ``[2024-05-01 12:00:00]``,
# log4j's ``18/06/02 16:24:14`` and ``09:54:37.023``.
_TIME = (
    r"\[?(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?"
    r"|\d\d/\d\d/\d\d \d\d:\d\d:\d\d|\d\d:\d\d:\d\d[.,]\d{3})\]?"
)
_LEVEL = r"(?<![\w])\[?(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\]?(?![\w])"
# What follows the level: separators, and a logger's name or position only before `` - ``
# (``INFO Epoch: 1`` keeps its ``Epoch:``).
_AFTER_LEVEL = (
    r":?[ \t]{0,8}(?:[-|:][ \t]{0,4})?"
    r"(?:[\w.$<>]{1,120}(?::[\w<>]{1,60}:\d{1,6})?[ \t]{1,4}-[ \t]{1,4})?"
)

# Each wrapper as it starts a line. Only forms a trainer does not print itself: a wrapper
# that could be a trainer's own first column (``epoch |``) would shift that table.
WRAPPERS: tuple[tuple[str, str], ...] = (
    ("CI runner timestamp", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?"),
    # A logging library's record: a time, perhaps a logger's name, its position or thread,
    # then the level (Python's ``%(asctime)s - %(name)s - %(levelname)s - ``, loguru's
    # ``| INFO     | module:function:12 - ``, log4j's ``[main] INFO  o.d.Listener - ``); or
    # the time alone, on lines printed without a level (a table's ``|`` stays).
    (
        "log record",
        _TIME
        + r"(?:[^\n=%\u2501\u2588]{0,80}?"  # not a progress bar's or a metric's characters
        + _LEVEL
        + _AFTER_LEVEL
        + r"|[ \t]-[ \t]|[ \t]?:[ \t]|[ \t])",
    ),
    ("log record", r"(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.<>-]{0,60}:"),  # basicConfig
    (
        "glog record",  # absl and glog: ``I0501 12:00:00.123456 140234 train.py:123] ``
        r"[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}[ \t]{1,8}\d{1,8} [\w./<>-]{1,80}:\d{1,6}\] ?",
    ),
    ("Markdown quote", r"(?:> ?)+"),
    ("docker compose service", r"[A-Za-z0-9][\w.-]*[-_]\d+ +\| ?"),
    ("Ray worker", r"\((?:\w+ )?pid=\d+(?:, ip=[\d.]+)?\) ?"),
    ("kubectl pod", r"\[pod/[^\]\n]+\] ?"),
    ("torchrun rank", r"\[(?:default|rank)\d+\]: ?"),
    # Open MPI's --tag-output (Horovod, ``[1,0]<stdout>:``), as SageMaker runs it too
    # (``[1,mpirank:0,algo-1]<stdout>:``)
    ("MPI rank", r"\[\d{1,4},(?:mpirank:)?\d{1,6}(?:,[\w.-]{1,40})?\]<(?:stdout|stderr)>: ?"),
    ("pdsh host", r"(?:\d{1,3}\.){3}\d{1,3}: "),  # the DeepSpeed launcher over pdsh
)
_COMPILED = tuple((name, re.compile(pattern)) for name, pattern in WRAPPERS)

SHARE = 0.8  # of the head's non-empty lines a wrapper must start
MIN_LINES = 3
HEAD_LINES = 200
MIN_INDENT = 2  # a Keras 2 epoch line starts with one space of its own
_INDENT = re.compile(r"[ \t]*")


class Envelope:
    """The prefix to take off every line, as found on the head."""

    def __init__(self, names: tuple[str, ...], pattern: str) -> None:
        self.names = names
        self._regex = re.compile("^" + pattern, re.MULTILINE)

    def unwrap(self, text: str) -> str:
        return self._regex.sub("", text)


# An editor's or a file viewer's line numbers, copied with the log (``510       Epoch ...``).
_GUTTER_PATTERN = r"[ \t]{0,8}(\d{1,9})(?:[ \t]|(?=\r?$))"
_GUTTER = re.compile(_GUTTER_PATTERN)
_LEADING_VALUE = re.compile(r"[ \t]*[-+]?(?:[.\d]|nan|inf)", re.IGNORECASE)


def _gutter(lines: list[str]) -> list[str] | None:
    """The lines without their numbers when (nearly) every line starts with its own number:
    from one numbered line to the next the number grows by the lines between (a warning
    printed into the paste may lack one). A bare numeric table (``1 0.52``) is told apart:
    some line must hold nothing, or words, after its number. A loop that prints nothing but
    ``1 loss 0.52`` lines, one per epoch, loses its counter; its values are still read."""
    found = [(i, _GUTTER.match(line)) for i, line in enumerate(lines) if line.strip()]
    numbered = [(i, m) for i, m in found if m is not None]
    if len(numbered) < MIN_LINES or len(numbered) < SHARE * len(found):
        return None
    steps = [
        int(m2.group(1)) - int(m1.group(1)) == i2 - i1
        for (i1, m1), (i2, m2) in itertools.pairwise(numbered)
    ]
    if sum(steps) < SHARE * len(steps):
        return None
    ends = {i: m.end() for i, m in numbered}
    if all(_LEADING_VALUE.match(lines[i], end) for i, end in ends.items()):
        return None
    return [line[ends.get(i, 0) :] for i, line in enumerate(lines)]


def find_envelope(head: str) -> Envelope | None:
    """The wrappers (and shared indentation) that start the head's lines, or None."""
    every = head.split("\n")[:HEAD_LINES]
    if len(head) > 0 and not head.endswith("\n") and len(every) > 1:
        every = every[:-1]  # the head may end inside a line
    while every and not every[-1].strip():
        every = every[:-1]
    names: list[str] = []
    parts: list[str] = []
    unnumbered = _gutter(every)
    if unnumbered is not None:
        names.append("line numbers")
        parts.append(f"(?:{_GUTTER_PATTERN})?")
        every = unnumbered
    lines = [line for line in every if line.strip()]
    if len(lines) < MIN_LINES:
        return Envelope(tuple(names), "".join(parts)) if names else None
    for _ in range(len(_COMPILED)):
        for name, regex in _COMPILED:
            if name in names:
                continue
            ends = [m.end() if (m := regex.match(line)) else -1 for line in lines]
            if sum(end > 0 for end in ends) >= SHARE * len(lines):
                names.append(name)
                parts.append(f"(?:{regex.pattern})?")
                lines = [
                    line[end:] if end > 0 else line for line, end in zip(lines, ends, strict=True)
                ]
                break
        else:
            break
    indent = min(_indent_of(line) for line in lines)
    if indent >= MIN_INDENT:
        names.append("indentation")
        parts.append(f"(?:[ \\t]{{{indent}}})?")
    if not names:
        return None
    return Envelope(tuple(names), "".join(parts))


def _indent_of(line: str) -> int:
    match = _INDENT.match(line)
    return match.end() if match else 0
