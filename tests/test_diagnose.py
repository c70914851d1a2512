"""`nanlog diagnose` as scripts and CI see it: exit codes, the JSON contract, several inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SAMPLE_LOGS

HEALTHY = SAMPLE_LOGS / "keras" / "keras3_healthy_v1_tty.log"
BAD_INPUT = SAMPLE_LOGS / "keras" / "keras3_bad_input_data_v1_tty.log"
HF_HIDDEN = SAMPLE_LOGS / "hf" / "hf_bad_input_data_tty.log"
LABEL_CRASH = SAMPLE_LOGS / "pytorch" / "pytorch_logging_label_out_of_range_pipe.log"
CONTRACT_KEYS = {"source", "format", "records", "first_nonfinite", "causes"}
FIRST_KEYS = {"metric", "value", "step", "epoch", "line"}
CAUSE_KEYS = {"id", "score", "title", "evidence", "remedies"}
CAUSE_IDS = {
    "exploding_gradients",
    "learning_rate_too_high",
    "invalid_learning_rate",
    "unstable_loss_function",
    "bad_input_data",
    "label_out_of_range",
    "wrong_output_activation",
    "mixed_precision_overflow",
}


def nanlog(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        env=env,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def _check_contract(report: dict[str, object]) -> None:
    assert set(report) >= CONTRACT_KEYS
    assert isinstance(report["records"], int)
    first = report["first_nonfinite"]
    if first is not None:
        assert isinstance(first, dict) and set(first) >= FIRST_KEYS
        assert first["value"] in ("nan", "inf", "-inf")
        assert isinstance(first["line"], int) and first["line"] >= 1
    causes = report["causes"]
    assert isinstance(causes, list)
    scores = [c["score"] for c in causes]
    assert scores == sorted(scores, reverse=True)
    for cause in causes:
        assert set(cause) >= CAUSE_KEYS and cause["id"] in CAUSE_IDS and 0 <= cause["score"] <= 1
        assert cause["evidence"] and cause["remedies"]
    assert report["schema"] and report["nanlog_version"]


def test_healthy_log_exits_0_with_no_causes() -> None:
    result = nanlog("diagnose", "--format", "json", str(HEALTHY))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    _check_contract(report)
    assert report["causes"] == [] and report["first_nonfinite"] is None


def test_faulty_log_exits_1_and_says_where() -> None:
    result = nanlog("diagnose", "--format", "json", str(BAD_INPUT))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    _check_contract(report)
    assert report["format"] == "keras"
    assert report["first_nonfinite"]["line"] == 11 and report["first_nonfinite"]["step"] == 15
    assert report["first_nonfinite"]["text"].endswith("loss: nan")
    assert report["causes"][0]["id"] == "bad_input_data"


def test_hidden_nan_is_a_problem() -> None:
    """HF's default filter prints a finite loss; grad_norm nan still counts."""
    result = nanlog("diagnose", "--format", "json", str(HF_HIDDEN))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["first_nonfinite"]["metric"] == "grad_norm"
    assert any("hidden" in note for note in report["notes"])


def test_crash_with_label_error_is_a_problem() -> None:
    result = nanlog("diagnose", "--format", "json", str(LABEL_CRASH))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["first_nonfinite"] is None
    assert report["causes"][0]["id"] == "label_out_of_range"


def test_several_inputs_give_an_array_and_the_worst_exit_code() -> None:
    result = nanlog("diagnose", "--format", "json", str(HEALTHY), str(BAD_INPUT))
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert [r["source"] for r in reports] == [str(HEALTHY), str(BAD_INPUT)]


def test_jsonl_is_one_object_per_line() -> None:
    result = nanlog("diagnose", "--format", "jsonl", str(HEALTHY), str(BAD_INPUT))
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        _check_contract(json.loads(line))


def test_unreadable_input_among_several_is_exit_2_and_the_others_are_reported(
    tmp_path: Path,
) -> None:
    result = nanlog("diagnose", "--format", "json", str(BAD_INPUT), str(tmp_path / "missing.log"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no such file" in result.stderr
    reports = json.loads(result.stdout)
    assert reports[0]["causes"] and reports[1]["error"]


def test_single_unreadable_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = nanlog("diagnose", str(tmp_path / "missing.log"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().startswith("nanlog: error: no such file")


def test_stdin() -> None:
    result = nanlog("diagnose", "--format", "json", "-", stdin=BAD_INPUT.read_bytes())
    assert result.returncode == 1
    assert json.loads(result.stdout)["source"] == "-"


def test_directory_is_every_log_in_it() -> None:
    result = nanlog("diagnose", "--format", "jsonl", str(SAMPLE_LOGS / "hf"))
    files = sorted(p for p in (SAMPLE_LOGS / "hf").iterdir() if p.is_file())
    assert len(result.stdout.splitlines()) == len(files)
    assert result.returncode == 1


def test_github_annotations() -> None:
    result = nanlog("diagnose", "--format", "github", str(BAD_INPUT), str(HEALTHY))
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"::error file={BAD_INPUT},line=11,")
    assert any(line.startswith("::notice") for line in lines)
    assert all("\n" not in line for line in lines)


def test_markdown_has_the_sections() -> None:
    result = nanlog("diagnose", "--format", "markdown", str(BAD_INPUT))
    for heading in ("### Where it broke", "### How", "### Why (ranked)", "### What to do"):
        assert heading in result.stdout


def test_text_is_plain_when_piped() -> None:
    result = nanlog("diagnose", str(BAD_INPUT))
    assert "\x1b[" not in result.stdout
    assert "Where it broke" in result.stdout and "What to do" in result.stdout


def test_text_colour_can_be_forced() -> None:
    assert "\x1b[" in nanlog("diagnose", "--color", "always", str(BAD_INPUT)).stdout


@pytest.mark.parametrize("args", [["rules"], ["rules", "SH01"], ["diagnose", "--help"]])
def test_rules_and_help(args: list[str]) -> None:
    result = nanlog(*args)
    assert result.returncode == 0 and result.stdout


def test_unknown_rule_is_exit_2() -> None:
    result = nanlog("rules", "XX99")
    assert result.returncode == 2 and "no rule" in result.stderr
