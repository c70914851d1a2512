"""Benchmark `nanlog diagnose` on long logs: time, MB/s, peak RSS, and the ratio to a
reference pass over the same file in this interpreter.

    python benchmarks/run.py                       # 50, 200 and 800 MB of each format
    python benchmarks/run.py --mb 200 --formats plain --repeat 1

The reference pass is a bytes ``re.findall`` of
``['"]?(?:loss|lr|learning_rate|grad_norm)['"]?[=:] ?[-+0-9.eEnaif]+`` over 16 MB chunks,
no conversion: the least any reader that looks at every metric would do. The logs are
generated here, deterministically, in a temporary folder (or --workdir). nanlog runs as a
fresh process on a cached file; wall time is the best of --repeat runs, peak memory the
child's max RSS (/usr/bin/time when present, else getrusage). Targets (issue 12): whole-file
diagnose <= 0.5x the reference pass; peak RSS <= 200 MB at 200 and 800 MB; a small log
<= 1.3x `python -c "import pandas, rich, click"`.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

NANLOG = [sys.executable, "-m", "nanlog"]


def write_plain(out: TextIO, target: int) -> None:
    """logging-style key=value lines with timestamps; a NaN near the end."""
    rng = random.Random(1)
    written, step, loss = 0, 0, 2.5
    while written < target:
        step += 1
        loss = max(0.01, loss * (1 - 1e-6) + rng.uniform(-0.01, 0.01))
        value = "nan" if written > target * 0.95 else f"{loss:.4f}"
        line = (
            f"2024-06-11 12:{step // 60 % 60:02d}:{step % 60:02d},123 INFO train: epoch={step // 5000} "
            f"iter={step}, loss={value}, lr=0.0003, grad_norm={rng.uniform(0.5, 2):.4f}\n"
        )
        out.write(line)
        written += len(line)


def write_hf(out: TextIO, target: int) -> None:
    """Hugging Face Trainer 5.x console dicts; grad_norm nan near the end."""
    rng = random.Random(2)
    written, step = 0, 0
    while written < target:
        step += 1
        grad = "nan" if written > target * 0.95 else f"{rng.uniform(0.1, 3):.4g}"
        line = (
            f"{{'loss': '{rng.uniform(0.1, 3):.4g}', 'grad_norm': '{grad}', "
            f"'learning_rate': '{5e-5 * (1 - step / 1e7):.4g}', 'epoch': '{step / 1000:.4g}'}}\n"
        )
        out.write(line)
        written += len(line)


def write_keras(out: TextIO, target: int) -> None:
    """Keras 2 verbose=1: one \\b+\\r redraw per batch, 1000 batches an epoch."""
    rng = random.Random(3)
    written, epoch = 0, 0
    while written < target:
        epoch += 1
        out.write(f"Epoch {epoch}/100000\n")
        loss = 2.0
        for batch in range(1, 1001):
            loss = loss * 0.999 + rng.uniform(-0.001, 0.001)
            value = "nan" if written > target * 0.95 else f"{loss:.4f}"
            frame = (
                f"{batch:4d}/1000 [{'=' * (batch * 30 // 1000)}>{'.' * (29 - batch * 30 // 1000)}] "
                f"- ETA: 1s - loss: {value} - accuracy: {rng.uniform(0.5, 1):.4f}"
            )
            out.write(frame + "\b" * len(frame) + "\r")
            written += 2 * len(frame) + 1
        out.write("\n")


WRITERS: dict[str, Callable[[TextIO, int], None]] = {
    "plain": write_plain,
    "hf_trainer": write_hf,
    "keras": write_keras,
}


REFERENCE = re.compile(rb"""['"]?(?:loss|lr|learning_rate|grad_norm)['"]?[=:] ?[-+0-9.eEnaif]+""")


def reference_pass(path: Path, repeat: int) -> float:
    """Best time of the reference regex over the file in 16 MB chunks, in this interpreter."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with path.open("rb") as handle:
            while chunk := handle.read(16 << 20):
                REFERENCE.findall(chunk)
        best = min(best, time.perf_counter() - start)
    return best


def measure(command: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time in seconds and peak RSS in MB of a command run as a fresh process."""
    best, peak = float("inf"), 0.0
    timer = shutil.which("time") and Path("/usr/bin/time").exists()
    for _ in range(repeat):
        if timer:
            start = time.perf_counter()
            result = subprocess.run(
                ["/usr/bin/time", "-f", "%M", *command],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            elapsed = time.perf_counter() - start
            peak = max(peak, int(result.stderr.strip().splitlines()[-1]) / 1024)
        else:
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - start
            peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        best = min(best, elapsed)
    return best, peak


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, nargs="+", default=[50, 200, 800])
    parser.add_argument("--formats", nargs="+", default=list(WRITERS), choices=list(WRITERS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="nanlog-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "LC_ALL": os.environ.get("LC_ALL", "C.UTF-8")}
    os.environ.update(env)
    print(
        "| log | size | reference pass | nanlog diagnose | MB/s | ratio (<= 0.5) "
        "| peak RSS MB (<= 200) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    met = True
    for fmt in args.formats:
        for mb in args.mb:
            path = workdir / f"{fmt}_{mb}mb.log"
            if not path.exists():
                with path.open("w", encoding="utf-8", newline="") as out:
                    WRITERS[fmt](out, mb << 20)
            size = path.stat().st_size / (1 << 20)
            reference = reference_pass(path, args.repeat)
            ours, rss = measure([*NANLOG, "diagnose", "--format", "json", str(path)], args.repeat)
            ratio = ours / reference
            ok = ratio <= 0.5 and (mb < 200 or rss <= 200)
            met &= ok
            print(
                f"| {fmt} | {size:.0f} MB | {reference:.2f} s | {ours:.2f} s | {size / ours:.0f} "
                f"| {ratio:.2f}x {'ok' if ratio <= 0.5 else 'MISSED'} | {rss:.0f} "
                f"{'ok' if mb < 200 or rss <= 200 else 'MISSED'} |"
            )
    small = (
        Path(__file__).resolve().parent.parent
        / "sample_logs"
        / "keras"
        / "keras3_healthy_v1_tty.log"
    )
    imports, _ = measure([sys.executable, "-c", "import pandas, rich, click"], max(args.repeat, 5))
    ours, _ = measure([*NANLOG, "diagnose", str(small)], max(args.repeat, 5))
    print(
        f"\nsmall log ({small.name}): nanlog diagnose {ours:.2f} s vs bare imports {imports:.2f} s: "
        f"{ours / imports:.2f}x (<= 1.3) {'ok' if ours <= 1.3 * imports else 'MISSED'}"
    )
    met &= ours <= 1.3 * imports
    if args.workdir is None:
        shutil.rmtree(workdir)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
