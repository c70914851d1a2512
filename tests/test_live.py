"""Live: `nanlog run` and `nanlog watch` with real child processes, and the Monitor itself."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nanlog.engine import diagnose_run
from nanlog.io import Source
from nanlog.live import Monitor
from nanlog.parsing import parse_source
from nanlog.reporters import report_to_dict

from .conftest import ROOT, SAMPLE_LOGS, read_offset, wait_for

FAKE = str(Path(__file__).parent / "live" / "fake_train.py")
LIVE_SAMPLES = [
    SAMPLE_LOGS / "keras" / "keras3_bad_input_data_v1_tty.log",
    SAMPLE_LOGS / "keras" / "tfkeras_exploding_gradients_v1_pipe.log",
    SAMPLE_LOGS / "lightning" / "lightning_invalid_learning_rate_tty.log",
    SAMPLE_LOGS / "lightning" / "lightning_healthy_metrics.csv",
    SAMPLE_LOGS / "hf" / "hf_bad_input_data_tty.log",
    SAMPLE_LOGS / "hf" / "hf_exploding_gradients_trainer_state.json",
    SAMPLE_LOGS / "pytorch" / "pytorch_chinese_bad_input_data_pipe.log",
    SAMPLE_LOGS / "pytorch" / "pytorch_logging_label_out_of_range_pipe.log",
]


def _comparable(report: object) -> dict[str, object]:
    data = report_to_dict(report)  # type: ignore[arg-type]
    data.pop("source")
    return data


def _diagnose_file(path: Path) -> dict[str, object]:
    return _comparable(diagnose_run(parse_source(Source(str(path), path))))


@pytest.mark.parametrize("piece", [1, 7, 100, 5000])
@pytest.mark.parametrize("path", LIVE_SAMPLES, ids=lambda p: p.name)
def test_monitor_final_report_equals_diagnose(path: Path, piece: int) -> None:
    """Fed in random pieces, the live engine ends with the same report as diagnose."""
    data = path.read_bytes()
    rnd = random.Random(piece)
    monitor = Monitor(str(path))
    at = 0
    while at < len(data):
        size = rnd.randint(1, piece)
        monitor.feed(data[at : at + size])
        at += size
    assert _comparable(monitor.close()) == _diagnose_file(path)


def nanlog(
    *args: str, stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", *args], input=stdin, capture_output=True, timeout=timeout
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def _marks(path: Path) -> dict[str, tuple[float, int]]:
    found = {}
    for line in path.read_text().splitlines():
        kind, when, _, step = line.split()
        found[kind] = (float(when), int(step))
    return found


@pytest.mark.parametrize("style", ["plain", "keras", "hf"])
def test_run_stops_the_child_at_the_first_nan(style: str, tmp_path: Path) -> None:
    marks, log = tmp_path / "marks.txt", tmp_path / "train.log"
    result = nanlog(
        "run",
        "--stop-on-nan",
        "--grace",
        "5",
        "--log",
        str(log),
        "--format",
        "json",
        "--",
        sys.executable,
        FAKE,
        "--style",
        style,
        "--nan-at",
        "25",
        "--steps",
        "60",
        "--marks",
        str(marks),
        "--hold-at-nan",
        "120",  # the child waits at its NaN step: no race between its next step and the stop
    )
    assert result.returncode == 1
    got = _marks(marks)
    assert got["nan"][1] == 25 and got["sigint"][1] == 25, got  # stopped at that step
    assert "saving checkpoint before exit" in result.stdout  # SIGINT first: the child could save
    assert "nanlog: NaN: loss turned nan" in result.stderr
    assert f"nanlog: stopping {sys.executable} (--stop-on-nan): SIGINT now" in result.stderr
    report = json.loads(result.stderr[result.stderr.index("{") :])
    assert report["first_nonfinite"]["metric"] == "loss"
    assert report["source"] == str(log)  # its line numbers are lines of the --log copy
    captured = _diagnose_file(log)
    report.pop("source")
    assert report == json.loads(json.dumps(captured))  # the final report equals diagnose on the log


def test_run_passes_output_through_and_keeps_the_exit_code(tmp_path: Path) -> None:
    result = nanlog(
        "run", "--", sys.executable, FAKE, "--steps", "20", "--delay", "0", "--exit-code", "3"
    )
    assert result.returncode == 3
    assert result.stdout.splitlines()[0] == "epoch 1 step 1 loss 1.9400 lr 0.001"
    assert result.stdout.splitlines()[-1] == "training finished"


def test_run_healthy_is_0_and_a_nan_in_a_successful_run_is_1() -> None:
    healthy = nanlog("run", "--", sys.executable, FAKE, "--steps", "20", "--delay", "0")
    assert healthy.returncode == 0, healthy.stderr
    broken = nanlog(
        "run", "--", sys.executable, FAKE, "--steps", "20", "--delay", "0", "--nan-at", "10"
    )
    assert broken.returncode == 1
    assert "training finished" in broken.stdout  # not stopped without --stop-on-nan


def test_run_stop_on_divergence(tmp_path: Path) -> None:
    marks = tmp_path / "marks.txt"
    result = nanlog(
        "run",
        "--stop-on-divergence",
        "--",
        sys.executable,
        FAKE,
        "--grow",
        "--steps",
        "60",
        "--marks",
        str(marks),
    )
    assert result.returncode == 1
    assert "nanlog: warning: loss is" in result.stderr and "diverging" in result.stderr
    assert "sigint" in marks.read_text()


def test_run_escalates_when_the_child_ignores_sigint(tmp_path: Path) -> None:
    stubborn = tmp_path / "stubborn.py"
    woke = tmp_path / "woke"
    stubborn.write_text(
        "import signal, time, sys\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "print('step 1 loss 0.5', flush=True)\nprint('step 2 loss nan', flush=True)\n"
        f"time.sleep(60)\nopen({str(woke)!r}, 'w').write('slept through')\n"
    )
    result = nanlog("run", "--stop-on-nan", "--grace", "0.5", "--", sys.executable, str(stubborn))
    assert result.returncode == 1
    assert not woke.exists()  # SIGTERM ended it: nanlog did not wait for it to finish
    assert "still running after 0.5 s: SIGTERM" in result.stderr  # it says why it escalates


def test_run_a_command_that_cannot_start() -> None:
    result = nanlog("run", "--", "/nonexistent/train")
    assert result.returncode == 2
    assert result.stderr.startswith("nanlog: error: cannot start /nonexistent/train")
    assert result.stderr.count("\n") == 1


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="reads /proc")
def test_watch_follows_appends_and_truncation(tmp_path: Path) -> None:
    path = tmp_path / "train.log"
    path.write_text("epoch 1 step 1 loss 0.9 lr 0.1\n")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nanlog",
            "watch",
            "--idle-exit",
            "3",
            "--format",
            "json",
            str(path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    read_all = lambda: read_offset(proc.pid, path) == path.stat().st_size  # noqa: E731
    wait_for(read_all)  # nanlog has opened the log and read it
    with path.open("a") as handle:
        for step in range(2, 6):
            handle.write(f"epoch 1 step {step} loss {1 / step:.3f} lr 0.1\n")
            handle.flush()
    wait_for(read_all)  # ... and the appended lines, before the run restarts
    path.write_text("")  # truncated: the run restarted
    with path.open("a") as handle:
        for step in range(1, 4):
            handle.write(f"epoch 1 step {step} loss {'nan' if step == 3 else 0.5}\n")
            handle.flush()
            time.sleep(0.1)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert b"nanlog: NaN: loss turned nan at step 3" in err
    report = json.loads(out)
    assert report["records"] == 13 and report["first_nonfinite"]["step"] == 3
    assert report["first_nonfinite"]["line"] == 3  # the line in the file as it is now


def test_watch_stdin_exit_on_nan() -> None:
    lines = b"".join(f"step {i} loss {'nan' if i == 5 else 1 / i}\n".encode() for i in range(1, 10))
    result = nanlog("watch", "--exit-on-nan", "-", stdin=lines)
    assert result.returncode == 1
    assert "loss turned nan at step 5" in result.stderr


def test_watch_a_file_in_a_missing_folder_is_an_error_at_once() -> None:
    result = nanlog("watch", "/nonexistent-folder/train.log")
    assert result.returncode == 2 and "no such file" in result.stderr


def test_watch_waits_for_a_missing_file_up_to_idle_exit(tmp_path: Path) -> None:
    result = nanlog("watch", "--idle-exit", "0.5", str(tmp_path / "train.log"))
    assert result.returncode == 2
    assert "waiting for" in result.stderr and "(waited 0.5 s)" in result.stderr


def test_watch_reads_a_file_that_appears_after_it_started(tmp_path: Path) -> None:
    """The usual order: start watch, then the training. The file is created by the say
    callback when watch says it is waiting, so there is no race to time."""
    from nanlog.follow import watch
    from nanlog.live import LiveEvent, Monitor

    path = tmp_path / "train.log"
    said: list[str] = []

    def say(event: LiveEvent) -> None:
        said.append(event.message)
        if "waiting for" in event.message:
            path.write_text("step 1 loss 1.0\nstep 2 loss nan\n")

    monitor = Monitor(str(path))
    outcome = watch(str(path), monitor, say, True, False, None, poll=0.01)
    assert outcome.stopped
    assert any("waiting for" in m for m in said)
    report = monitor.close()
    assert report.first_nonfinite is not None and report.first_nonfinite["line"] == 2


def test_watch_says_what_it_watches_and_how_to_stop(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_text("step 1 loss 1.0\nstep 2 loss 0.9\n")
    result = nanlog("watch", "--idle-exit", "0.2", str(log))
    assert result.returncode == 0
    assert result.stderr.startswith(f"nanlog: watching {log}; 0.2 s without growth, or Ctrl-C")


def test_readme_shows_run() -> None:
    assert "nanlog run --stop-on-nan -- python" in (ROOT / "README.md").read_text()


def test_live_children_do_not_leak(tmp_path: Path) -> None:
    marks = tmp_path / "m.txt"
    nanlog(
        "run", "--stop-on-nan", "--", sys.executable, FAKE, "--nan-at", "3", "--marks", str(marks)
    )
    assert os.path.exists(marks)


def test_python_child_output_is_not_block_buffered_through_pipes(tmp_path: Path) -> None:
    """Without a pty, a Python child is asked for unbuffered output, so the NaN is seen at once."""
    script = tmp_path / "slow.py"
    woke = tmp_path / "woke"
    script.write_text(
        "import os, time\nprint('unbuffered' if os.environ.get('PYTHONUNBUFFERED') else 'buffered')\n"
        f"print('step 1 loss nan')\ntime.sleep(60)\nopen({str(woke)!r}, 'w').write('x')\n"
    )
    result = nanlog("run", "--stop-on-nan", "--grace", "1", "--", sys.executable, str(script))
    assert result.returncode == 1 and result.stdout.startswith("unbuffered")
    assert not woke.exists()  # the NaN was seen while the child still ran, not at its end


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script for a terminal")
def test_run_in_a_terminal_gives_the_child_a_terminal() -> None:
    """Progress bars keep working: under a terminal the child gets a pseudo-terminal too."""
    child = f"{sys.executable} -c 'import sys; print(\"tty\", sys.stdout.isatty())'"
    inner = f"{sys.executable} -m nanlog run -- {child}"
    result = subprocess.run(
        ["script", "-qec", inner, "/dev/null"],
        capture_output=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert b"tty True" in result.stdout


def test_monitor_stays_bounded_on_floods() -> None:
    """Start-up noise is read at once (no re-sniffing of a growing head), a newline-free flood
    and ``\\r``-only redraws keep the carried text and the quote window bounded."""
    from nanlog.io import MAX_CARRY_CHARS
    from nanlog.live import WINDOW

    monitor = Monitor("t")
    monitor.feed(b"noise without any metric " * 10 + b"\n")
    assert monitor.parser is not None
    piece = b"x" * (1 << 20)
    for _ in range(20):
        monitor.feed(piece)
        assert len(monitor.carry) <= MAX_CARRY_CHARS + len(piece)
    bars = Monitor("t")
    for start in range(0, 80_000, 50):  # about 3 MB of redraws, no newline
        bars.feed(
            "".join(
                f"\r{step}/80000 [====>....] - loss: 0.5" for step in range(start, start + 50)
            ).encode()
        )
    assert len(bars.window) <= 2 * WINDOW
    report = bars.close()
    assert report.records > 0


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_watch_reads_a_fifo_as_it_arrives(tmp_path: Path) -> None:
    fifo = tmp_path / "train.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanlog", "watch", "--exit-on-nan", "--format", "json", str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    with fifo.open("w") as writer:  # blocks until nanlog opened it
        writer.write("step 1 loss 0.5\nstep 2 loss nan\n")
        writer.flush()
        # nanlog must stop on the NaN while the writer is still open (not only at its close)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert json.loads(out)["first_nonfinite"]["line"] == 2


def test_watch_reads_a_gzipped_log(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "train.log.gz"
    path.write_bytes(gzip.compress(b"step 1 loss 0.5\nstep 2 loss nan\n"))
    result = nanlog("watch", "--format", "json", str(path))
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["first_nonfinite"]["line"] == 2
