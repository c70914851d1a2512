"""PyTorch Lightning: the console progress bar (tqdm or rich) and CSVLogger's metrics.csv.

The tqdm bar redraws with ``\\r`` twice per batch; its postfix holds what was
logged with ``prog_bar=True`` (``loss=0.693, v_num=0, train_loss_step=0.69``).
Epochs are 0-based and only the ``Epoch N`` bar carries training values.
``metrics.csv`` is sparse: a row holds only the keys logged at that step, and
an empty cell is "not logged", never NaN. Lightning rewrites the header when
new keys appear, so a header row may come again.
"""

from __future__ import annotations

import csv
import math
import re

from nanlog.formats.base import COLON_PAIR, EQUALS_PAIR, LineCounter, LogFormat, Parser, pairs
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder
from nanlog.names import canonical_name
from nanlog.numbers import to_float

_TQDM = re.compile(
    r"(?<![\w])Epoch (?P<ep>\d{1,9}):\s{0,10}\d{1,3}%\|[^|\r\n]{0,400}\|\s{0,10}"
    r"(?P<n>\d{1,12})/(?P<N>\d{1,12}|\?)\s{0,10}(?:\[(?P<info>[^\]\r\n]{0,2000}))?"
)
_RICH = re.compile(
    r"(?<![\w])Epoch (?P<ep>\d{1,9})/(?:-?\d{1,9}|\?)\s{1,10}[━╸─╺ ]{0,400}\s{0,10}"
    r"(?P<n>\d{1,12})/(?P<N>\d{1,12}|\?|--)\s(?P<info>[^\r\n]{0,2000})"
)
_NOT_METRICS = {"v_num"}
_CSV_HEADER = re.compile(r"\A(?:[^\n]*,)?(?:epoch|step)(?:,[^\n]*)?\n")


def _split_row(line: str) -> list[str]:
    if '"' not in line:
        return line.split(",")
    return next(csv.reader([line]), [])


class LightningConsoleParser(Parser):
    def __init__(self, out: SeriesBuilder, pattern: re.Pattern[str], pair: re.Pattern[str]) -> None:
        super().__init__(out)
        self.pattern, self.pair = pattern, pair
        self.epoch: int | None = None
        self.offset = 0
        self.last_n = 0

    def feed(self, chunk: Chunk) -> None:
        lines = LineCounter(chunk)
        out = self.out
        for match in self.pattern.finditer(chunk.text):
            epoch, n = int(match.group("ep")), int(match.group("n"))
            if epoch != self.epoch:
                if self.epoch is not None:
                    self.offset += self.last_n
                self.epoch, self.last_n = epoch, 0
            self.last_n = max(self.last_n, n)
            found = [
                (k, v)
                for k, v in pairs(self.pair, match.group("info") or "")
                if k not in _NOT_METRICS
            ]
            if not found or n == 0:
                continue  # the frame drawn before the first batch holds stale values
            line = lines.at(match.start())
            out.start_group(("lightning", epoch, n))
            for key, value in found:
                phase = "val" if canonical_name(key).startswith("val_") else "train"
                out.add(line, key, value, step=self.offset + n, epoch=epoch, batch=n, phase=phase)


class MetricsCsvParser(Parser):
    """CSVLogger's metrics.csv; the ``step`` column is Lightning's 0-based global step."""

    def __init__(self, out: SeriesBuilder) -> None:
        super().__init__(out)
        self.variant = "metrics_csv"
        self.header: list[str] = []

    def feed(self, chunk: Chunk) -> None:
        out = self.out
        for line_no, raw in enumerate(chunk.text.split("\n"), start=chunk.first_line):
            line = raw.rstrip("\r")
            if not line:
                continue
            cells = _split_row(line)
            if "epoch" in cells or "step" in cells:
                self.header = [c.strip() for c in cells]
                continue
            step = epoch = None
            row: list[tuple[str, float]] = []
            for key, cell in zip(self.header, cells, strict=False):
                if not cell:
                    continue  # not logged at this step
                value = to_float(cell)
                if value is None:
                    continue
                if key == "step":
                    step = int(value) if math.isfinite(value) else None
                elif key == "epoch":
                    epoch = int(value) if math.isfinite(value) else None
                else:
                    row.append((key, value))
            out.start_group()
            for key, value in row:
                phase = "val" if canonical_name(key).startswith("val_") else "train"
                out.add(line_no, key, value, step=step, epoch=epoch, phase=phase)


class LightningFormat(LogFormat):
    id = "lightning"
    title = "PyTorch Lightning console (tqdm or rich progress bar) and CSVLogger metrics.csv"
    samples = (
        (
            "Epoch 3:  45%|████▌     | 45/100 [00:01<00:02, 30.00it/s, loss=0.693, v_num=0, "
            "train_loss_step=0.69]",
            {"loss": 0.69},
        ),
        (
            "Epoch 1: 100%|██████████| 20/20 [00:00<00:00, 95.24it/s, v_num=0, train_loss_step=nan.0, "
            "val_loss=inf.0]",
            {"loss": float("nan"), "val_loss": float("inf")},
        ),
        (
            "Epoch 0/4  ━━━━━━━━━━━━━━━━━━━━ 20/20 0:00:01 • 0:00:00 32.01it/s v_num: 0 "
            "train_loss_step: 0.690",
            {"loss": 0.69},
        ),
        (
            "epoch,lr-Adam,step,train_loss_epoch,train_loss_step,val_loss\n0,0.001,0,,2.3,\n",
            {"lr": 0.001, "loss": 2.3},
        ),
    )

    def sniff(self, head: str) -> float:
        if _CSV_HEADER.match(head.lstrip("\ufeff")):
            return 0.95
        if _TQDM.search(head) or _RICH.search(head):
            return 0.9
        if "lightning" in head.lower() and ("LOCAL_RANK" in head or "GPU available" in head):
            return 0.5
        return 0.0

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        if _CSV_HEADER.match(head.lstrip("\ufeff")):
            return MetricsCsvParser(out)
        if _RICH.search(head) and not _TQDM.search(head):
            parser = LightningConsoleParser(out, _RICH, COLON_PAIR)
            parser.variant = "rich"
            return parser
        return LightningConsoleParser(out, _TQDM, EQUALS_PAIR)
