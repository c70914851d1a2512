"""Time the reader on inputs that make a backtracking regex take minutes (on demand, not in CI).

    python benchmarks/pathological.py          # seconds per input, and the growth check

Each input is 10-20 MB of one adversarial pattern; on a 2-core machine every one takes a
few seconds. A regex that backtracks quadratically would take minutes. The growth check
parses a plain log at 2,000 and 20,000 lines: the time must grow about tenfold, not more.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time

PATHOLOGICAL: dict[str, bytes] = {
    "20MB-line": b"x" * 20_000_000,
    "loss=x2M": b"loss=" * 2_000_000,
    "nested-brackets": b"[" * 5_000_000 + b"]" * 5_000_000,
    "open-dicts": b"{'loss': " * 1_000_000,
    "open-tensors": b"loss: tensor(" * 1_000_000,
    "endless-bar": b"1/2 [" + b"=" * 10_000_000,
    "carriage-returns": b"\r" * 10_000_000,
    "dotted-word": b"a." * 5_000_000,
    "epoch-headers": b"Epoch 1/" * 1_000_000,
    "80k-metric-names": "".join(f"step {i} loss_{i} 0.5\n" for i in range(80_000)).encode(),
    "100k-pairs-one-line": (" ".join(f"loss_{i}=0.5" for i in range(100_000)) + "\n").encode(),
    "yolo-header-then-long-rows": b"Epoch gpu_mem box labels img_size\n"
    + (b"0/299 18.5G " + b"1.0 " * 200 + b"\n") * 20_000,
    "padded-names-before-equals": (b"k" + b" " * 40 + b"= 1 ") * 200_000,
    "clock-cells": (b"0 " + b"00:07 " * 200 + b"\n") * 20_000,
    # numbers whose row fails at its end, with runs of spaces a separator and a cell could share
    "class-table-long-row": b"| Class | IoU | Acc |\n|" + b" " * 10_000_000 + b"x\n",
    "class-table-headers": b"| Class | IoU |\n" * 500_000,
    "spaced-rows-failing-late": (b"0" + b"    [1.5e+02, 3.4e+04]" * 60 + b"    []x\n") * 5_000,
    # logging records (an envelope) whose level never comes, each line read for one
    "log-records-without-level": (b"2024-05-01 12:00:00,123 - " + b"name " * 40 + b"\n") * 50_000,
    "log-records-long-lines": (b"2024-05-01 12:00:00,123 - x - INFO - " + b"a" * 100_000 + b"\n")
    * 100,
    # a loop's print(loss.item()) with no metric name: every line a lone value, NaN at the end
    "bare-values": b"0.12345\n" * 1_500_000 + b"nan\n",
    # named tuples whose value tuple never closes, and a 10 MB line of open name tuples
    "open-named-tuples": b"train loss (min, avg, max): (0.1, 0.2, " * 20
    + b"\n"
    + b"w w w w (a, b, c, d, e, f, g, h): (" * 250_000
    + b"\ntrain loss (min, avg, max): (0.1, nan, 0.3)\n",
    # progress bars with rows glued on that fail at their end; a class table in blank lines
    "bars-before-failing-rows": (
        b"  2%|" + b"#" * 100 + b"| 10/600 [01:36<1:28:20,  8.98s/it]" + b"1.5 " * 100 + b"x\n"
    )
    * 20_000,
    "class-table-in-blank-lines": b"| Class | IoU |\n" + b"\n" * 5_000_000 + b"| lane | nan |\n",
    # numbered lines (an editor's gutter): the envelope is taken off every line
    "numbered-lines": "".join(f"{i:>7} step {i} loss 0.5\n" for i in range(400_000)).encode(),
    # an accuracy NaN at every epoch's end that is finite again after: thousands of candidates
    "accuracy-nan-every-epoch": b"".join(
        b"Epoch[%d] Batch [10]\tTrain-accuracy=0.5\nEpoch[%d] Train-accuracy=nan\n" % (e, e)
        for e in range(100_000)
    ),
}


def timed_parse(data: bytes) -> float:
    """Seconds to read and diagnose ``data``."""
    from nanlog.engine import diagnose_run
    from nanlog.errors import NanlogError
    from nanlog.parsing import parse_stream

    start = time.perf_counter()
    with contextlib.suppress(NanlogError):
        diagnose_run(parse_stream(io.BytesIO(data), "t"))
    return time.perf_counter() - start


def main() -> int:
    worst = 0.0
    for name, data in PATHOLOGICAL.items():
        seconds = timed_parse(data)
        worst = max(worst, seconds)
        print(f"{name:18} {len(data) / 1e6:6.1f} MB  {seconds:6.2f} s")
    line = b"2024-06-11 12:00:01 INFO step=1 loss=0.5 lr=0.1 grad_norm=1.0 " + b"pad " * 40 + b"\n"
    small, large = timed_parse(line * 2_000), timed_parse(line * 20_000)
    print(f"growth: 2,000 lines {small:.3f} s, 20,000 lines {large:.3f} s ({large / small:.1f}x)")
    ok = worst < 10.0 and large < 10 * small * 2.5 + 0.5
    print("OK" if ok else "SLOW: a pattern may backtrack")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
