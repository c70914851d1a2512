"""``nanlog parse`` gives every value, streamed: a long log's rows are written as they are
read and forgotten, and the output is the same as when the whole series is kept."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from nanlog.io import Source
from nanlog.output import CsvExport, JsonExport, write_series_csv, write_series_json
from nanlog.parsing import EVERY_LINE, parse, stream_source
from nanlog.progress import ReadProgress

from .conftest import SAMPLE_LOGS

LOGS = [
    SAMPLE_LOGS / "keras" / "keras3_exploding_gradients_v1_pipe.log",
    SAMPLE_LOGS / "lightning" / "lightning_exploding_gradients_pipe.log",
    SAMPLE_LOGS / "pytorch" / "pytorch_print_bad_input_data_pipe.log",
    SAMPLE_LOGS / "pytorch" / "pytorch_fp16_mixed_precision_overflow_pipe.log",
]


def _streamed(path: Path, export_class: type, stream_after: int) -> tuple[str, int]:
    out = io.StringIO()
    export = export_class(out)
    held = []

    def flush(run):  # type: ignore[no-untyped-def]
        export.flush(run)
        held.append(len(run.series))

    run = stream_source(Source(str(path), path), None, flush, stream_after=stream_after)
    export.close(run)
    return out.getvalue(), max(held, default=0)


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_a_streamed_export_equals_the_whole_one(path: Path) -> None:
    whole = io.StringIO()
    write_series_csv(parse(path, sampling=EVERY_LINE), whole)
    streamed, held = _streamed(path, CsvExport, stream_after=0)
    assert streamed == whole.getvalue()
    assert held < parse(path, sampling=EVERY_LINE).records  # rows were written and dropped

    whole_json = io.StringIO()
    write_series_json(parse(path, sampling=EVERY_LINE), whole_json)
    streamed_json, _ = _streamed(path, JsonExport, stream_after=0)
    assert json.loads(streamed_json) == json.loads(whole_json.getvalue())


def test_the_progress_bar_waits_then_draws_and_leaves_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nanlog import progress

    screen = io.StringIO()
    monkeypatch.setattr(progress.sys, "stderr", screen)
    bar = ReadProgress("train.log", 1000)
    bar(10)  # within the delay: nothing drawn
    assert bar._bar is None and screen.getvalue() == ""
    monkeypatch.setattr(progress, "DELAY", 0.0)
    bar(500)
    assert bar._bar is not None
    bar.close()
    assert bar._bar is None


def test_a_long_log_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    """Hand-written key=value lines, several reader chunks long."""
    path = tmp_path / "long.log"
    with path.open("w") as out:
        for step in range(1, 60_001):
            out.write(
                f"epoch={step // 1000} iter={step}, loss={2.5 - step * 1e-5:.5f}, lr=0.0003\n"
            )
    whole = io.StringIO()
    write_series_csv(parse(path, sampling=EVERY_LINE), whole)
    streamed, held = _streamed(path, CsvExport, stream_after=0)
    assert streamed == whole.getvalue()
    assert streamed.count("\n") == 1 + 120_000
    assert held < 60_000  # never more than about a chunk's records at once
