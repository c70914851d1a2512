"""The canonical time series every format is read into.

Parsers append *long* records ``(line, step, epoch, batch, phase, metric,
value)``: one row per value that was printed. A value that was not printed
has no row at all, so "not logged" can never be confused with a logged NaN.
The wide table (one column per metric) is only a derived view.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nanlog.names import canonical_name

if TYPE_CHECKING:
    import pandas as pd

NO_INT = -1  # "not printed" for step and batch in the compact arrays


def epoch_value(stored: float) -> float | None:
    """An epoch as printed (float32 storage rounded back to 7 digits), None if not printed."""
    return None if math.isnan(stored) else float(f"{stored:.7g}")


_INT_LIMIT = 2**31
# Memory bound (29 bytes a record): past MAX_RECORDS the middle of the series is thinned.
MAX_RECORDS = 6_000_000
KEEP_HEAD = 200_000
KEEP_RECENT = 1_000_000
KEEP_SPECIAL = 1_000_000


def _ignore(_: int) -> None:
    """Stands in for appending to a column that is not stored."""  # steps and batches are stored as int32; larger ones count as not printed


def _epoch_code(epoch: float | None) -> float:
    """An epoch as stored: NaN (not printed) unless it is a finite, sane number.

    ``'epoch': 1e39`` or ``epoch=inf`` in a log is not an epoch anyone trained for.
    """
    if epoch is None or not math.isfinite(epoch) or abs(epoch) >= _INT_LIMIT:
        return math.nan
    return epoch


PHASES = ("train", "val", "eval", "summary")
_PHASE_CODE = {phase: code for code, phase in enumerate(PHASES)}


@dataclass(frozen=True)
class Event:
    """A diagnostic line: an error, a framework warning, a traceback."""

    line: int
    kind: str
    text: str


@dataclass(frozen=True)
class NonFinite:
    """The first record whose value was printed as nan, inf or -inf."""

    metric: str
    name: str
    value: float
    line: int
    step: int | None
    epoch: float | None
    batch: int | None
    phase: str


COLUMN_NAMES = ("line", "step", "epoch", "batch", "phase", "name_id", "value")


class SeriesBuilder:
    """Compact column arrays that parsers append to; never holds the log's lines.

    Records of one log position (a progress-bar frame, a dict line) form a
    group. A parser may replace the group it appended last, for bars that
    redraw the same batch twice.
    """

    def __init__(self) -> None:
        # 29 bytes a record: a 200 MB log of ~6 million values stays below 200 MB.
        self.line = array("I")
        self.step = array("i")
        self.epoch = array("f")  # float32: read back through epoch_value()
        self.batch = array("i")  # stays empty until some record has a batch (see batch_at)
        self.phase = array("b")
        self.name_id = array("H")  # widened to "I" past 65,536 distinct names
        self.value = array("d")
        self.names: list[str] = []
        self._name_ids: dict[str, int] = {}
        self._group_start = 0
        self._batches_started = False
        self._group_key: object = None
        self.dropped = 0  # records thinned away by compact(): counted, not kept
        self.streamed = 0  # records written out and forgotten by a streamed export
        self.thinned = 0

    def __len__(self) -> int:
        return len(self.value)

    @property
    def group_start(self) -> int:
        """Where the last group begins: a redraw of it replaces the records from there."""
        return self._group_start

    @property
    def has_batch(self) -> bool:
        return len(self.batch) > 0 or self._batches_started

    def _start_batches(self) -> None:
        """Most logs print no batch index: the column is only paid for when one does."""
        self._batches_started = True
        self.batch.extend(array("i", [NO_INT]) * len(self.value))

    def batch_at(self, i: int) -> int:
        return self.batch[i] if self.has_batch else NO_INT

    def start_group(self, key: object = None) -> None:
        """Begin the records of one position; the same non-None key as the last replaces it."""
        if key is not None and key == self._group_key:
            self.truncate(self._group_start)
        else:
            self._group_start = len(self.value)
        self._group_key = key

    def compact(self) -> bool:
        """Keep memory bounded on huge logs: thin the middle of the series when it is too long.

        Kept whole: the first records, the most recent ones (the window before a break that is
        yet to come), every non-finite value (up to a cap) and every huge one. The middle keeps
        every other line that survived the previous thinning. Called between chunks only, so
        no reader holds an index into the arrays. Returns whether it thinned.
        """
        n = len(self.value)
        if n <= MAX_RECORDS:
            return False
        import numpy as np

        values = np.frombuffer(self.value, dtype=np.float64)
        lines = np.frombuffer(self.line, dtype=self.line.typecode)
        keep = np.zeros(n, dtype=bool)
        keep[:KEEP_HEAD] = True
        keep[n - KEEP_RECENT :] = True
        special = np.flatnonzero(~np.isfinite(values) | (np.abs(values) >= 1e6))
        keep[special[:KEEP_SPECIAL]] = True
        middle = lines[KEEP_HEAD : n - KEEP_RECENT]
        while True:  # halve the middle until the whole fits the budget
            self.thinned += 1
            sampled = (middle % (1 << self.thinned)) == 0
            if int(keep.sum()) + int(sampled.sum()) <= MAX_RECORDS or self.thinned >= 40:
                break
        keep[KEEP_HEAD : n - KEEP_RECENT] |= sampled
        kept = np.flatnonzero(keep)
        for name in COLUMN_NAMES:
            column = getattr(self, name)
            if len(column) != n:
                continue
            data = np.frombuffer(column, dtype=column.typecode)[kept]
            setattr(self, name, array(column.typecode, data.tobytes()))
        self.dropped += n - len(kept)
        self._group_start = len(self.value)
        self._group_key = None
        return True

    def sort_since(self, start: int) -> None:
        """Put the records from ``start`` on in line order (stable): several readers shared a chunk.

        After a reorder no later redraw may replace records across readers: the group is closed.
        """
        import numpy as np

        lines = np.frombuffer(self.line, dtype=self.line.typecode)[start:]
        if len(lines) < 2 or bool((np.diff(lines.astype(np.int64)) >= 0).all()):
            return
        order = np.argsort(lines, kind="stable")
        for name in COLUMN_NAMES:
            column = getattr(self, name)
            if len(column) <= start:
                continue
            tail = np.frombuffer(column, dtype=column.typecode)[start:][order]
            column[start:] = array(column.typecode, tail.tobytes())
        self._group_start = len(self.value)
        self._group_key = None

    def drop_head(self, count: int) -> None:
        """Forget the first ``count`` records (already written out by a streamed export)."""
        count = min(count, self._group_start)  # the open group may still be redrawn
        if count <= 0:
            return
        for column in self._columns():
            del column[:count]
        self._group_start -= count
        self.streamed += count

    def truncate(self, size: int) -> None:
        for column in self._columns():
            del column[size:]

    def _columns(self) -> tuple[array[Any], ...]:
        """Every per-record column (``batch`` may be empty: see batch_at)."""
        return tuple(getattr(self, name) for name in COLUMN_NAMES)

    def add_values(
        self,
        line: int,
        values: list[tuple[str, float, str]],
        step: int | None = None,
        epoch: float | None = None,
        batch: int | None = None,
    ) -> None:
        """Append the (name, value, phase) records printed together at one position."""
        step_code = step if step is not None and 0 <= step < _INT_LIMIT else NO_INT
        batch_code = batch if batch is not None and 0 <= batch < _INT_LIMIT else NO_INT
        epoch_value = _epoch_code(epoch)
        ids, names = self._name_ids, self.names
        if batch_code != NO_INT and not self.has_batch:
            self._start_batches()
        if len(names) + len(values) >= 65536 and self.name_id.typecode == "H":
            self.name_id = array("I", self.name_id)
        name_ids, vals, phases = self.name_id.append, self.value.append, self.phase.append
        lines, steps, epochs, batches = (
            self.line.append,
            self.step.append,
            self.epoch.append,
            self.batch.append if self.has_batch else _ignore,
        )
        for name, value, phase in values:
            name_id = ids.get(name)
            if name_id is None:
                name_id = ids[name] = len(names)
                names.append(name)
            name_ids(name_id)
            vals(value)
            phases(_PHASE_CODE[phase])
            lines(line)
            steps(step_code)
            epochs(epoch_value)
            batches(batch_code)

    def add(
        self,
        line: int,
        name: str,
        value: float,
        *,
        step: int | None = None,
        epoch: float | None = None,
        batch: int | None = None,
        phase: str = "train",
    ) -> None:
        if batch is not None and not self.has_batch:
            self._start_batches()
        if len(self.names) >= 65535 and self.name_id.typecode == "H":
            self.name_id = array("I", self.name_id)
        name_id = self._name_ids.get(name)
        if name_id is None:
            name_id = self._name_ids[name] = len(self.names)
            self.names.append(name)
        self.line.append(line)
        self.step.append(step if step is not None and 0 <= step < _INT_LIMIT else NO_INT)
        self.epoch.append(_epoch_code(epoch))
        if self.has_batch:
            self.batch.append(batch if batch is not None and 0 <= batch < _INT_LIMIT else NO_INT)
        self.phase.append(_PHASE_CODE[phase])
        self.name_id.append(name_id)
        self.value.append(value)


@dataclass
class Run:
    """One parsed log: its long records, its diagnostic events and where it came from."""

    source: str
    format: str
    series: SeriesBuilder
    events: list[Event] = field(default_factory=list)
    encoding: str = "utf-8"
    lines: int = 0
    variant: str | None = None
    head_hint: str = ""  # the first few KB, for guessing the framework
    line_texts: dict[int, str] = field(default_factory=dict)  # lines of the first non-finite values
    warnings: list[str] = field(default_factory=list)  # what the reader could not do (damage)
    # A long log read in samples: the first line of each parsed piece that follows text left
    # out. Two records on either side of one are not neighbours (see nanlog.sampling).
    gaps: list[int] = field(default_factory=list)
    _frame: pd.DataFrame | None = field(default=None, repr=False)

    def hint_text(self) -> str:
        """What the log says about itself: its head and its first diagnostic lines (which
        trainer wrote it, what task it trains)."""
        return " ".join([self.head_hint, *(e.text for e in self.events[:50])])

    @property
    def records(self) -> int:
        """Metric records read, including any thinned away to bound memory."""
        return len(self.series) + self.series.dropped + self.series.streamed

    @property
    def frame(self) -> pd.DataFrame:
        """The long records as a DataFrame; missing step/epoch/batch are <NA>, not NaN."""
        if self._frame is None:
            self._frame = _to_frame(self.series)
        return self._frame

    def wide(self, phase: str | None = "train") -> pd.DataFrame:
        """One column per metric (canonical name), one row per step (the line where a log
        prints no step), the last value printed wins; ``phase=None`` keeps every phase."""
        frame = self.frame
        if phase is not None:
            frame = frame[frame["phase"] == phase]
        index = "step" if frame["step"].notna().any() else "line"
        frame = frame[frame[index].notna()].drop_duplicates([index, "metric"], keep="last")
        table: pd.DataFrame = frame.pivot(index=index, columns="metric", values="value")
        table.columns = table.columns.astype(str)  # a NaN stays NaN: no aggregation skips it
        table.columns.name = None
        return table

    def first_nonfinite(self) -> NonFinite | None:
        """The earliest record (by line, then order) whose printed value is not finite."""
        import numpy as np

        s = self.series
        bad = np.flatnonzero(~np.isfinite(np.frombuffer(s.value, dtype=np.float64)))
        if not len(bad):
            return None
        i = int(bad[0])
        name = s.names[s.name_id[i]]
        return NonFinite(
            metric=canonical_name(name),
            name=name,
            value=s.value[i],
            line=s.line[i],
            step=None if s.step[i] == NO_INT else s.step[i],
            epoch=epoch_value(s.epoch[i]),
            batch=None if s.batch_at(i) == NO_INT else s.batch_at(i),
            phase=PHASES[s.phase[i]],
        )


def _to_frame(s: SeriesBuilder) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    def optional_int(values: array[int]) -> pd.Series:
        column = pd.Series(np.frombuffer(values, dtype=values.typecode), dtype="Int64")
        masked: pd.Series = column.mask(column == NO_INT)
        return masked

    epoch = pd.Series([epoch_value(e) for e in s.epoch], dtype="Float64")
    canon = [canonical_name(n) for n in s.names]
    frame: pd.DataFrame = pd.DataFrame(
        {
            "line": np.frombuffer(s.line, dtype=s.line.typecode).astype(np.int64),
            "step": optional_int(s.step),
            "epoch": epoch.mask(epoch.isna()),
            "batch": optional_int(s.batch if s.has_batch else array("i", [NO_INT]) * len(s)),
            "phase": pd.Series([PHASES[p] for p in s.phase], dtype="category"),
            "metric": pd.Series([canon[i] for i in s.name_id], dtype="category"),
            "name": pd.Series([s.names[i] for i in s.name_id], dtype="category"),
            "value": np.frombuffer(s.value, dtype=np.float64).copy(),
        }
    )
    return frame
