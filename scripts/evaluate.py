"""Print nanlog's diagnosis accuracy on the labelled corpora.

python scripts/evaluate.py                  generated samples (all, tune, holdout) and the real
                                            logs from public threads (tune, holdout, the fresh
                                            sets, the reading set's labelled logs), with the
                                            calibration of the top score on the real logs
python scripts/evaluate.py --corpus real --split tune --misses
                                            one part, and every log whose cause is not first
python scripts/evaluate.py --check          exit 1 if a part falls below its floor

The real logs live beside the repository (../shared/real_logs, see its README); their split
into tuning and holdout halves, made by thread before any rule was tuned, is
scripts/real_logs_split.csv. Rules are tuned on the tuning half only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nanlog.evaluation import Scores, evaluate, prior_counts

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "real_logs"
SPLIT = ROOT / "scripts" / "real_logs_split.csv"
# A second, smaller set of logs from public threads, collected after the rules were written
# and first evaluated blind (sample_logs/real/README.md).
FRESH = ROOT / "sample_logs" / "real"
# Its batches, in the order they were collected (the ``split`` column of its labels.csv).
BLIND_SETS = [f"blind{n}" for n in range(1, 23)]
# The reading set's logs (sample_logs/reading, chosen for their print formats) whose threads
# established a cause, labelled by people who neither ran nor read nanlog: afterwards
# (blind23) or while collecting (blind24 on); each set diagnosed once before any rule saw its
# labels (sample_logs/reading/README.md).
READING = ROOT / "sample_logs" / "reading"
READING_SETS = ["blind23", "blind24", "blind25"]
# (corpus, split) -> minimum top-1; the real floors sit just under the measured figures so
# that CI notices a fall without failing on one log's noise.
FLOORS = {("samples", "all"): 0.9, ("real", "tune"): 0.66, ("real", "holdout"): 0.78}


def corpora(which: str) -> dict[str, Scores]:
    found: dict[str, Scores] = {}
    if which in ("samples", "all"):
        found["samples"] = evaluate(ROOT / "sample_logs" / "labels.csv", ROOT)
    if which in ("real", "all") and (REAL / "labels.csv").is_file():
        found["real"] = evaluate(REAL / "labels.csv", REAL, SPLIT)
    if which in ("fresh", "all"):
        found["fresh"] = evaluate(FRESH / "labels.csv", FRESH)
    if which in ("reading", "all"):
        found["reading"] = evaluate(READING / "causes.csv", READING)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", choices=["samples", "real", "fresh", "reading", "all"], default="all"
    )
    parser.add_argument(
        "--split",
        choices=["all", "tune", "holdout", *BLIND_SETS, *READING_SETS],
        default=None,
    )
    parser.add_argument(
        "--misses", action="store_true", help="list the logs whose labelled cause is not first"
    )
    parser.add_argument("--check", action="store_true", help="fail if a part is below its floor")
    parser.add_argument(
        "--priors",
        action="store_true",
        help="count the labelled real logs' causes per domain (nanlog/causes.py's tables)",
    )
    args = parser.parse_args()
    if args.priors:
        for domain, counts in sorted(
            prior_counts(FRESH, REAL, SPLIT).items(), key=lambda kv: str(kv[0])
        ):
            ranked = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            print(f"{domain}: {ranked}")
        return 0
    failed = []
    for name, scores in corpora(args.corpus).items():
        splits = (
            [args.split]
            if args.split
            else {
                "samples": ["all", "tune", "holdout"],
                "real": ["tune", "holdout"],
                "fresh": BLIND_SETS,
                "reading": READING_SETS,
            }[name]
        )
        for split in splits:
            part = scores.subset(split)
            if not part.outcomes:
                continue
            print(f"\n### {name}, {split} ({len(part.outcomes)} logs)\n")
            print(part.table())
            print(
                f"\ntop-1 {part.top1_rate:.2f}, top-3 {part.top3_rate:.2f}, "
                f"false alarms {len(part.false_alarms)}/{len(part.healthy)}, "
                f"refused {len(part.refusals)}"
            )
            if name in ("real", "fresh", "reading"):
                print("\nCalibration (faulty logs with a catalogue cause):\n")
                print(part.calibration())
            if args.misses:
                print("\nMisses:")
                for o in part.outcomes:
                    if o.diagnosable and not o.fault.startswith("other:") and not o.top1:
                        print(
                            f"  {o.file}: labelled {o.fault}, ranked {o.ranked[:3] or 'nothing'}"
                            + (f", error: {o.error}" if o.error else "")
                        )
            floor = FLOORS.get((name, split))
            if floor is not None and (part.top1_rate < floor or part.false_alarms or part.refusals):
                failed.append(f"{name}/{split}: top-1 {part.top1_rate:.2f} (floor {floor})")
    if args.check and failed:
        print("\nFAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
