"""Lines in the exact shape real trainers print (tests/trainer_lines.py) are read right.

Each case names where its shape was seen. The reader gets the text as a whole log, so
these also check that the specific formats and the generic reader share lines correctly.
"""

from __future__ import annotations

import io
import math

import pytest

from nanlog.model import NO_INT, Run
from nanlog.names import canonical_name
from nanlog.parsing import ASIDE_EVENTS, parse_stream
from tests.trainer_lines import CASES, Case

# The trainers' own NaN checks: nanlog keeps the finer kinds the rules read.
_KINDS = {"nonfinite_check": {"nonfinite_check", "invalid_loss", "nonfinite_monitor"}}


def _read(text: str) -> Run:
    return parse_stream(io.BytesIO(text.encode()), "case")


def _same(a: float, b: float) -> bool:
    if math.isnan(b):
        return math.isnan(a)
    return a == pytest.approx(b, rel=1e-6)


def _last_values(run: Run) -> dict[str, tuple[float, int, float | None]]:
    """The last value read per canonical metric, with its step and epoch."""
    found: dict[str, tuple[float, int, float | None]] = {}
    s = run.series
    for i in range(len(s)):
        epoch = None if math.isnan(s.epoch[i]) else float(s.epoch[i])
        found[canonical_name(s.names[s.name_id[i]])] = (s.value[i], s.step[i], epoch)
    return found


def test_at_least_twenty_trainers_are_covered() -> None:
    assert len({case.trainer for case in CASES}) >= 20


@pytest.mark.parametrize("case", CASES, ids=[f"{c.trainer}-{i}" for i, c in enumerate(CASES)])
def test_trainer_line_is_read(case: Case) -> None:
    try:
        run = _read(case.text + "\n")
    except Exception as exc:  # the reader refusing a line with metrics is the failure
        if case.metrics:
            raise AssertionError(f"{case.trainer}: {exc}") from None
        run = None
    if run is None and case.event in ASIDE_EVENTS:
        # a message that says nothing of a failure is read beside a training line only
        run = _read(case.text + "\nstep 1 loss 0.5\n")
    if run is None:
        assert case.event is None, "a failure message alone must still be read as an event"
        return
    values = _last_values(run)
    for metric, expected in case.metrics.items():
        assert metric in values, f"{metric} not read from {case.text!r}: {sorted(values)}"
        assert _same(values[metric][0], expected), (metric, values[metric][0], expected)
    for metric in case.absent:
        assert metric not in values, f"{metric} read from {case.text!r}"
    if case.metrics and case.step is not None:
        steps = {values[m][1] for m in case.metrics}
        assert case.step in steps, f"step {case.step} not read: {steps - {NO_INT}}"
    if case.metrics and case.epoch is not None:
        epochs = {values[m][2] for m in case.metrics}
        assert any(e is not None and math.floor(e) == case.epoch for e in epochs), epochs
    if case.event is not None:
        kinds = {event.kind for event in run.events}
        accepted = _KINDS.get(case.event, {case.event})
        assert accepted & kinds, f"{case.event} not found in {case.text!r}: {kinds}"
