"""Every real sample log reads with its labelled format and first non-finite value.

The labels (``sample_logs/labels.csv``) come from the generating scripts'
own ground truth and an independent scan of each raw log, checked by eye;
see ``sample_logs/generators/``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nanlog.names import canonical_name
from nanlog.parsing import parse

from .conftest import ROOT, SAMPLE_LOGS

LABELS = SAMPLE_LOGS / "labels.csv"
ROWS = list(csv.DictReader(LABELS.open(encoding="utf-8"))) if LABELS.exists() else []
LOG_FILES = sorted(
    p
    for p in SAMPLE_LOGS.rglob("*")
    if p.is_file()
    and "generators" not in p.parts
    and "real" not in p.parts  # logs from public threads: labelled in sample_logs/real/
    and "reading" not in p.parts  # and in sample_logs/reading/index.csv
    and p.name != "labels.csv"
)


def test_corpus_is_labelled() -> None:
    labelled = {row["file"] for row in ROWS}
    unlabelled = [
        str(p.relative_to(ROOT)) for p in LOG_FILES if str(p.relative_to(ROOT)) not in labelled
    ]
    assert ROWS, "sample_logs/labels.csv is missing or empty"
    assert not unlabelled, f"sample logs without a label: {unlabelled}"
    missing = [f for f in labelled if not (ROOT / f).is_file()]
    assert not missing, f"labels for files that do not exist: {missing}"


@pytest.mark.parametrize("row", ROWS, ids=[Path(r["file"]).name for r in ROWS])
def test_sample_log_reads_as_labelled(row: dict[str, str]) -> None:
    run = parse(ROOT / row["file"])
    assert run.format == row["format"]
    assert run.records > 0 or row["fault"] == "label_out_of_range"
    first = run.first_nonfinite()
    if not row["first_nonfinite_line"]:
        assert first is None, f"unexpected non-finite value: {first}"
        return
    assert first is not None, "the labelled non-finite value was not found"
    assert first.line == int(row["first_nonfinite_line"])
    if row["split"] != "holdout":  # held-aside manifests name the loss, not what the line shows
        assert first.metric == canonical_name(row["first_nonfinite_metric"])
    if row["first_nonfinite_step"]:
        assert first.step == int(row["first_nonfinite_step"])


CONSOLE_LABEL_ERRORS = [
    r for r in ROWS if r["fault"] == "label_out_of_range" and r["capture"] != "file"
]


@pytest.mark.parametrize(
    "row", CONSOLE_LABEL_ERRORS, ids=[Path(r["file"]).name for r in CONSOLE_LABEL_ERRORS]
)
def test_label_errors_are_kept_as_events(row: dict[str, str]) -> None:
    run = parse(ROOT / row["file"])
    assert any(e.kind == "label_out_of_range" for e in run.events), [e.text for e in run.events]
