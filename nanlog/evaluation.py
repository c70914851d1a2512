"""Measure the diagnosis on a labelled corpus: top-1 / top-3 per cause, false alarms.

Two corpora share this code:

* the generated samples: a CSV with ``file`` and ``fault`` (a cause id, or
  ``healthy``); optional ``split`` (tune / holdout) and ``diagnosable`` (``no``
  for logs that cannot tell their fault, reported apart);
* the real logs from public threads: ``labels.csv`` with ``primary_cause``
  (a cause id, ``healthy`` or ``other:NAME``: a cause outside the catalogue,
  reported apart, never a miss) and ``alternates``; the split comes from a
  separate ``file,split`` CSV.

A log that cannot be read counts as a refusal, and as a miss.
"""

from __future__ import annotations

import csv
import itertools
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
    alternates: tuple[str, ...] = ()
    top_score: float = 0.0

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
        return [
            o
            for o in self.outcomes
            if o.fault != "healthy" and o.diagnosable and not o.fault.startswith("other:")
        ]

    @property
    def refusals(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def top3_rate(self) -> float:
        return sum(o.top3 for o in self.faulty) / max(1, len(self.faulty))

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
        others = [o for o in self.outcomes if o.fault.startswith("other:")]
        if others:
            rows.append(f"| other:* (not counted) | {len(others)} | | |")
        rows.append(f"| refused (exit 2) | {len(self.refusals)} | | |")
        return "\n".join(rows)

    def calibration(self, bins: tuple[float, ...] = (0.0, 0.4, 0.6, 0.8, 1.01)) -> str:
        """Reliability: for logs whose top score falls in a bin, how often the top cause is right."""
        rows = [
            "| top score | logs | mean top score | top cause right |",
            "|---|---:|---:|---:|",
        ]
        for low, high in itertools.pairwise(bins):
            items = [o for o in self.faulty if low <= o.top_score < high]
            if not items:
                continue
            mean = sum(o.top_score for o in items) / len(items)
            rows.append(
                f"| {low:.1f}-{min(high, 1.0):.1f} | {len(items)} | {mean:.2f} | "
                f"{_rate(items, 'top1')} |"
            )
        return "\n".join(rows)


def _rate(items: list[Outcome], attr: str) -> str:
    hits = sum(getattr(o, attr) for o in items)
    return f"{hits}/{len(items)} ({hits / len(items):.0%})"


def evaluate(labels: Path, root: Path | None = None, splits: Path | None = None) -> Scores:
    """Diagnose every labelled log. ``root`` is where ``file`` paths start (the labels' folder's
    parent for the samples); ``splits`` a ``file,split`` CSV for corpora that keep it apart."""
    root = root or labels.parent.parent
    split_of: dict[str, str] = {}
    if splits is not None:
        with splits.open(encoding="utf-8") as handle:
            split_of = {row["file"]: row["split"] for row in csv.DictReader(handle)}
    scores = Scores()
    with labels.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            fault = row.get("fault") or row.get("primary_cause") or ""
            alternates = tuple(a for a in (row.get("alternates") or "").split(";") if a)
            outcome = Outcome(
                row["file"],
                fault,
                split_of.get(row["file"]) or row.get("split") or "tune",
                (row.get("diagnosable") or "yes") != "no",
                [],
                False,
                alternates=alternates,
            )
            try:
                report = diagnose_run(parse(root / row["file"]))
                outcome.ranked = [c.id for c in report.causes]
                outcome.problem = report.problem
                outcome.top_score = report.causes[0].score if report.causes else 0.0
            except NanlogError as exc:
                outcome.error = str(exc)
            scores.outcomes.append(outcome)
    return scores


def count_causes(
    labelled: list[tuple[Path, str]],
) -> dict[str | None, dict[str, int]]:
    """The established causes of NaN losses in labelled real logs, per domain that nanlog
    reads from each log (None: no domain) and over all of them ("*"); ``other:*`` counted
    as "other", healthy logs left out. This is what :data:`nanlog.causes.PRIOR_COUNTS` and
    :data:`nanlog.causes.DOMAIN_PRIOR_COUNTS` are."""
    from nanlog.analysis import guess_framework
    from nanlog.domain import guess_domain

    counts: dict[str | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path, cause in labelled:
        if cause == "healthy":
            continue
        key = "other" if cause.startswith("other:") else cause
        try:
            run = parse(path)
        except NanlogError:
            domain = None
        else:
            domain = guess_domain(run, guess_framework(run))
        counts["*"][key] += 1
        counts[domain][key] += 1
    return {domain: dict(found) for domain, found in counts.items()}


def prior_counts(fresh: Path, real: Path, splits: Path) -> dict[str | None, dict[str, int]]:
    """:func:`count_causes` over every labelled real log but the held-out half: the logs in
    ``fresh`` (sample_logs/real) and the tuning half of ``real`` (when it is there)."""
    with (fresh / "labels.csv").open(encoding="utf-8") as handle:
        labelled = [(fresh / row["file"], row["primary_cause"]) for row in csv.DictReader(handle)]
    if (real / "labels.csv").is_file():
        with splits.open(encoding="utf-8") as handle:
            split = {row["file"]: row["split"] for row in csv.DictReader(handle)}
        with (real / "labels.csv").open(encoding="utf-8") as handle:
            labelled += [
                (real / row["file"], row["primary_cause"])
                for row in csv.DictReader(handle)
                if split[row["file"]] == "tune"
            ]
    return count_causes(labelled)
