"""``nanlog scan``: many runs, local or remote (fsspec), cached, on processes or Dask."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nanlog.cli import cli
from nanlog.scan import (
    Cache,
    FileResult,
    LogFile,
    dask_mapper,
    find_logs,
    processes,
    scan,
    serial,
)

from .conftest import SAMPLE_LOGS

# Real framework logs (sample_logs) copied into run folders, cause known from their labels.
BROKEN = SAMPLE_LOGS / "keras" / "keras3_bad_input_data_v1_pipe.log"
HEALTHY = SAMPLE_LOGS / "keras" / "keras3_healthy_v1_pipe.log"
EXPLODING = SAMPLE_LOGS / "hf" / "hf_exploding_gradients_tty.log"


def make_runs(root: Path, count: int = 6) -> Path:
    """``count`` run folders cycling through a broken, a healthy and an exploding log; the
    exploding runs also hold a file with no metrics (unreadable alone, not the run's verdict)."""
    for i in range(count):
        run = root / f"run_{i:03d}"
        run.mkdir(parents=True)
        source = (BROKEN, HEALTHY, EXPLODING)[i % 3]
        shutil.copy(source, run / "train.log")
        if source is EXPLODING:
            (run / "notes.txt").write_text("nothing to see here\n")
    return root


def _invoke(*args: str) -> tuple[int, str]:
    """In this process (a memory:// filesystem is per process); the command's exit code."""
    result = CliRunner().invoke(cli, ["scan", *args], env={"COLUMNS": "100"}, standalone_mode=False)
    if result.exception is not None:
        raise result.exception
    return int(result.return_value), result.output


def test_scan_groups_runs_by_verdict_and_cause(tmp_path: Path) -> None:
    root = make_runs(tmp_path / "sweep")
    status, out = _invoke("--no-cache", "--jobs", "1", str(root))
    assert status == 1
    head = " ".join(out.split("\n\n")[0].split())
    assert head == f"nanlog scan of {root}: 6 runs (8 logs): 4 broke, 2 healthy"
    assert "bad_input_data                    2 (50%)" in out
    assert "exploding_gradients               2 (50%)" in out
    rows = out.split("run ", 1)[1].splitlines()[1:]
    assert [r.split()[0] for r in rows if r.strip()] == [
        "run_000",
        "run_003",
        "run_002",
        "run_005",
    ]  # broken runs first, the earliest break first (step 15 before step 96)


def test_csv_and_jsonl_rows_and_a_healthy_fleet_exits_0(tmp_path: Path) -> None:
    root = make_runs(tmp_path / "sweep")
    status, out = _invoke("--no-cache", "--jobs", "1", "--format", "csv", str(root))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 1 and len(rows) == 6
    assert rows[0]["verdict"] == "broken" and rows[0]["top_cause"] == "bad_input_data"
    assert rows[0]["step"] == "15" and rows[0]["line"] == "11"
    exploding = [r for r in rows if r["top_cause"] == "exploding_gradients"]
    assert exploding and all(r["logs"] == "2" for r in exploding)
    status, out = _invoke("--no-cache", "--jobs", "1", "--format", "jsonl", str(root / "run_001"))
    assert status == 0
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == ["healthy"]


def test_a_glob_and_a_file_are_runs_too(tmp_path: Path) -> None:
    root = make_runs(tmp_path / "sweep")
    logs = find_logs([str(root / "run_00[01]" / "*.log"), str(root / "run_002" / "train.log")])
    assert [Path(log.url).parent.name for log in logs] == ["run_000", "run_001", "run_002"]


def test_nothing_to_scan_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(Exception, match="no log files found"):
        _invoke("--no-cache", str(tmp_path / "empty"))


class Counting:
    """A mapper that records which logs it was asked to diagnose."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, function, logs):  # type: ignore[no-untyped-def]
        self.seen += [log.url for log in logs]
        return serial(function, logs)


def test_a_second_scan_reads_only_what_changed(tmp_path: Path) -> None:
    root = make_runs(tmp_path / "sweep")
    cache_file = tmp_path / "cache.jsonl"
    first = Counting()
    before = scan([str(root)], first, Cache(cache_file))
    assert len(first.seen) == 8 and before.from_cache == 0
    second = Counting()
    again = scan([str(root)], second, Cache(cache_file))
    assert second.seen == [] and again.from_cache == 8
    assert again.runs == before.runs
    changed = root / "run_001" / "train.log"
    changed.write_text(changed.read_text() + "Epoch 99/99\nloss: nan\n")
    third = Counting()
    after = scan([str(root)], third, Cache(cache_file))
    assert third.seen == [str(changed)]
    assert next(r for r in after.runs if r.run.endswith("run_001")).verdict == "broken"


def test_an_interrupted_scan_resumes_from_what_it_cached(tmp_path: Path) -> None:
    root = make_runs(tmp_path / "sweep")
    cache_file = tmp_path / "cache.jsonl"
    scan([str(root)], serial, Cache(cache_file))
    lines = cache_file.read_text().splitlines()
    cache_file.write_text("\n".join(lines[:3]) + "\n" + lines[3][:20])  # cut mid-line
    resumed = Counting()
    scan([str(root)], resumed, Cache(cache_file))
    assert len(resumed.seen) == 5


def test_process_pool_gives_the_serial_result(tmp_path: Path) -> None:
    root = make_runs(tmp_path / "sweep", count=12)
    assert scan([str(root)], processes(2)).runs == scan([str(root)], serial).runs


def test_a_remote_folder_through_fsspec_memory(tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    for i, source in enumerate((BROKEN, HEALTHY)):
        fs.pipe(f"/fleet/run_{i}/train.log", source.read_bytes())
    fs.pipe("/fleet/run_1/.hidden/ignored.log", BROKEN.read_bytes())
    remote = scan(["memory://fleet"], serial)
    local = make_runs(tmp_path / "sweep", count=2)
    here = scan([str(local)], serial)
    assert [r.verdict for r in remote.runs] == [r.verdict for r in here.runs]
    assert [r.run for r in remote.runs] == ["memory://fleet/run_0", "memory://fleet/run_1"]
    assert remote.runs[0].step == here.runs[0].step == 15
    status, out = _invoke("--no-cache", "--jobs", "1", "--format", "jsonl", "memory://fleet")
    assert status == 1 and len(out.splitlines()) == 2


def test_a_file_url_is_the_local_folder(tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    root = make_runs(tmp_path / "sweep", count=3)
    by_url = scan([f"file://{root}"], serial)
    assert [(r.verdict, r.step) for r in by_url.runs] == [
        (r.verdict, r.step) for r in scan([str(root)], serial).runs
    ]


def test_dask_local_cluster_gives_the_single_process_table(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    root = make_runs(tmp_path / "sweep", count=300)
    single = scan([str(root)], serial)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = scan([str(root)], dask_mapper(cluster.scheduler_address))
    assert on_dask.runs == single.runs
    assert len(single.runs) == 300


def test_parquet_holds_the_per_run_table(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    root = make_runs(tmp_path / "sweep")
    out = tmp_path / "runs.parquet"
    _, text = _invoke(
        "--no-cache", "--jobs", "1", "--parquet", str(out), "--format", "csv", str(root)
    )
    frame = pd.read_parquet(out)
    table = pd.read_csv(io.StringIO(text))
    assert list(frame["run"]) == list(table["run"])
    assert frame["step"].dtype == "Int64"
    assert list(frame["top_cause"].fillna("")) == list(table["top_cause"].fillna(""))


def test_a_bad_log_is_unreadable_not_fatal(tmp_path: Path) -> None:
    run = tmp_path / "only_notes"
    run.mkdir()
    (run / "notes.txt").write_text("no metrics here\n")
    result = scan([str(run)], serial)
    assert [r.verdict for r in result.runs] == ["unreadable"]
    assert result.runs[0].error and "no training metrics" in result.runs[0].error
    assert isinstance(FileResult(url="u", run="r", identity="", verdict="healthy"), FileResult)
    assert LogFile("a", "b").identity == ""


def test_the_scan_progress_bar_is_for_a_person_at_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nanlog import progress

    screen = io.StringIO()
    monkeypatch.setattr(progress.sys, "stderr", screen)
    with progress.ScanProgress() as piped:  # stderr is not a terminal: never drawn
        monkeypatch.setattr(progress, "DELAY", 0.0)
        piped.update(5, 10)
        assert piped._bar is None
    monkeypatch.setattr(progress, "wanted", lambda: True)
    with progress.ScanProgress() as shown:
        shown.update(5, 10)
        assert shown._bar is not None
    assert shown._bar is None


def test_hugging_face_checkpoints_belong_to_their_run(tmp_path: Path) -> None:
    """output_dir/checkpoint-N/trainer_state.json: one run, read from its latest checkpoint."""
    states = sorted((SAMPLE_LOGS / "hf").glob("*trainer_state.json"))
    assert states
    run = tmp_path / "output"
    for step in (500, 1000, 1500):
        (run / f"checkpoint-{step}").mkdir(parents=True)
        shutil.copy(states[0], run / f"checkpoint-{step}" / "trainer_state.json")
        (run / f"checkpoint-{step}" / "config.json").write_text("{}")
    shutil.copy(BROKEN, run / "train.log")
    logs = find_logs([str(tmp_path)])
    assert {log.run for log in logs} == {str(run)}
    assert sorted(Path(log.url).relative_to(run).as_posix() for log in logs) == [
        "checkpoint-1500/trainer_state.json",
        "train.log",
    ]
    result = scan([str(tmp_path)], serial)
    assert len(result.runs) == 1 and result.runs[0].logs == 2
