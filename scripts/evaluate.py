"""Print nanlog's diagnosis accuracy on the labelled sample logs.

python scripts/evaluate.py                  tables for all logs, tune and holdout
python scripts/evaluate.py --misses         also list every log whose cause is not first
python scripts/evaluate.py --check          exit 1 if top-1 < 0.9 or a healthy log alarms
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nanlog.evaluation import evaluate

ROOT = Path(__file__).resolve().parent.parent
MIN_TOP1 = 0.9


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--labels", type=Path, default=ROOT / "sample_logs" / "labels.csv")
    parser.add_argument(
        "--misses", action="store_true", help="list the logs whose labelled cause is not first"
    )
    parser.add_argument(
        "--check", action="store_true", help=f"fail if top-1 < {MIN_TOP1} or a healthy log alarms"
    )
    args = parser.parse_args()
    scores = evaluate(args.labels, ROOT)
    for split in ("all", "tune", "holdout"):
        part = scores.subset(split)
        if not part.outcomes:
            continue
        print(f"\n### {split} ({len(part.outcomes)} logs)\n")
        print(part.table())
    undiagnosable = [o for o in scores.outcomes if not o.diagnosable]
    if undiagnosable:
        print("\nNot counted (the log cannot tell its fault):")
        for o in undiagnosable:
            print(f"  {o.file} ({o.fault})")
    if args.misses:
        print("\nMisses:")
        for o in scores.outcomes:
            if o.diagnosable and not o.top1:
                print(
                    f"  {o.file}: labelled {o.fault}, ranked {o.ranked[:3] or 'nothing'}"
                    + (f", error: {o.error}" if o.error else "")
                )
    if args.check:
        failed = scores.top1_rate < MIN_TOP1 or scores.false_alarms
        if failed:
            print(
                f"\nFAILED: top-1 {scores.top1_rate:.2f} (minimum {MIN_TOP1}), "
                f"false alarms on healthy logs: {[o.file for o in scores.false_alarms]}",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
