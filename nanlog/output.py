"""Writers for the parsed series (``nanlog parse``): CSV and JSON, streamed."""

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


def _rows(run: Run) -> Iterator[tuple[object, ...]]:
    """One row a record, generated as written: a long series is never held twice."""
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
        for i in range(len(s))
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


def write_series_csv(run: Run, out: TextIO) -> None:
    out.write(",".join(SERIES_COLUMNS) + "\n")
    batch: list[str] = []
    for row in _rows(run):
        batch.append(",".join(_csv_cell(c) for c in row))
        if len(batch) >= 4096:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")


def _json_value(value: float) -> float | str:
    return value if math.isfinite(value) else spell(value)


def _json_row(row: tuple[object, ...]) -> dict[str, object]:
    value = row[-1]
    assert isinstance(value, float)
    return dict(zip(SERIES_COLUMNS, (*row[:-1], _json_value(value)), strict=True))


def write_series_json(run: Run, out: TextIO) -> None:
    first = run.first_nonfinite()
    document = {
        "source": run.source,
        "format": run.format,
        "variant": run.variant,
        "encoding": run.encoding,
        "lines": run.lines,
        "records": run.records,
        "first_nonfinite": None
        if first is None
        else {
            "metric": first.metric,
            "name": first.name,
            "value": spell(first.value),
            "step": first.step,
            "epoch": first.epoch,
            "batch": first.batch,
            "line": first.line,
        },
        "series": [_json_row(row) for row in _rows(run)],
        "events": [{"line": e.line, "kind": e.kind, "text": e.text} for e in run.events],
    }
    json.dump(strict(document), out, ensure_ascii=False, indent=1, allow_nan=False)
    out.write("\n")
