"""CSV files of metrics: exports from W&B, MLflow and TensorBoard, YOLOv5/ultralytics
``results.csv``, timm ``summary.csv``, and any ``header`` + rows file.

Two shapes:

* wide: one column per metric (``epoch,train/box_loss,...,x/lr0``;
  ``"Step","train/loss"``; TensorBoard's ``Wall time,Step,Value``); an empty
  cell is "not logged", never NaN;
* long: one row per value (MLflow's ``key,value,step,timestamp``).

Step and epoch columns place the row; time columns are not metrics. A header
row may come again (Lightning rewrites it when keys appear).
"""

from __future__ import annotations

import csv
import math
import re

from nanlog.formats.base import LogFormat, Parser, Spans, add_row
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder
from nanlog.numbers import to_float

STEP_COLUMNS = frozenset(
    {"step", "global_step", "iteration", "iter", "trainer/global_step", "_step"}
)
EPOCH_COLUMNS = frozenset({"epoch", "epochs"})
_TIME_COLUMN = re.compile(
    r"(?i)^(?:wall[ _]?time|timestamp|time|_runtime|_timestamp|relative|date|datetime|dur)$"
)
_KEY_COLUMNS = frozenset({"key", "metric", "name", "tag"})
_AGGREGATE = re.compile(r"__(?:MIN|MAX|min|max|step)$")  # W&B export helper columns


def split_row(line: str) -> list[str]:
    if '"' not in line:
        return line.split(",")
    try:
        return next(csv.reader([line]), [])
    except csv.Error:  # a broken row (a stray quote, a carriage return inside): split plainly
        return line.replace('"', "").split(",")


def _is_header(cells: list[str]) -> bool:
    """A row of names: no cell reads as a number and at least one has a letter."""
    named = [c for c in cells if c.strip()]
    return bool(named) and all(to_float(c.strip()) is None for c in named)


class CsvParser(Parser):
    """A header row, then rows; ``value_name`` names a lone ``Value`` column (TensorBoard)."""

    def __init__(self, out: SeriesBuilder, value_name: str = "value") -> None:
        super().__init__(out)
        self.variant = "csv"
        self.header: list[str] = []
        self.value_name = value_name

    def feed(self, chunk: Chunk) -> Spans | None:
        for line_no, raw in enumerate(chunk.text.split("\n"), start=chunk.first_line):
            line = raw.rstrip("\r").lstrip("\ufeff")
            if not line.strip():
                continue
            cells = [c.strip() for c in split_row(line)]
            if not self.header or _is_header(cells):
                if _is_header(cells):
                    self.header = [c.strip().strip('"') for c in cells]
                continue
            if _KEY_COLUMNS & {h.lower() for h in self.header}:
                self._long_row(line_no, cells)
            else:
                self._wide_row(line_no, cells)
        return None

    def _wide_row(self, line_no: int, cells: list[str]) -> None:
        step = epoch = None
        row: list[tuple[str, float]] = []
        for key, cell in zip(self.header, cells, strict=False):
            if not cell:
                continue  # not logged at this step
            value = to_float(cell)
            if value is None:
                continue
            lowered = key.lower()
            if lowered in STEP_COLUMNS:
                step = int(value) if math.isfinite(value) and abs(value) < 2**31 else None
            elif lowered in EPOCH_COLUMNS:
                epoch = int(value) if math.isfinite(value) and abs(value) < 2**31 else None
            elif _TIME_COLUMN.match(lowered) or _AGGREGATE.search(key):
                continue
            else:
                row.append((self.value_name if lowered == "value" else key, value))
        self._add(line_no, row, step, epoch)

    def _long_row(self, line_no: int, cells: list[str]) -> None:
        columns = {h.lower(): c for h, c in zip(self.header, cells, strict=False)}
        name = next((columns[k] for k in ("key", "metric", "name", "tag") if k in columns), "")
        value = to_float(columns.get("value", ""))
        if not name or value is None:
            return
        step_value = to_float(columns.get("step", "") or "")
        step = (
            int(step_value)
            if step_value is not None and math.isfinite(step_value) and abs(step_value) < 2**31
            else None
        )
        self._add(line_no, [(name, value)], step, None)

    def _add(
        self, line_no: int, row: list[tuple[str, float]], step: int | None, epoch: int | None
    ) -> None:
        add_row(self.out, line_no, row, step, epoch)


def csv_header(head: str) -> list[str] | None:
    """The header of a CSV file's head: a row of names followed by a row as wide."""
    lines = [line for line in head.lstrip("\ufeff").split("\n")[:3] if line.strip()]
    if len(lines) < 2:
        return None
    first, second = split_row(lines[0].rstrip("\r")), split_row(lines[1].rstrip("\r"))
    if len(first) < 2 or len(first) != len(second) or not _is_header(first):
        return None
    if _is_header(second):
        return None
    return [c.strip().strip('"') for c in first]


class CsvFormat(LogFormat):
    id = "csv"
    title = "CSV metrics: W&B / MLflow / TensorBoard exports, YOLOv5 results.csv, timm summary.csv"
    samples = (
        (
            "Wall time,Step,Value\n1690000000.5,100,0.53\n1690000001.5,200,nan\n",
            {"value": math.nan},
        ),
        ('"Step","train/loss"\n"10","2.31"\n"20","inf"\n', {"loss": math.inf}),
        ("key,value,step,timestamp\ntrain_loss,0.53,100,1690000000\n", {"loss": 0.53}),
        (
            "               epoch,      train/box_loss,              x/lr0\n"
            "                   0,             0.11355,           0.070297\n",
            {"box_loss": 0.11355, "lr": 0.070297},
        ),
    )

    def sniff(self, head: str) -> float:
        return 0.8 if csv_header(head) is not None else 0.0

    def owns_file(self, head: str) -> bool:
        return csv_header(head) is not None

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        return CsvParser(out)
