"""yolact's training lines: ``[  0]    1050 || B: 3.113 | C: 1.950 | M: 4.271 | S: 0.798 | T: 10.132 || ETA: ...``.

``[epoch] iteration``, then one letter per loss term and ``T`` for their total;
values are moving averages. When a term turns non-finite, yolact prints
``Warning: Moving average ignored a value of inf`` instead (an event).
"""

from __future__ import annotations

import re

from nanlog.formats.base import LineCounter, LogFormat, Parser, Spans
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder
from nanlog.numbers import END, VALUE, to_float

_LINE = re.compile(
    r"\[\s{0,6}(?P<ep>\d{1,9})\]\s{1,12}(?P<it>\d{1,12}) \|\|(?P<body>[^\r\n]{0,600}?)\|\|"
)
_TERM = re.compile(r"(?<![\w])([A-Z]): (" + VALUE + r")" + END)
# yolact's loss_types (yolact/train.py): the letters it prints and what they stand for.
TERMS = {
    "B": "box_loss",
    "C": "conf_loss",
    "M": "mask_loss",
    "P": "proto_loss",
    "D": "coef_diversity_loss",
    "E": "class_existence_loss",
    "S": "semantic_seg_loss",
    "I": "mask_iou_loss",
    "T": "total_loss",
}


class YolactParser(Parser):
    def feed(self, chunk: Chunk) -> Spans:
        lines = LineCounter(chunk)
        claimed: Spans = []
        for match in _LINE.finditer(chunk.text):
            values = []
            for letter, token in _TERM.findall(match.group("body")):
                value = to_float(token)
                if value is not None and letter in TERMS:
                    values.append((TERMS[letter], value, "train"))
            if not values:
                continue
            claimed.append(match.span())
            self.out.start_group()
            self.out.add_values(
                lines.at(match.start()),
                values,
                step=int(match.group("it")),
                epoch=float(match.group("ep")),
            )
        return claimed


class YolactFormat(LogFormat):
    id = "yolact"
    title = "yolact training lines ([epoch] iteration || B: | C: | M: | S: | T: ||)"
    hints = ("||",)
    samples = (
        (
            "[  0]    1050 || B: 3.113 | C: 1.950 | M: 4.271 | S: 0.798 | T: 10.132 || "
            "ETA: 2 days, 2:22:42 || timer: 1.387",
            {"loss": 10.132, "box_loss": 3.113},
        ),
        (
            "[  3]   31370 || B: nan | C: nan | M: nan | S: nan | T: nan || ETA: 9:01:12 || timer: 0.341",
            {"loss": float("nan")},
        ),
    )

    def sniff(self, head: str) -> float:
        return 0.9 if any(_TERM.search(m.group("body")) for m in _LINE.finditer(head)) else 0.0

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        return YolactParser(out)
