"""TensorBoard event files, written by TensorBoard's own writer (the one PyTorch's
SummaryWriter and Lightning's TensorBoardLogger use)."""

from __future__ import annotations

import builtins
import math
from pathlib import Path

import pytest

from nanlog.engine import diagnose_run
from nanlog.errors import NanlogError
from nanlog.io import Source, list_log_files
from nanlog.parsing import parse_source

pytest.importorskip("tensorboard")

LOSSES = [2.3, 1.9, 1.6, 40.0, 9e4, math.nan]


def _write(folder: Path, losses: list[float] = LOSSES) -> Path:
    from tensorboard.compat.proto.event_pb2 import Event
    from tensorboard.compat.proto.summary_pb2 import Summary
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(folder))
    for step, loss in enumerate(losses, start=1):
        values = [
            Summary.Value(tag="train/loss", simple_value=loss),
            Summary.Value(tag="lr-Adam", simple_value=0.1),
        ]
        writer.add_event(Event(step=step, summary=Summary(value=values)))
    writer.close()
    return next(folder.glob("events.out.tfevents.*"))


def _parse(path: Path):  # type: ignore[no-untyped-def]
    return parse_source(Source(str(path), path))


def test_event_file_scalars_become_records(tmp_path: Path) -> None:
    run = _parse(_write(tmp_path))
    assert run.format == "tensorboard"
    first = run.first_nonfinite()
    assert first is not None and first.metric == "loss" and first.step == 6
    report = diagnose_run(run)
    assert report.problem and report.causes


def test_truncated_event_file_keeps_what_precedes_the_damage(tmp_path: Path) -> None:
    path = _write(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])  # the last record cut short
    run = _parse(path)
    assert 0 < run.records < 2 * len(LOSSES)


def test_run_folder_is_read_from_its_csv_not_twice(tmp_path: Path) -> None:
    version = tmp_path / "lightning_logs" / "version_0"
    version.mkdir(parents=True)
    _write(version)
    (version / "metrics.csv").write_text("epoch,step,train_loss\n0,0,2.3\n", encoding="utf-8")
    only_events = tmp_path / "tb"
    only_events.mkdir()
    event_file = _write(only_events)
    found = list_log_files(tmp_path)
    assert version / "metrics.csv" in found
    assert not any(p.parent == version and p.name.startswith("events") for p in found)
    assert event_file in found


def test_without_tensorboard_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path)
    real_import = builtins.__import__

    def no_tensorboard(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("tensorboard"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_tensorboard)
    with pytest.raises(NanlogError, match=r"nanlog\[tfevents\]"):
        _parse(path)
