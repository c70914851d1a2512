"""The GitHub Actions composite action and the pre-commit hook, run as their files say."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SAMPLE_LOGS

BROKEN = SAMPLE_LOGS / "keras" / "keras3_bad_input_data_v1_pipe.log"
HEALTHY = SAMPLE_LOGS / "keras" / "keras3_healthy_v1_pipe.log"


def _diagnose_step() -> dict[str, object]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = {step.get("id"): step for step in action["runs"]["steps"]}
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.diagnose.outputs.exit-code }}"
    return steps["diagnose"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("logs", "fail", "status"),
    [
        ([BROKEN], "true", 1),
        ([BROKEN], "false", 0),
        ([HEALTHY], "true", 0),
        ([HEALTHY, BROKEN], "true", 1),
        ([Path("/nonexistent.log")], "true", 2),
    ],
)
def test_the_action_annotates_summarises_and_fails_as_documented(
    tmp_path: Path, logs: list[Path], fail: str, status: int
) -> None:
    step = _diagnose_step()
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {
        "PATH": "/usr/bin:/bin",
        "NANLOG_PYTHON": sys.executable,
        "NANLOG_LOGS": " ".join(shlex.quote(str(p)) for p in logs).replace("'", ""),
        "NANLOG_FAIL": fail,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
    }
    result = subprocess.run(
        ["bash", "-c", str(step["run"])],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == status, result.stderr
    nanlog_status = 1 if BROKEN in logs else (2 if status == 2 else 0)
    assert output.read_text() == f"exit-code={nanlog_status}\n"
    if status != 2:
        assert summary.read_text().startswith("## nanlog")
    if BROKEN in logs:
        assert re.search(rf"^::error file={re.escape(str(BROKEN))},line=\d+,", result.stdout, re.M)


def test_the_action_installs_from_its_own_checkout() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    install = action["runs"]["steps"][0]["run"]
    assert '-m pip install --quiet "$GITHUB_ACTION_PATH"' in install


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["nanlog"]
    return hooks[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("name", "matched"),
    [
        ("runs/a/metrics.csv", True),
        ("checkpoint-500/trainer_state.json", True),
        ("logs/train.log", True),
        ("metrics.csv.bak", False),
        ("train.py", False),
        ("notes/mymetrics.csv", False),
    ],
)
def test_the_hook_picks_the_metrics_files(name: str, matched: bool) -> None:
    assert bool(re.search(str(_hook()["files"]), name)) is matched


@pytest.mark.parametrize(("log", "status"), [(HEALTHY, 0), (BROKEN, 1)])
def test_the_hook_entry_passes_healthy_files_and_fails_broken_ones(log: Path, status: int) -> None:
    entry = shlex.split(str(_hook()["entry"]))
    assert entry[0] == "nanlog"
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", *entry[1:], str(HEALTHY), str(log)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == status
    assert len(result.stdout.splitlines()) == 2  # one line per file
