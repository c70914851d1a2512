"""A long log is parsed where the diagnosis reads it; the diagnosis must not change.

The real settings only sample logs of more than a few hundred KB, so every sample and real
log here is read with tiny blocks instead (the same code path, scaled down): where it broke
(metric, step, line), whether it is a problem or a divergence, and the top cause must equal
the full parse's, with either prefilter.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from nanlog.engine import Report, diagnose_run
from nanlog.errors import NanlogError
from nanlog.io import TextReader
from nanlog.parsing import EVERY_LINE, parse, parse_stream
from nanlog.prefilter import EVENT, NONFINITE, HyperscanScanner, PythonScanner, best_scanner
from nanlog.reporters.base import report_to_dict
from nanlog.sampling import SampledReader, Settings

from .conftest import labelled_logs

TINY = Settings(
    block_bytes=300,
    head_bytes=2000,
    before=2,
    after=1,
    max_regions=8,
    max_flagged_bytes=8192,
    samples=16,
    sample_bytes=128,
)


def _verdict_of(path: Path, sampling: Settings) -> tuple[object, ...]:
    """The verdict, or the error when the log holds no training metric (then both readings
    must refuse it alike)."""
    try:
        return _verdict(diagnose_run(parse(path, sampling=sampling)))
    except NanlogError as exc:
        return ("refused", str(exc))


def _verdict(report: Report) -> tuple[object, ...]:
    where = report.first_nonfinite
    return (
        report.problem,
        where and (where["metric"], where["step"], where["line"]),
        report.divergence is not None,
        report.causes[0].id if report.causes else None,
    )


@pytest.mark.parametrize("scanner", ["python", "best"])
@pytest.mark.parametrize("path", labelled_logs(), ids=lambda p: p.name)
def test_sampled_reading_gives_the_full_parse_diagnosis(
    path: Path, scanner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if scanner == "python":
        monkeypatch.setenv("NANLOG_PREFILTER", "python")
    assert _verdict_of(path, TINY) == _verdict_of(path, EVERY_LINE)


@pytest.mark.parametrize("path", labelled_logs(), ids=lambda p: p.name)
def test_with_the_real_settings_a_sample_or_real_log_gets_the_full_report(path: Path) -> None:
    """Every sample and real log is shorter than the head the reader parses whole: the whole
    report (not only the verdict) equals the full parse's."""
    try:
        full = report_to_dict(diagnose_run(parse(path, sampling=EVERY_LINE)))
    except NanlogError:
        with pytest.raises(NanlogError):
            parse(path)
        return
    assert report_to_dict(diagnose_run(parse(path))) == full


def _long_log(
    break_at: int, lines: int = 20_000, logger: str = "2024-06-11 12:00:00,123 INFO train: "
) -> bytes:
    """Hand-written key=value lines: a finite loss, NaN from ``break_at`` on."""
    out = io.StringIO()
    for step in range(1, lines + 1):
        loss = "nan" if step >= break_at else f"{2.5 - step * 1e-5:.5f}"
        out.write(f"{logger}step={step}, loss={loss}, lr=0.0003\n")
    return out.getvalue().encode()


def test_a_long_log_is_sampled_and_its_break_found_exactly() -> None:
    data = _long_log(break_at=17_345)
    run = parse_stream(io.BytesIO(data), "t", sampling=Settings(block_bytes=4096, head_bytes=8192))
    assert run.gaps, "the middle was left out"
    assert any("a long log" in w for w in run.warnings)
    assert run.lines == 20_000
    report = diagnose_run(run)
    assert report.first_nonfinite is not None
    assert (report.first_nonfinite["step"], report.first_nonfinite["line"]) == (17_345, 17_345)
    assert run.records < 20_000  # most values were not parsed


def test_line_numbers_stay_exact_through_gzip_and_left_out_blocks() -> None:
    data = gzip.compress(_long_log(break_at=9_001, lines=12_000))
    run = parse_stream(
        io.BytesIO(data), "t.gz", sampling=Settings(block_bytes=2048, head_bytes=4096)
    )
    report = diagnose_run(run)
    assert run.gaps and report.first_nonfinite is not None
    assert report.first_nonfinite["line"] == 9_001


def test_a_short_log_is_read_whole() -> None:
    run = parse_stream(io.BytesIO(_long_log(break_at=50, lines=100)), "t")
    assert run.gaps == [] and not run.warnings


def test_most_of_a_long_healthy_log_is_not_parsed() -> None:
    data = _long_log(break_at=10**9, lines=30_000, logger="")  # no envelope: text is bytes
    settings = Settings(block_bytes=4096, head_bytes=4096, before=2, samples=16)
    reader = SampledReader(TextReader(io.BytesIO(data), "t"), len(data), settings)
    texts = [chunk.text for chunk in reader.chunks()]
    assert reader.coverage.bytes_total == len(data)
    assert sum(len(t) for t in texts) == reader.coverage.bytes_parsed
    assert reader.coverage.bytes_parsed < len(data) / 4
    assert texts[-1].endswith("step=30000, loss=2.20000, lr=0.0003\n")  # the end is read


@pytest.mark.parametrize(
    ("block", "flags"),
    [
        (b"step=1 loss=nan lr=0.1\n", NONFINITE),
        (b"step=1 loss=-inf\n", NONFINITE),
        (b"loss: NaN - accuracy: 0.1\n", NONFINITE),
        (b"'loss': Infinity\n", NONFINITE),
        (b"loss 1.#QNAN\n", NONFINITE),
        (b"train_loss_step=nan.0]\n", NONFINITE),
        (b"Step 80 (23.64%): loss = 0000nan EER=0.00000\n", NONFINITE),  # f"{x:07.3f}"
        (b"run 10000nano 2000info\n", 0),
        (b"2024 INFO train: loss=0.1 information inference nanometre\n", 0),
        (b"INFO INFO INFO loss=0.5\n", 0),
        (b"Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 512\n", EVENT),
        (b"RuntimeError: CUDA error: device-side assert triggered\n", EVENT),
        (b"precision: 16-mixed\n", EVENT),
        (b"INF loss=nan Error: x\n", NONFINITE | EVENT),
    ],
)
def test_both_prefilters_flag_the_same_blocks(block: bytes, flags: int) -> None:
    assert PythonScanner().scan(block) == flags
    scanner = best_scanner()
    if isinstance(scanner, HyperscanScanner):
        assert scanner.scan(block) == flags
