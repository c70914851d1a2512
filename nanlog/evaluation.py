"""Measure the diagnosis on a labelled corpus: top-1 / top-3 per cause, false alarms.

The corpus is a CSV with at least ``file`` and ``fault`` (a cause id, or
``healthy``); optional ``split`` (e.g. tune / holdout) and ``diagnosable``
(``no`` for logs that cannot tell their fault, reported apart).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from nanlog.causes import CAUSES
from nanlog.engine import diagnose_run
from nanlog.errors import NanlogError
from nanlog.parsing import parse


@dataclass
class Outcome:
    file: str
    fault: str
    split: str
    diagnosable: bool
    ranked: list[str]
    problem: bool
    error: str | None = None

    @property
    def top1(self) -> bool:
        if self.fault == "healthy":
            return not self.problem
        return bool(self.ranked) and self.ranked[0] == self.fault

    @property
    def top3(self) -> bool:
        if self.fault == "healthy":
            return not self.problem
        return self.fault in self.ranked[:3]


@dataclass
class Scores:
    outcomes: list[Outcome] = field(default_factory=list)

    def subset(self, split: str) -> Scores:
        return Scores([o for o in self.outcomes if split in ("all", o.split)])

    @property
    def faulty(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.fault != "healthy" and o.diagnosable]

    @property
    def healthy(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.fault == "healthy"]

    @property
    def top1_rate(self) -> float:
        return sum(o.top1 for o in self.faulty) / max(1, len(self.faulty))

    @property
    def false_alarms(self) -> list[Outcome]:
        return [o for o in self.healthy if o.problem]

    def table(self) -> str:
        """A Markdown table: per cause, logs, top-1, top-3; then healthy logs and false alarms."""
        by_cause: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self.faulty:
            by_cause[outcome.fault].append(outcome)
        rows = ["| cause | logs | top-1 | top-3 |", "|---|---:|---:|---:|"]
        for cause in CAUSES:
            items = by_cause.get(cause.id, [])
            if items:
                rows.append(
                    f"| {cause.id} | {len(items)} | {_rate(items, 'top1')} | {_rate(items, 'top3')} |"
                )
        faulty = self.faulty
        rows.append(
            f"| **all faults** | {len(faulty)} | {_rate(faulty, 'top1')} | {_rate(faulty, 'top3')} |"
        )
        rows.append(
            f"| healthy (false alarms) | {len(self.healthy)} | {len(self.false_alarms)} alarms | |"
        )
        return "\n".join(rows)


def _rate(items: list[Outcome], attr: str) -> str:
    hits = sum(getattr(o, attr) for o in items)
    return f"{hits}/{len(items)} ({hits / len(items):.0%})"


def evaluate(labels: Path, root: Path | None = None) -> Scores:
    root = root or labels.parent.parent
    scores = Scores()
    with labels.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            outcome = Outcome(
                row["file"],
                row["fault"],
                row.get("split") or "tune",
                (row.get("diagnosable") or "yes") != "no",
                [],
                False,
            )
            try:
                report = diagnose_run(parse(root / row["file"]))
                outcome.ranked = [c.id for c in report.causes]
                outcome.problem = report.problem
            except NanlogError as exc:
                outcome.error = str(exc)
            scores.outcomes.append(outcome)
    return scores
