"""The diagnosis is measured on the labelled corpora: CI fails when it gets worse.

Generated samples: top-1 at least 0.9 over the logs whose fault the log can tell (at least
0.85 in each of the tuning and held-out parts), and no alarm on any healthy log. Where
real logs and generated ones disagree (a classification run NaN from its first batch: a
label out of range in real threads, bad inputs in one generated sample), real logs win. Real logs from public
threads (beside the repository, ../shared/real_logs): floors just under the measured
figures of each half (see README, Accuracy), no alarm on a healthy log, no refusal.
"""

from __future__ import annotations

import csv

import pytest

from nanlog.causes import OUTSIDE_COUNT, PRIOR_COUNTS
from nanlog.engine import diagnose_run
from nanlog.evaluation import Scores, evaluate
from nanlog.parsing import parse

from .conftest import ROOT, SAMPLE_LOGS

MIN_TOP1 = 0.9
MIN_TOP1_PART = 0.85
REAL = ROOT.parent / "shared" / "real_logs"
SPLIT = ROOT / "scripts" / "real_logs_split.csv"
# (split) -> (top-1, top-3) floors: one log under the measured figures.
REAL_FLOORS = {"tune": (0.66, 0.85), "holdout": (0.78, 0.85)}
needs_real = pytest.mark.skipif(
    not (REAL / "labels.csv").is_file(), reason=f"{REAL} is not beside the repository"
)


@pytest.fixture(scope="module")
def scores() -> Scores:
    return evaluate(SAMPLE_LOGS / "labels.csv", ROOT)


@pytest.mark.parametrize("split", ["all", "tune", "holdout"])
def test_top1_accuracy(scores: Scores, split: str) -> None:
    part = scores.subset(split)
    if not part.outcomes:
        pytest.skip(f"no {split} logs labelled")
    misses = [(o.file, o.fault, o.ranked[:3]) for o in part.faulty if not o.top1]
    floor = MIN_TOP1 if split == "all" else MIN_TOP1_PART
    assert part.top1_rate >= floor, f"top-1 {part.top1_rate:.2f}; misses: {misses}"


def test_no_false_alarm_on_healthy_logs(scores: Scores) -> None:
    assert scores.healthy, "the corpus has no healthy logs"
    assert [o.file for o in scores.false_alarms] == []


def test_every_log_was_read(scores: Scores) -> None:
    assert [o.file for o in scores.outcomes if o.error] == []


@pytest.fixture(scope="module")
def real_scores() -> Scores:
    return evaluate(REAL / "labels.csv", REAL, SPLIT)


@needs_real
@pytest.mark.parametrize("split", ["tune", "holdout"])
def test_real_logs_accuracy_does_not_fall(real_scores: Scores, split: str) -> None:
    part = real_scores.subset(split)
    top1, top3 = REAL_FLOORS[split]
    misses = [(o.file, o.fault, o.ranked[:3]) for o in part.faulty if not o.top1]
    assert part.top1_rate >= top1, f"top-1 {part.top1_rate:.2f}; misses: {misses}"
    assert part.top3_rate >= top3
    assert [o.file for o in part.false_alarms] == []
    assert [o.file for o in part.refusals] == []


@needs_real
def test_priors_are_the_tuning_half_s_causes() -> None:
    """The priors in nanlog/causes.py are recounted from the labels of the tuning half."""
    split = {r["file"]: r["split"] for r in csv.DictReader(SPLIT.open(encoding="utf-8"))}
    counts = dict.fromkeys(PRIOR_COUNTS, 0)
    outside = 0
    for row in csv.DictReader((REAL / "labels.csv").open(encoding="utf-8")):
        cause = row["primary_cause"]
        if split[row["file"]] != "tune" or cause == "healthy":
            continue
        if cause.startswith("other:"):
            outside += 1
        else:
            counts[cause] += 1
    assert counts == PRIOR_COUNTS
    assert outside == OUTSIDE_COUNT


def _every_log() -> list:  # type: ignore[type-arg]
    logs = [
        SAMPLE_LOGS / row["file"].removeprefix("sample_logs/")
        for row in csv.DictReader((SAMPLE_LOGS / "labels.csv").open(encoding="utf-8"))
    ]
    if REAL.is_dir():
        logs += sorted(REAL.glob("*.log"))
    return logs


@pytest.mark.parametrize("path", _every_log(), ids=lambda p: p.name)
def test_every_problem_has_a_ranked_why(path) -> None:  # type: ignore[no-untyped-def]
    report = diagnose_run(parse(path))
    if report.problem:
        assert report.causes and all(c.evidence for c in report.causes)
        scores = [c.score for c in report.causes]
        assert scores == sorted(scores, reverse=True)
    else:
        assert report.causes == []


def test_fresh_real_logs_are_read_and_healthy_ones_not_flagged() -> None:
    """sample_logs/real: logs from public threads collected after the rules were written."""
    fresh = evaluate(SAMPLE_LOGS / "real" / "labels.csv", SAMPLE_LOGS / "real")
    assert len(fresh.outcomes) >= 25
    # A log labelled with a cause outside the catalogue may hold no training metric at all
    # (an evaluation over zero images printing ``PSNR: nan``): refusing it is the answer.
    refused = [o.file for o in fresh.refusals if not o.fault.startswith("other:")]
    assert refused == []
    assert [o.file for o in fresh.false_alarms] == []
    assert fresh.top3_rate >= 0.82  # a few logs under 105/125 faulty logs of the twenty sets
    # The second set's first blind run ranked 6 of 10 first; later runs must not fall below it.
    assert fresh.subset("blind2").top1_rate >= 0.6
    assert fresh.subset("blind3").top1_rate >= 0.57  # one log under 5/7
    assert fresh.subset("blind4").top1_rate >= 0.45  # one log under 6/11
    assert fresh.subset("blind5").top1_rate >= 0.5  # one log under 7/12
    assert fresh.subset("blind6").top1_rate >= 0.42  # one log under 4/7
    assert fresh.subset("blind7").top1_rate >= 0.4  # one log under 3/5
    assert fresh.subset("blind8").top1_rate >= 0.5  # one log under 5/8
    assert fresh.subset("blind9").top1_rate >= 0.33  # one log under 3/6
    assert fresh.subset("blind10").top1_rate >= 0.25  # one log under 3/8
    assert fresh.subset("blind11").top1_rate >= 0.66  # one log under 3/3
    assert fresh.subset("blind12").top1_rate >= 0.25  # one log under 2/4
    assert fresh.subset("blind13").top1_rate >= 0.4  # one log under 3/5
    assert fresh.subset("blind14").top1_rate >= 0.16  # one log under 2/6
    assert fresh.subset("blind15").top1_rate >= 0.33  # one log under 2/3
    assert fresh.subset("blind16").top1_rate >= 0.4  # one log under 3/5
    assert fresh.subset("blind17").top1_rate >= 0.25  # one log under 2/4
    assert fresh.subset("blind18").top1_rate >= 0.25  # one log under 2/4
    assert fresh.subset("blind19").top1_rate >= 0.42  # one log under 4/7
    assert fresh.subset("blind20").top1_rate >= 0.25  # its first run, 1/4 (misses not studied)
    assert fresh.subset("blind21").top1_rate >= 0.33  # one log under its first run, 2/3
    assert fresh.subset("blind22").top1_rate >= 1.0  # its first run, 1/1


def test_the_reading_sets_labelled_logs_keep_their_first_run() -> None:
    """sample_logs/reading/causes.csv: reading-set logs whose threads established a cause."""
    reading = evaluate(SAMPLE_LOGS / "reading" / "causes.csv", SAMPLE_LOGS / "reading")
    assert len(reading.outcomes) >= 20
    assert [o.file for o in reading.refusals if not o.fault.startswith("other:")] == []
    assert reading.false_alarms == []  # its first run flagged 1 of 4 healthy logs
    blind23 = reading.subset("blind23")
    assert blind23.top1_rate >= 0.33  # one log under its first run, 4/9
    assert blind23.top3_rate >= 0.66  # 6/9 since stale validation terms stopped counting
    assert reading.subset("blind24").top1_rate >= 0.5  # its first run, 1/2
    assert reading.subset("blind25").top3_rate >= 1.0  # its first run, 0/2 first, 2/2 top three


@needs_real
def test_domain_priors_are_the_labelled_logs_causes() -> None:
    """The per-domain tables in nanlog/causes.py are recounted from every labelled real log
    but the held-out half, each log's domain as nanlog reads it."""
    from nanlog.causes import DOMAIN_PRIOR_COUNTS
    from nanlog.evaluation import prior_counts

    counted = prior_counts(SAMPLE_LOGS / "real", REAL, SPLIT)
    assert {d: counted.get(d, {}) for d in DOMAIN_PRIOR_COUNTS} == DOMAIN_PRIOR_COUNTS
