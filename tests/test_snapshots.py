"""Golden reports of real sample logs, readable in review.

Update after an intended change with:  NANLOG_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from nanlog.engine import diagnose_run
from nanlog.io import Source
from nanlog.parsing import parse_source
from nanlog.reporters import REPORTERS

from .conftest import ROOT

SNAPSHOTS = Path(__file__).parent / "snapshots"
LOGS = [
    "sample_logs/keras/keras3_bad_input_data_v1_tty.log",
    "sample_logs/hf/hf_exploding_gradients_tty.log",
    "sample_logs/lightning/lightning_invalid_learning_rate_tty.log",
    "sample_logs/pytorch/pytorch_fp16_mixed_precision_overflow_pipe.log",
    "sample_logs/keras/tfkeras_healthy_v1_tty.log",
]
EXTENSIONS = {"text": "txt", "markdown": "md", "json": "json"}


@pytest.mark.parametrize("output", sorted(EXTENSIONS))
@pytest.mark.parametrize("log", LOGS, ids=[Path(p).stem for p in LOGS])
def test_report_snapshot(log: str, output: str) -> None:
    report = diagnose_run(parse_source(Source(log, ROOT / log)))
    rendered = REPORTERS[output](False, 100).render([report])
    snapshot = SNAPSHOTS / f"{Path(log).stem}.{EXTENSIONS[output]}"
    if os.environ.get("NANLOG_UPDATE_SNAPSHOTS") or not snapshot.exists():
        snapshot.write_text(rendered, encoding="utf-8")
    assert rendered == snapshot.read_text(encoding="utf-8")


@pytest.mark.parametrize("place", ["pipe", "terminal"])
@pytest.mark.parametrize("log", LOGS[:4], ids=[Path(p).stem for p in LOGS[:4]])
def test_text_report_at_80_columns(log: str, place: str) -> None:
    """At 80 columns: piped (no colour, long lines folded) and in a terminal (colour, cut at
    the edge). Every line fits, and the score bars of the ranked causes line up."""
    report = diagnose_run(parse_source(Source(log, ROOT / log)))
    reporter = REPORTERS["text"](place == "terminal", 80)
    reporter.crop = place == "terminal"
    rendered = reporter.render([report])
    snapshot = SNAPSHOTS / f"{Path(log).stem}.80-{place}.txt"
    if os.environ.get("NANLOG_UPDATE_SNAPSHOTS") or not snapshot.exists():
        snapshot.write_text(rendered, encoding="utf-8")
    assert rendered == snapshot.read_text(encoding="utf-8")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", rendered)
    assert max(len(line) for line in plain.splitlines()) <= 80
    bars = [
        re.search("[█░]", line).start()  # type: ignore[union-attr]
        for line in plain.splitlines()
        if re.match(r"  \d\. \d\.\d\d [█░]", line)
    ]
    assert bars and len(set(bars)) == 1
