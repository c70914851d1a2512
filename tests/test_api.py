"""The Python API: what a notebook user does with a log, checked against the CLI's output."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd

import nanlog

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"
KERAS = SAMPLES / "keras" / "keras3_bad_input_data_v1_pipe.log"


def _cli(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def test_diagnose_takes_a_parsed_run() -> None:
    run = nanlog.parse(KERAS)
    assert nanlog.diagnose(run).to_dict() == nanlog.diagnose(KERAS).to_dict()


def test_to_dict_is_the_json_report() -> None:
    report = nanlog.diagnose(str(KERAS))
    data = report.to_dict()
    json.dumps(data, allow_nan=False)  # JSON-ready: no float NaN left
    assert data == json.loads(_cli("diagnose", "--format", "json", str(KERAS)))
    assert data["first_nonfinite"]["value"] == "nan"


def test_a_report_shows_as_markdown_in_jupyter() -> None:
    report = nanlog.diagnose(str(KERAS))
    assert report._repr_markdown_() == _cli("diagnose", "--format", "markdown", str(KERAS))


def test_wide_has_a_column_per_metric_and_keeps_the_nan() -> None:
    run = nanlog.parse(KERAS)
    wide = run.wide()
    assert {"loss", "accuracy"} <= set(wide.columns)
    assert wide.index.name == "step"
    first = run.first_nonfinite()
    assert first is not None and first.step is not None
    assert math.isnan(wide.loc[first.step, "loss"])
    assert wide.loc[: first.step - 1, "loss"].notna().all()
    train = run.frame[run.frame["phase"] == "train"]
    assert len(wide) == train["step"].nunique()


def test_wide_never_hides_a_nan_behind_an_earlier_value_of_the_same_step(tmp_path: Path) -> None:
    # Hand-written edge case: the same step prints a finite value, then NaN.
    log = tmp_path / "train.log"
    log.write_text("step 1 loss 1.0\nstep 2 loss 0.5\nstep 2 loss nan\n")
    wide = nanlog.parse(log).wide()
    assert wide["loss"].tolist()[0] == 1.0
    assert math.isnan(wide.loc[2, "loss"])


def test_wide_without_steps_is_indexed_by_line(tmp_path: Path) -> None:
    # Hand-written edge case: a log that prints no step counter.
    log = tmp_path / "train.log"
    log.write_text("loss: 1.0 acc: 0.5\nloss: 0.8 acc: 0.6\nloss: nan acc: 0.1\n")
    wide = nanlog.parse(log).wide()
    assert wide.index.name == "line"
    assert isinstance(wide, pd.DataFrame) and list(wide.index) == [1, 2, 3]
