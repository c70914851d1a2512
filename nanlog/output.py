"""Writers for the parsed series (``nanlog parse``): CSV, JSON and JSON lines, streamed.

In JSON a value is a number, or ``null`` when the log printed NaN/inf, with the spelling in
``nonfinite`` ("nan", "inf", "-inf"): so ``pandas.read_json`` reads a float column, never
the strings JSON would otherwise need (it has no NaN).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import TextIO

from nanlog.model import NO_INT, PHASES, Run, epoch_value
from nanlog.names import canonical_name
from nanlog.numbers import spell
from nanlog.reporters.json import strict

SERIES_COLUMNS = ("line", "step", "epoch", "batch", "phase", "metric", "name", "value")


def _epoch(stored: float) -> int | float | None:
    value = epoch_value(stored)
    if value is None:
        return None
    return int(value) if value.is_integer() else value


def _rows(run: Run, end: int | None = None) -> Iterator[tuple[object, ...]]:
    """One row a record (up to ``end``), generated as written: never held twice."""
    s = run.series
    canon = [canonical_name(n) for n in s.names]
    return (
        (
            s.line[i],
            None if s.step[i] == NO_INT else s.step[i],
            _epoch(s.epoch[i]),
            None if s.batch_at(i) == NO_INT else s.batch_at(i),
            PHASES[s.phase[i]],
            canon[s.name_id[i]],
            s.names[s.name_id[i]],
            s.value[i],
        )
        for i in range(len(s) if end is None else end)
    )


def _csv_cell(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return repr(cell) if math.isfinite(cell) else spell(cell)
    text = str(cell)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


class SeriesExport:
    """Writes a run's records as they become final (``flush``), then the rest (``close``).

    ``nanlog parse`` hands it a run after each chunk of a long log: the rows are written and
    dropped from the run, so memory stays bounded however long the log.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = False
        self.first: dict[str, object] | None = None  # the first non-finite record written

    def flush(self, run: Run) -> None:
        end = min(len(run.series), run.series.group_start)
        if not self.started:
            self._start()
            self.started = True
        self._note_first(run, end)
        self._write(run, end)
        run.series.drop_head(end)

    def close(self, run: Run) -> None:
        if not self.started:
            self._start()
            self.started = True
        self._note_first(run, len(run.series))
        self._write(run, len(run.series))
        self._end(run)

    def _note_first(self, run: Run, end: int) -> None:
        if self.first is not None:
            return
        s = run.series
        for i in range(end):
            if not math.isfinite(s.value[i]):
                name = s.names[s.name_id[i]]
                self.first = {
                    "metric": canonical_name(name),
                    "name": name,
                    "value": spell(s.value[i]),
                    "step": None if s.step[i] == NO_INT else s.step[i],
                    "epoch": epoch_value(s.epoch[i]),
                    "batch": None if s.batch_at(i) == NO_INT else s.batch_at(i),
                    "line": s.line[i],
                }
                return

    def _start(self) -> None:
        return

    def _write(self, run: Run, end: int) -> None: ...

    def _end(self, run: Run) -> None:
        return


class CsvExport(SeriesExport):
    def _start(self) -> None:
        self.out.write(",".join(SERIES_COLUMNS) + "\n")

    def _write(self, run: Run, end: int) -> None:
        batch: list[str] = []
        for row in _rows(run, end):
            batch.append(",".join(_csv_cell(c) for c in row))
            if len(batch) >= 4096:
                self.out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            self.out.write("\n".join(batch) + "\n")

    def _end(self, run: Run) -> None:
        return


class JsonExport(SeriesExport):
    """One JSON document: the series first (streamed), then what is known at the end."""

    def _start(self) -> None:
        self.out.write('{\n "series": [')
        self._rows = 0

    def _write(self, run: Run, end: int) -> None:
        for row in _rows(run, end):
            text = json.dumps(strict(_json_row(row)), ensure_ascii=False, allow_nan=False)
            self.out.write(("\n  " if self._rows == 0 else ",\n  ") + text)
            self._rows += 1

    def _end(self, run: Run) -> None:
        rest = {
            "source": run.source,
            "format": run.format,
            "variant": run.variant,
            "encoding": run.encoding,
            "lines": run.lines,
            "records": run.records,
            "first_nonfinite": self.first,
            "events": [{"line": e.line, "kind": e.kind, "text": e.text} for e in run.events],
        }
        body = json.dumps(strict(rest), ensure_ascii=False, indent=1, allow_nan=False)
        self.out.write("\n ],\n" + body[2:] + "\n")


class JsonLinesExport(SeriesExport):
    """One JSON object a record, one a line: ``pandas.read_json(path, lines=True)``."""

    def _write(self, run: Run, end: int) -> None:
        self.out.writelines(
            json.dumps(strict(_json_row(row)), ensure_ascii=False, allow_nan=False) + "\n"
            for row in _rows(run, end)
        )


EXPORTS: dict[str, type[SeriesExport]] = {
    "csv": CsvExport,
    "json": JsonExport,
    "jsonl": JsonLinesExport,
}


def write_series_csv(run: Run, out: TextIO) -> None:
    CsvExport(out).close(run)


def _json_row(row: tuple[object, ...]) -> dict[str, object]:
    value = row[-1]
    assert isinstance(value, float)
    finite = math.isfinite(value)
    cells = (*row[:-1], value if finite else None)
    return {
        **dict(zip(SERIES_COLUMNS, cells, strict=True)),
        "nonfinite": None if finite else spell(value),
    }


def write_series_json(run: Run, out: TextIO) -> None:
    JsonExport(out).close(run)
