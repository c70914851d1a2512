"""Input is shown, never obeyed: escape sequences, workflow commands, Markdown, JSON, damage.

Hand-written hostile inputs, one edge case each (issue: security and reliability).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nanlog.engine import diagnose_run
from nanlog.io import MAX_CARRY_CHARS, clean
from nanlog.parsing import EVERY_LINE, parse_stream
from nanlog.reporters import REPORTERS
from nanlog.safety import code_span, markdown_text, shown, strip_controls

HOSTILE = (
    "\x1b]0;pwned title\x07"  # window title
    "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # clipboard (OSC 52)
    "\x1bc"  # full reset
    "\x1b[2J\x1b[H"  # clear screen, cursor home
    "\x1b\x00]0;after-nul\x07"  # ESC NUL ] becomes ESC ] once NUL is removed
    "\x1bP1$qm\x1b\\"  # DCS
    "\x1b#8"  # screen alignment test
    "\x9b31m"  # C1 CSI
    "\x1bkscreen-title\x1b\\"  # screen's title
)


def _nanlog(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NO_COLOR": ""}
    return subprocess.run(
        [sys.executable, "-m", "nanlog", *args], input=stdin, capture_output=True, env=env
    )


def _report(text: str, fmt: str, color: bool = False) -> str:
    report = diagnose_run(parse_stream(io.BytesIO(text.encode("utf-8", "surrogatepass")), "t"))
    return REPORTERS[fmt](color, 100).render([report])


LOG = (
    f"step 1 loss 0.9 {HOSTILE}\nstep 2 loss 0.8\nstep 3 loss nan [blink]markup[/blink] {HOSTILE}\n"
)
# A failure printed only as a message: its text becomes the report's headline.
MESSAGE_LOG = (
    "step 1 loss 0.5\n"
    "NanLossDuringTrainingError: NaN loss during training. "
    f"<img src=https://x.test/p.png> [x](javascript:alert(1)) `code` {HOSTILE}\n"
)


@pytest.mark.parametrize("color", [False, True])
def test_no_escape_sequence_from_the_log_reaches_the_terminal(color: bool) -> None:
    out = _report(LOG, "text", color)
    for sequence in ("\x1b]", "\x1bc", "\x1bP", "\x1b#", "\x9b", "\x07", "\x1bk", "\x00"):
        assert sequence not in out
    if not color:
        assert "\x1b" not in out
    assert "[blink]markup[/blink]" in out  # rich markup in the log is shown, not applied


def test_clean_removes_nul_before_escapes() -> None:
    assert clean("a\x1b\x00]0;t\x07b") == "ab"
    assert "\x1b" not in clean(HOSTILE)


def test_a_stray_osc_does_not_swallow_the_lines_after_it() -> None:
    lines = ["stray \x1b] start"] + [f"step {i} loss {1 / i:.3f}" for i in range(1, 60)]
    lines += ["step 60 loss nan", "bell \x07 here"]
    run = parse_stream(io.BytesIO("\n".join(lines).encode()), "t")
    first = run.first_nonfinite()
    assert first is not None and first.line == 61
    assert run.records == 60


def test_shown_makes_one_visible_line() -> None:
    assert shown("a\nb\x1b[31m\udcff") == "a\\nb\\x1b[31m\\xff"
    assert strip_controls("x\x1b[31my\x9b1mz\x7f") == "xyz"


def test_a_file_name_cannot_start_a_workflow_command(tmp_path: Path) -> None:
    name = str(tmp_path / "x\n::warning title=pwned::hello")
    result = _nanlog("diagnose", name)
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and not any(line.startswith("::") for line in lines)


def test_github_annotations_escape_the_input() -> None:
    out = _report(LOG, "github")
    for line in out.splitlines():
        assert line.startswith("::")  # one command per line, nothing injected
    assert "\x1b" not in out


def test_markdown_escapes_html_markup_and_code_spans() -> None:
    out = _report(MESSAGE_LOG, "markdown")
    assert "<img" not in out and "&lt;img" in out
    assert "[x](javascript" not in out  # brackets escaped: no link
    assert "\x1b" not in out
    assert markdown_text("<b>*x*</b> | y") == "&lt;b&gt;\\*x\\*&lt;/b&gt; \\| y"
    assert code_span("a``b") == "```a``b```"


def test_json_is_strict_and_valid_utf8_with_a_non_utf8_file_name(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/log\xff.log"
    with open(raw, "wb") as handle:
        handle.write(b"step 1 loss 0.5 epoch=inf\nstep 2 loss nan\n")
    result = _nanlog("diagnose", "--format", "json", os.fsdecode(raw))
    text = result.stdout.decode("utf-8")  # raises if the output is not UTF-8
    document = json.loads(text, parse_constant=_reject)
    assert document["first_nonfinite"]["line"] == 2


def _reject(constant: str) -> None:
    raise ValueError(f"non-strict JSON constant {constant}")


@pytest.mark.parametrize(
    "text",
    [
        "{'loss': 0.5, 'epoch': 1e39}\n{'loss': nan, 'epoch': 1e39}\n",
        "step=1 loss=0.5 epoch=inf\nstep=2 loss=nan epoch=inf\n",
        '{"step": Infinity, "loss": 0.5}\n{"step": Infinity, "loss": NaN}\n',
    ],
)
def test_absurd_positions_do_not_crash(text: str) -> None:
    for fmt in ("json", "text", "markdown", "github"):
        assert _report(text, fmt)
    result = _nanlog("parse", "--format", "json", "-", stdin=text.encode())
    assert result.returncode == 0
    json.loads(result.stdout, parse_constant=_reject)


def _gzipped_log() -> bytes:
    lines = [f"step {i} loss {1 / i:.4f}" for i in range(1, 3000)] + ["step 3000 loss nan"]
    return gzip.compress(("\n".join(lines) + "\n").encode())


def test_a_truncated_gzip_keeps_what_precedes_the_cut() -> None:
    data = _gzipped_log()
    run = parse_stream(io.BytesIO(data[:-12]), "t")  # the gzip trailer (CRC, size) is gone
    first = run.first_nonfinite()
    assert first is not None and first.line == 3000
    assert any("truncated" in w for w in run.warnings)
    report = diagnose_run(run)
    assert any("truncated" in note for note in report.notes)


def test_trailing_garbage_after_a_gzip_keeps_everything() -> None:
    run = parse_stream(io.BytesIO(_gzipped_log() + b"garbage\x00\x01"), "t")
    first = run.first_nonfinite()
    assert first is not None and first.line == 3000
    assert any("trailing" in w for w in run.warnings)


@pytest.mark.parametrize("start", [b"BZh is how this log starts\n", b"\xfd7zXZ\x00 not xz\n"])
def test_text_that_starts_like_a_compressed_file_is_read_as_text(start: bytes) -> None:
    run = parse_stream(io.BytesIO(start + b"step 1 loss 0.5\nstep 2 loss nan\n"), "t")
    assert run.records == 2


def test_a_number_at_the_cut_of_a_newline_free_line_is_not_split() -> None:
    filler = "pad " * ((MAX_CARRY_CHARS - 10) // 4)
    text = filler + "loss=12345.0 loss=nan"  # no newline at all, longer than one carry
    run = parse_stream(io.BytesIO(text.encode()), "t")
    values = list(run.series.value)
    assert 12345.0 in values and any(v != v for v in values)


def test_many_distinct_metric_names_are_diagnosed() -> None:
    """80k names once made the curve table quadratic (list.index per record); the timing is in
    benchmarks/pathological.py, here the result."""
    text = "".join(f"step {i} loss_{i} 0.5\n" for i in range(20_000)) + "step 20000 loss nan\n"
    report = diagnose_run(parse_stream(io.BytesIO(text.encode()), "t"))
    assert report.problem and report.first_nonfinite is not None


def test_one_failing_input_does_not_lose_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nanlog import diagnosis

    good, bad = tmp_path / "good.log", tmp_path / "bad.log"
    good.write_text("step 1 loss 0.5\nstep 2 loss nan\n")
    bad.write_text("step 1 loss 0.5\n")
    real = diagnosis.parse_source

    def failing(source, input_format=None, **options):  # type: ignore[no-untyped-def]
        if source.name.endswith("bad.log"):
            raise MemoryError("simulated")
        return real(source, input_format, **options)

    monkeypatch.setattr(diagnosis, "parse_source", failing)
    monkeypatch.setattr(diagnosis.os, "cpu_count", lambda: 1)  # in this process, not a pool
    reports, errors = diagnosis.diagnose_inputs([str(good), str(bad)], None)
    assert [r.error is None for r in reports] == [True, False]
    assert reports[0].problem and "MemoryError" in errors[0]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "cp1252"])
def test_any_output_encoding_gets_a_report(tmp_path: Path, encoding: str) -> None:
    log = tmp_path / "cjk.log"
    log.write_text("step 1 损失 0.5\nstep 2 损失 nan\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", "diagnose", str(log)], capture_output=True, env=env
    )
    assert result.returncode == 1, result.stderr
    assert b"internal error" not in result.stderr
    result.stdout.decode(encoding)  # what was written is in the stream's encoding


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("step 1 loss 0.5\nstep 2 loss nan\n")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "nanlog", "diagnose", str(log)],
            stdout=full,
            stderr=subprocess.PIPE,
        )
    assert result.returncode == 2
    assert (
        result.stderr.decode().count("\n") == 1 and "internal error" not in result.stderr.decode()
    )
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "nanlog", "diagnose", str(tmp_path / "missing.log")],
            stdout=subprocess.PIPE,
            stderr=full,
        )
    assert result.returncode == 2


def test_closed_stdin_is_one_clear_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", "diagnose", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    assert result.returncode == 2  # empty input
    closed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.close(0); from nanlog.cli import main; main(['diagnose', '-'])",
        ],
        capture_output=True,
    )
    assert closed.returncode == 2 and closed.stderr.count(b"\n") == 1
    assert b"standard input" in closed.stderr and b"Traceback" not in closed.stderr


def test_a_record_bomb_is_thinned_not_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """``yes loss=1.0 | head -c 1G | gzip``: memory stays bounded; the break and the counts
    stay exact. (Scaled down: the bound is lowered for the test.)"""
    from nanlog import model

    monkeypatch.setattr(model, "MAX_RECORDS", 3_000)
    monkeypatch.setattr(model, "KEEP_HEAD", 200)
    monkeypatch.setattr(model, "KEEP_RECENT", 1_000)
    lines = [f"step {i} loss {1.0 + (i % 7) / 100:.2f}" for i in range(1, 60_001)]
    lines.insert(30_000, "step 30000 loss 5e9")  # a huge value in the middle is kept
    lines.append("step 60001 loss nan")
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    run = parse_stream(io.BytesIO(data), "t", sampling=EVERY_LINE)  # as `nanlog parse` reads
    assert len(run.series) <= 3_000 + 70_000 // 16  # bounded by the budget plus one chunk
    assert run.records == 60_002
    first = run.first_nonfinite()
    assert first is not None and first.line == 60_002
    assert 5e9 in list(run.series.value)
    report = diagnose_run(run)
    assert report.problem and any("thinned" in note for note in report.notes)
    # diagnose reads it in samples: bounded by the sampling, the break still exact
    sampled = parse_stream(io.BytesIO(data), "t")
    assert sampled.gaps and len(sampled.series) < 3_000 + 70_000 // 16
    first = sampled.first_nonfinite()
    assert first is not None and first.line == 60_002
