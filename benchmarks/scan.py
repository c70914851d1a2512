"""Benchmark `nanlog scan`: runs per second on one core, on two, and on a 2-worker Dask
LocalCluster, for many small runs and for fewer large ones; then a second (cached) scan.

    python benchmarks/scan.py                          # 10,000 small runs, 100 large (8 MB)
    python benchmarks/scan.py --small 2000 --large 20 --large-mb 4

Small runs are copies of the labelled sample logs (real Keras, PyTorch, Lightning and HF
output, a few KB each), one log a run folder. Large runs hold one generated log each
(benchmarks/run.py's writers: plain, HF and Keras in turn). Everything is written once into
a temporary folder (or --workdir). Each scan is a fresh `nanlog scan --no-cache` process,
except the Dask one, whose LocalCluster is started here and given as --scheduler.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import WRITERS

ROOT = Path(__file__).resolve().parent.parent
NANLOG = [sys.executable, "-m", "nanlog", "scan", "--format", "csv"]


def sample_logs() -> list[Path]:
    with (ROOT / "sample_logs" / "labels.csv").open(encoding="utf-8") as handle:
        return [ROOT / row["file"] for row in csv.DictReader(handle)]


def make_small(root: Path, count: int) -> None:
    logs = sample_logs()
    for i in range(count):
        run = root / f"run_{i:05d}"
        run.mkdir(parents=True, exist_ok=True)
        source = logs[i % len(logs)]
        shutil.copy(source, run / source.name)


def make_large(root: Path, count: int, megabytes: int) -> None:
    writers = list(WRITERS.values())
    for i in range(count):
        run = root / f"run_{i:03d}"
        run.mkdir(parents=True, exist_ok=True)
        with (run / "train.log").open("w", encoding="utf-8") as out:
            writers[i % len(writers)](out, megabytes << 20)


def timed(command: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return elapsed, len(result.stdout.splitlines()) - 1


def measure(folder: Path, label: str, cache: Path) -> list[tuple[str, str, float, int]]:
    rows = []
    for how, extra in (("1 process", ["--jobs", "1"]), ("2 processes", ["--jobs", "2"])):
        seconds, runs = timed([*NANLOG, "--no-cache", *extra, str(folder)])
        rows.append((label, how, seconds, runs))
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        seconds, runs = timed(
            [*NANLOG, "--no-cache", "--scheduler", cluster.scheduler_address, str(folder)]
        )
    rows.append((label, "Dask LocalCluster, 2 workers", seconds, runs))
    cache.unlink(missing_ok=True)
    timed([*NANLOG, "--cache", str(cache), str(folder)])  # fills the cache
    seconds, runs = timed([*NANLOG, "--cache", str(cache), str(folder)])
    rows.append((label, "second scan, cached", seconds, runs))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000, help="small runs")
    parser.add_argument("--large", type=int, default=100, help="large runs")
    parser.add_argument("--large-mb", type=int, default=8, help="size of a large run's log")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="nanlog-scan-bench-"))
    small, large = work / "small", work / "large"
    if not small.exists():
        make_small(small, args.small)
    if not large.exists():
        make_large(large, args.large, args.large_mb)
    print(f"# {args.small} small runs, {args.large} large runs of {args.large_mb} MB, {work}")
    print(f"# {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    rows = measure(small, f"{args.small} small", work / "cache-small.jsonl")
    rows += measure(large, f"{args.large} x {args.large_mb} MB", work / "cache-large.jsonl")
    print("| runs | how | seconds | runs/s |")
    print("|---|---|---:|---:|")
    for label, how, seconds, runs in rows:
        print(f"| {label} | {how} | {seconds:.1f} | {runs / seconds:.1f} |")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
