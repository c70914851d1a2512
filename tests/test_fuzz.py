"""Property-based fuzzing of detection, every parser and the diagnosis.

The default run is small (the 'ci' / 'dev' hypothesis profiles). The long run:

    HYPOTHESIS_PROFILE=fuzz pytest tests/test_fuzz.py     # 5,000 inputs per test
"""

from __future__ import annotations

import codecs
import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nanlog.engine import diagnose_run
from nanlog.errors import NanlogError
from nanlog.formats import FORMATS, detect
from nanlog.io import clean
from nanlog.parsing import parse_stream

from .conftest import SAMPLE_LOGS

FORMAT_IDS = [None, *(f.id for f in FORMATS)]
SAMPLES = sorted(
    p
    for p in SAMPLE_LOGS.rglob("*")
    if p.is_file() and "generators" not in p.parts and p.suffix in (".log", ".csv", ".json")
)
SAMPLE_BYTES = {p: p.read_bytes() for p in SAMPLES}
NOISE = [
    b"INFO nanny Infinity-war",
    b"\x1b[33mWARNING\x1b[0m: Infinity is not a number here",
    b" 45%|\xe2\x96\x88\xe2\x96\x88       | 45/100 [00:01<00:02, -nan iter/s]",
    b"Saving checkpoint to /tmp/nan/inf/ckpt-inf.pt",
    b"time: 0.25  data_time: 0.01  memory: 9182",
    b"",
]


def _run(data: bytes, fmt: str | None = None) -> None:
    """Parsing and diagnosing may refuse the input (NanlogError) but must never crash."""
    try:
        run = parse_stream(io.BytesIO(data), "fuzz", fmt)
    except NanlogError:
        return
    diagnose_run(run)


def _first_line(data: bytes) -> int | None:
    try:
        run = parse_stream(io.BytesIO(data), "fuzz")
    except NanlogError:
        return None
    first = run.first_nonfinite()
    return None if first is None else first.line


@given(st.binary(max_size=4000), st.sampled_from(FORMAT_IDS))
def test_arbitrary_bytes_never_crash(data: bytes, fmt: str | None) -> None:
    _run(data, fmt)


@given(st.text(max_size=2000))
def test_arbitrary_text_never_crashes_detection_or_parsing(text: str) -> None:
    assert detect(clean(text)) in FORMATS
    _run(text.encode("utf-8", "surrogatepass"))


@given(
    st.sampled_from(SAMPLES),
    st.sampled_from(["truncate", "flip", "duplicate", "remove"]),
    st.integers(min_value=0, max_value=2**31),
)
def test_mutated_sample_logs_never_crash(path: Path, how: str, seed: int) -> None:
    data = SAMPLE_BYTES[path]
    if not data:
        return
    at = seed % len(data)
    lines = data.split(b"\n")
    i = seed % len(lines)
    mutated = {
        "truncate": data[:at],
        "flip": data[:at] + bytes([data[at] ^ (1 + seed % 255)]) + data[at + 1 :],
        "duplicate": b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]]),
        "remove": b"\n".join(lines[:i] + lines[i + 1 :]),
    }[how]
    _run(mutated)


@given(st.sampled_from(SAMPLES), st.integers(min_value=0, max_value=2**31), st.sampled_from(NOISE))
def test_noise_lines_do_not_move_the_first_nonfinite_value(
    path: Path, seed: int, noise: bytes
) -> None:
    data = SAMPLE_BYTES[path]
    lines = data.split(b"\n")
    i = seed % len(lines)
    noisy = b"\n".join([*lines[:i], noise, *lines[i:]])
    before, after = _first_line(data), _first_line(noisy)
    if path.suffix in (".csv", ".json") or before is None:
        return  # structured files: a foreign line is not noise there
    assert after == (before + 1 if before > i else before)


@pytest.mark.parametrize("path", SAMPLES[:: max(1, len(SAMPLES) // 25)], ids=lambda p: p.name)
@pytest.mark.parametrize("how", ["gzip", "crlf", "utf-16", "bom"])
def test_reencodings_do_not_change_the_first_nonfinite_line(path: Path, how: str) -> None:
    data = SAMPLE_BYTES[path]
    changed = {
        "gzip": lambda d: gzip.compress(d),
        "crlf": lambda d: d.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
        "utf-16": lambda d: d.decode("utf-8", "replace").encode("utf-16"),
        "bom": lambda d: codecs.BOM_UTF8 + d,
    }[how](data)
    assert _first_line(changed) == _first_line(data)


@given(st.lists(st.binary(max_size=300), max_size=20), st.sampled_from(FORMAT_IDS))
def test_live_monitor_never_crashes_on_arbitrary_pieces(
    pieces: list[bytes], fmt: str | None
) -> None:
    from nanlog.live import Monitor

    monitor = Monitor("fuzz", fmt)
    for piece in pieces:
        monitor.feed(piece)
    monitor.close()
