"""Logs in many print formats, pasted in public threads, are read where they broke.

``sample_logs/reading/`` holds real logs (Caffe, MXNet, DL4J, TF1/Estimator, XGBoost,
LightGBM, CNTK, Theano, Lightning, mmcv, YOLOv5, PaddleOCR, detectron2, OpenNMT, fairseq,
Megatron, DeepSpeed, ESPnet, icefall, llm.c, Keras, Keras Tuner, baselines, RSL-RL, DeepXDE,
kohya, Dreamer ...), each with the line where it first shows a NaN/inf training value or a
failure message, read off by hand (``first_bad_line``; empty for a healthy log). A ``note``
says where nanlog's reading differs on purpose, or what it does not read.
"""

from __future__ import annotations

import csv

import pytest

from nanlog.engine import diagnose_run
from nanlog.parsing import parse

from .conftest import SAMPLE_LOGS

READING = SAMPLE_LOGS / "reading"
ROWS = list(csv.DictReader((READING / "index.csv").open(encoding="utf-8")))
READ = [row for row in ROWS if not row["note"].startswith("not read")]


def test_the_corpus_is_mostly_read() -> None:
    assert len(ROWS) >= 60 and len(READ) >= 0.9 * len(ROWS)


@pytest.mark.parametrize("row", [r for r in READ if not r["note"]], ids=lambda r: r["file"])
def test_the_break_is_on_the_line_read_off_by_hand(row: dict[str, str]) -> None:
    report = diagnose_run(parse(READING / row["file"]))
    if row["kind"] == "healthy":
        assert not report.problem
        return
    assert report.problem
    lines = {
        (report.first_nonfinite or {}).get("line"),
        (report.failure or {}).get("line"),
    }
    assert int(row["first_bad_line"]) in lines


@pytest.mark.parametrize("row", [r for r in READ if r["note"]], ids=lambda r: r["file"])
def test_a_deliberate_difference_still_reads_the_log(row: dict[str, str]) -> None:
    report = diagnose_run(parse(READING / row["file"]))
    assert report.problem == ("not a problem" not in row["note"])
