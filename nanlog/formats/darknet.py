"""darknet (and AlexeyAB's fork) training lines: the number comes before its name.

``9856: 0.512345, 0.601234 avg loss, 0.001000 rate, 3.2 seconds, 630784 images``:
iteration, this batch's loss, the running average, the learning rate. The
``Region Avg IOU: -nan, ... count: 0`` lines above them are per-layer
statistics, where ``-nan`` only means no object in that batch; they are not read.
"""

from __future__ import annotations

import re

from nanlog.formats.base import LineCounter, LogFormat, Parser, Spans
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder
from nanlog.numbers import VALUE, to_float

_LINE = re.compile(
    r"(?<![\w.])(?P<it>\d{1,12}): (?P<loss>" + VALUE + r"), (?P<avg>" + VALUE + r") avg(?: loss)?, "
    r"(?P<lr>" + VALUE + r") rate"
)


class DarknetParser(Parser):
    def feed(self, chunk: Chunk) -> Spans:
        lines = LineCounter(chunk)
        claimed: Spans = []
        for match in _LINE.finditer(chunk.text):
            names = (("loss", "loss"), ("avg", "avg"), ("lr", "lr"))
            values = []
            for group, name in names:
                value = to_float(match.group(group))
                if value is not None:
                    values.append((name, value, "train"))
            if not values:
                continue
            claimed.append(match.span())
            self.out.start_group()
            self.out.add_values(lines.at(match.start()), values, step=int(match.group("it")))
        return claimed


class DarknetFormat(LogFormat):
    id = "darknet"
    title = "darknet / AlexeyAB darknet lines (N: loss, avg avg loss, lr rate, ...)"
    hints = (" avg",)
    samples = (
        (
            " 9856: 0.512345, 0.601234 avg loss, 0.001000 rate, 3.213 seconds, 630784 images",
            {"loss": 0.512345, "lr": 0.001},
        ),
        (
            " 212: -nan, -nan avg, 0.001000 rate, 2.940000 seconds, 13568 images",
            {"loss": float("nan")},
        ),
    )

    def sniff(self, head: str) -> float:
        return 0.9 if _LINE.search(head) else 0.0

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        return DarknetParser(out)
