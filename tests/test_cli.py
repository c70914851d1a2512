"""The command line as scripts see it: output, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nanlog.cli import main

LOG = "step 1 loss 0.9 lr 0.1\nstep 2 loss 0.5 lr 0.1\nstep 3 loss nan lr 0.1\n"


def run_cli(
    args: list[str], stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "nanlog", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "train.log"
    path.write_text(LOG)
    return path


def test_parse_csv_has_one_row_per_printed_value(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["parse", str(log_file)])
    assert exit_info.value.code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 6
    assert rows[4] == {
        "line": "3",
        "step": "3",
        "epoch": "",
        "batch": "",
        "phase": "train",
        "metric": "loss",
        "name": "loss",
        "value": "nan",
    }


def test_parse_json_from_stdin() -> None:
    result = run_cli(["parse", "--format", "json", "-"], stdin=LOG.encode())
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["source"] == "-"
    assert document["format"] == "plain"
    assert document["records"] == 6
    assert document["first_nonfinite"]["line"] == 3
    assert document["series"][4]["value"] is None
    assert document["series"][4]["nonfinite"] == "nan"
    assert document["series"][3]["nonfinite"] is None


def test_parse_output_loads_in_pandas(tmp_path: Path) -> None:
    """JSON has no NaN: a float column with null (pandas NaN) where the log printed nan."""
    import pandas as pd

    log = tmp_path / "train.log"
    log.write_text(LOG)
    lines = run_cli(["parse", "--format", "jsonl", str(log)])
    frame = pd.read_json(io.StringIO(lines.stdout.decode()), lines=True)
    document = json.loads(run_cli(["parse", "--format", "json", str(log)]).stdout)
    from_json = pd.DataFrame(document["series"])
    from_csv = pd.read_csv(io.StringIO(run_cli(["parse", str(log)]).stdout.decode()))
    for table in (frame, from_json):
        assert table["value"].dtype == "float64"
        assert table["value"].isna().tolist() == from_csv["value"].isna().tolist()
    rows = [json.loads(line) for line in lines.stdout.decode().splitlines()]
    assert [row["nonfinite"] for row in rows if row["value"] is None] == ["nan"]
    assert len(frame) == len(from_csv) == 6


def test_python_dash_m_and_version() -> None:
    result = run_cli(["--version"])
    assert result.returncode == 0 and b"nanlog" in result.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["parse", "/nonexistent/train.log"], b"", "no such file"),
        (["parse", "--format", "xml", "x.log"], b"", "--format"),
        (["parse", "--input-format", "tensorboard", "x.log"], b"", "--input-format"),
        (["parse", "-"], b"", "empty input"),
        (
            ["parse", "-"],
            b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 40,
            "no training metrics found",
        ),
        (["parse", "-"], b"hello\nworld\n", "no training metrics found"),
        (["frobnicate"], b"", "No such command"),
        (["parse", "--bogus", "x"], b"", "--bogus"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], stdin: bytes, message: str) -> None:
    result = run_cli(args, stdin)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "secret.log"
    path.write_text(LOG)
    path.chmod(0)
    result = run_cli(["parse", str(path)])
    assert result.returncode == 2 and b"permission denied" in result.stderr


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    big = tmp_path / "big.log"
    big.write_text("".join(f"step {i} loss {1 / (i + 1):.6f}\n" for i in range(200_000)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanlog", "parse", str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert b"Traceback" not in err and err == b""
    assert proc.returncode == 0


def test_help_teaches_with_examples() -> None:
    result = run_cli(["parse", "--help"])
    assert result.returncode == 0
    assert b"nanlog parse train.log" in result.stdout


def test_the_answer_comes_first_in_the_text_report(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["diagnose", str(log_file)])
    assert exit_info.value.code == 1
    lines = capsys.readouterr().out.splitlines()
    answer = next(i for i, line in enumerate(lines) if line.startswith("  → "))
    assert lines[answer].startswith("  → loss turned nan at step 3, line 3; most likely: ")
    assert answer <= 2 < lines.index("Where it broke")  # right under the title


def test_quiet_prints_one_line_per_input(
    log_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy = tmp_path / "healthy.log"
    healthy.write_text("step 1 loss 0.9\nstep 2 loss 0.5\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["diagnose", "-q", str(log_file), str(healthy)])
    assert exit_info.value.code == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{log_file}: loss turned nan at step 3, line 3; most likely: ")
    assert lines[1] == f"{healthy}: no NaN/inf or divergence in 2 records"


@pytest.mark.parametrize(
    ("choice", "env", "terminal", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"TERM": "dumb"}, True, False),
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
        ("always", {"NO_COLOR": "1"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_follows_the_usual_variables(
    choice: str,
    env: dict[str, str],
    terminal: bool,
    expected: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nanlog.cli import color_wanted

    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert color_wanted(choice, terminal) is expected


def test_a_piped_report_follows_columns_and_cuts_nothing(tmp_path: Path) -> None:
    long_name = tmp_path / ("a_rather_long_training_log_name_" * 3 + ".log")
    long_name.write_text(LOG.replace("step 3 loss nan", "step 3 loss nan " + "x" * 150))
    result = run_cli(["diagnose", str(long_name)], env={"COLUMNS": "60", "TERM": "xterm"})
    text = result.stdout.decode()
    assert "…" not in text and "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "x" * 150 in text.replace("\n", "").replace(" ", "")


@pytest.mark.parametrize(
    "command",
    [
        ["diagnose", "{log}"],
        ["rules", "SH01"],
        ["watch", "--idle-exit", "0.1", "{log}"],
        ["run", "--", sys.executable, "-c", "print('step 1 loss 1.0'); print('step 2 loss nan')"],
    ],
    ids=["diagnose", "rules", "watch", "run"],
)
@pytest.mark.parametrize("choice", ["always", "never"])
def test_every_command_takes_color(command: list[str], choice: str, tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_text(LOG)
    args = [a.replace("{log}", str(log)) for a in command]
    result = run_cli([args[0], "--color", choice, *args[1:]], env={"NO_COLOR": ""})
    assert result.returncode in (0, 1), result.stderr
    out = (result.stdout + result.stderr).decode()
    assert ("\x1b[" in out) is (choice == "always")


def test_the_summary_of_several_logs_fits_80_columns(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    for i in range(3):
        (folder / f"sweep_{i:03d}_a_rather_long_run_name_lr_{i}e-3.log").write_text(LOG)
    (folder / "healthy_run.log").write_text("step 1 loss 1.0\nstep 2 loss 0.9\n")
    result = run_cli(["diagnose", str(folder)], env={"COLUMNS": "80"})
    text = result.stdout.decode()
    summary = text[text.index("Summary") :]
    assert summary.splitlines()[0].startswith(f"Summary of {folder}")
    assert "4 logs, 3 broke, 1 healthy" in summary
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = summary.splitlines()[2:]
    assert rows[-1].startswith("healthy_run.log") and "healthy" in rows[-1]  # broken ones first
