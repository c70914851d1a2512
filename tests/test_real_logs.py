"""Logs pasted in public threads (``../shared/real_logs``, beside the repository) are all read.

The expected lines were read off each log by hand: the first line that prints a metric
as NaN/inf, or, for runs whose failure shows only as a message (TF's "Model diverged",
yolact's "Moving average ignored a value of inf", tf.slim's "Loss is inf or nan"), the
line of that message. ``-nan iter/s`` (a speed) is not a metric.
"""

from __future__ import annotations

import csv

import pytest

from nanlog.parsing import parse

from .conftest import ROOT

REAL = ROOT.parent / "shared" / "real_logs"
LABELS = (
    {row["file"]: row for row in csv.DictReader((REAL / "labels.csv").open(encoding="utf-8"))}
    if (REAL / "labels.csv").is_file()
    else {}
)
pytestmark = pytest.mark.skipif(not LABELS, reason=f"{REAL} is not beside the repository")

# file prefix -> (line of the first non-finite metric value, or None; line of a failure message)
FIRST_BREAK: dict[str, tuple[int | None, int | None]] = {
    "001": (7, None),
    "002": (2, None),
    "003": (1, None),
    "004": (4, None),
    "005": (None, 3),
    "006": (1, None),
    "008": (5, None),
    "010": (4, None),
    "014": (11, None),
    "015": (3, None),
    "017": (15, None),
    "021": (1, None),
    "022": (9, None),
    "023": (6, None),
    "024": (2, None),
    "025": (3, 3),  # "Model diverged with loss = NaN." says the value too
    "026": (3, None),
    "027": (2, None),
    "028": (1, None),
    "031": (None, 12),
    "032": (1, None),
    "034": (None, 2),
    "035": (21, None),
    "036": (4, None),
    "038": (7, None),
    "039": (6, None),
    "041": (15, None),
    "042": (10, None),
}
FAILURE_EVENTS = {"diverged", "nonfinite_check", "overflow", "loss_scale_min", "label_out_of_range"}


@pytest.mark.parametrize("name", sorted(LABELS))
def test_real_log_is_read(name: str) -> None:
    run = parse(REAL / name)  # raises (exit 2 in the CLI) if nothing is read
    assert run.records > 0 or run.events
    metric_line, message_line = FIRST_BREAK.get(name[:3], (None, None))
    first = run.first_nonfinite()
    assert (first.line if first else None) == metric_line
    if message_line is not None:
        lines = {e.line for e in run.events if e.kind in FAILURE_EVENTS}
        assert message_line in lines, [(e.line, e.kind) for e in run.events]


@pytest.mark.parametrize(
    "name", sorted(n for n, row in LABELS.items() if row["primary_cause"] == "healthy")
)
def test_healthy_real_log_reads_a_loss(name: str) -> None:
    run = parse(REAL / name)
    assert any(n.lower().endswith("loss") or "loss" in n.lower() for n in run.series.names)
    assert run.records >= 5


def test_every_labelled_log_is_in_the_table_or_has_no_break() -> None:
    """A new log added to the corpus must be looked at by hand, not silently pass."""
    import re

    for name in LABELS:
        text = (REAL / name).read_text(encoding="utf-8", errors="replace")
        prints_nan = re.search(r"(?i)(?<![a-z])-?(?:nan|inf)(?![a-z])", text) is not None
        assert name[:3] in FIRST_BREAK or not prints_nan or name[:3] in {"018"}, name
