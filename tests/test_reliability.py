"""Any input, no traceback, linear time, nothing lost (hand-written inputs, one edge case each)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.pathological import PATHOLOGICAL
from nanlog.errors import NanlogError
from nanlog.parsing import parse_stream

from .conftest import SAMPLE_LOGS, bytes_in_pipe, wait_for

KERAS = SAMPLE_LOGS / "keras" / "keras3_bad_input_data_v1_tty.log"
PLAIN = SAMPLE_LOGS / "pytorch" / "pytorch_print_bad_input_data_pipe.log"


def _first(data: bytes) -> tuple[int, str] | None:
    first = parse_stream(io.BytesIO(data), "t").first_nonfinite()
    return None if first is None else (first.line, first.metric)


@pytest.mark.parametrize("data", list(PATHOLOGICAL.values()), ids=list(PATHOLOGICAL))
def test_pathological_input_is_read_without_error(data: bytes) -> None:
    """Inputs that make a backtracking regex take minutes. Their time is measured by
    ``python benchmarks/pathological.py`` (not here: tests have no wall-clock bounds);
    here they must end in records or the tool's own error, nothing else."""
    try:
        run = parse_stream(io.BytesIO(data), "t")
    except NanlogError:
        return
    assert run.records >= 0 and run.lines >= 1


def test_words_containing_nan_or_inf_are_not_values() -> None:
    text = (
        "INFO loss=0.5\nInfinity-war nanny loss 0.4\n/data/nan/inf_dir/loss.py loss=0.3\n"
        " 45%|████▌     | 45/100 [00:01<00:02, -nan iter/s]\nloss_fn: nanny\nlosses: INFO\n"
    )
    assert _first(text.encode()) is None


def test_truncated_last_line_and_mid_redraw_ending() -> None:
    clean = KERAS.read_bytes()
    cut = clean.index(b"loss: nan") + len(b"loss: nan")
    assert _first(clean[:cut]) == _first(clean)
    assert _first(clean[: cut + 3]) == _first(clean)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16"])
def test_legacy_encodings_of_chinese_logs(encoding: str) -> None:
    text = "训练开始\n" + "".join(
        f"第1轮 步数 {i} 损失: {v} 学习率: 0.001\n" for i, v in enumerate(["0.9", "0.7", "nan"], 1)
    )
    data = text.encode(encoding)
    assert _first(data) == (4, "loss")


def test_utf8_with_garbage_in_the_middle() -> None:
    data = PLAIN.read_bytes()
    middle = len(data) // 3
    middle = data.index(b"\n", middle) + 1
    noisy = data[:middle] + b"\xff\xfe\xc3\x28 garbage \x00\x00\n" + data[middle:]
    clean_first, noisy_first = _first(data), _first(noisy)
    assert clean_first is not None and noisy_first is not None
    assert noisy_first[0] == clean_first[0] + (
        1 if clean_first[0] > data[:middle].count(b"\n") else 0
    )


def _spawn(*args: str, stdin: int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "nanlog", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_ctrl_c_exits_130_without_traceback() -> None:
    read_fd, write_fd = os.pipe()
    proc = _spawn("diagnose", "-", stdin=read_fd)
    os.write(write_fd, b"step 1 loss 0.5\n")
    wait_for(lambda: bytes_in_pipe(read_fd) == 0)  # it has started reading: not at import time
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    os.close(write_fd)
    os.close(read_fd)
    assert proc.returncode == 130
    assert b"Traceback" not in err and err.strip() == b"nanlog: interrupted"


def test_stdin_closed_early_is_read_as_far_as_it_went() -> None:
    proc = _spawn("diagnose", "--format", "json", "-", stdin=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(b"step 1 loss 0.5\nstep 2 loss nan\nstep 3 lo")
    proc.stdin.close()
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 1, err
    assert b'"line": 2' in out


def test_empty_stdin_is_exit_2() -> None:
    proc = _spawn("diagnose", "-", stdin=subprocess.DEVNULL)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and b"empty input" in err and err.count(b"\n") == 1


def test_directory_with_no_logs_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "model.ckpt.bin").write_bytes(b"\x00")
    proc = _spawn("diagnose", str(tmp_path))
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and b"no log files" in err


def _diagnosis(data: bytes) -> tuple[int | None, str | None]:
    from nanlog.engine import diagnose_run

    report = diagnose_run(parse_stream(io.BytesIO(data), "t"))
    first = report.first_nonfinite
    return (None if first is None else int(first["line"])), (
        report.causes[0].id if report.causes else None
    )  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "path",
    [KERAS, PLAIN, SAMPLE_LOGS / "hf" / "hf_exploding_gradients_tty.log"],
    ids=lambda p: p.name,
)
@pytest.mark.parametrize("how", ["crlf", "nul", "invalid-utf8", "gzip", "no-final-newline"])
def test_damaged_copies_get_the_same_diagnosis(path: Path, how: str) -> None:
    import gzip

    data = path.read_bytes()
    lines = data.split(b"\n")
    damaged = {
        "crlf": data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
        "nul": b"\n".join(line + b"\x00" for line in lines),
        "invalid-utf8": b"\n".join(
            line + (b"\xff\xc3" if i % 7 == 3 else b"") for i, line in enumerate(lines)
        ),
        "gzip": gzip.compress(data),
        "no-final-newline": data.rstrip(b"\r\n"),
    }[how]
    assert _diagnosis(damaged) == _diagnosis(data)


def test_closed_pipe_during_diagnose_is_quiet() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nanlog",
            "diagnose",
            "--format",
            "jsonl",
            str(SAMPLE_LOGS),  # more than a pipe buffer of output
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert b"Traceback" not in err
