"""Run the rules on a run, combine their evidence per cause, rank, build the Report.

How evidence combines sits behind :func:`rank`: each cause starts from its prior (how
often it explains NaN losses in public threads, on the log's task when it names one:
:func:`nanlog.causes.priors_for`), each piece
of evidence multiplies it by a likelihood ratio (:func:`likelihood`: a 0.5 observation
doubles it, a 0.9 one multiplies it by ten, counter-evidence divides), and the results are
normalised together with the mass of causes outside the catalogue. A score is then the
probability that the cause is the one, as far as the log tells; when no rule saw anything
the ranking is the prior. Ties go to the catalogue order, so ranking is stable.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nanlog.analysis import Analysis, Curve, analyse, hiding_mechanism
from nanlog.causes import BY_ID, CAUSES, CHECKS, ORDER, priors_for
from nanlog.domain import DOMAINS
from nanlog.model import Run
from nanlog.rules import RULES, Evidence
from nanlog.rules.base import fmt


@dataclass
class CauseResult:
    id: str
    score: float
    title: str
    evidence: list[Evidence]
    remedies: list[str]


@dataclass
class Chart:
    """The loss and lr curves for a one-line chart each, on shared x positions: the run from
    its first logged value to a few values past the break, each mark one bucket of lines."""

    series: dict[str, list[float | None]]  # None: nothing printed in that bucket
    first_line: int
    last_line: int
    values: dict[str, int]  # how many logged values each chart stands for
    marks_per_value: bool  # one mark per logged value (not downsampled)


@dataclass
class Report:
    """Everything a reporter needs about one input. Reporters render it, never compute."""

    source: str
    format: str
    records: int
    framework: str = "generic"
    variant: str | None = None
    lines: int = 0
    first_nonfinite: dict[str, object] | None = None
    divergence: dict[str, object] | None = None
    shape: str = ""
    causes: list[CauseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chart: Chart | None = None
    problem: bool = False
    failure: dict[str, object] | None = None  # the first message that says the run failed
    error: str | None = None  # set when the input could not be read

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (``--format json``) as Python data; NaN/inf spelled as strings."""
        from nanlog.reporters.base import report_to_dict
        from nanlog.reporters.json import strict

        data: dict[str, Any] = strict(report_to_dict(self))
        return data

    def _repr_markdown_(self) -> str:
        """Jupyter shows a report as the ``--format markdown`` one."""
        from nanlog.reporters.markdown import MarkdownReporter

        return MarkdownReporter().render([self])


MIN_SHOWN = 0.04  # causes less likely than this are left out of the ranking ...
MIN_CAUSES = 3  # ... unless they are among the three likeliest when no cause is CLEAR
CLEAR = 0.8
# Calibration: the rules' observations are not independent, and the priors come from few
# threads, so raw products are too flat; weights are raised to this power before they are
# normalised (ranking unchanged). Fitted on the tuning half of the real logs so that the mean
# top score matches the share of logs whose top cause is right (scripts/evaluate.py).
SHARPNESS = 2.0
MAX_LIKELIHOOD = 30.0


def likelihood(item: Evidence) -> float:
    """The factor one observation applies to its cause's odds."""
    score = min(item.score, 0.97)
    if item.against:
        return max(1.0 - score, 1.0 / MAX_LIKELIHOOD)
    return min(1.0 + 3 * score / (1.0 - score), MAX_LIKELIHOOD)


def rank(evidence: list[Evidence], framework: str, domain: str | None = None) -> list[CauseResult]:
    priors, outside = priors_for(domain)
    by_cause: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        by_cause[item.cause].append(item)
    weights = {
        cause.id: (priors[cause.id] * math.prod(likelihood(e) for e in by_cause[cause.id]))
        ** SHARPNESS
        for cause in CAUSES
    }
    total = sum(weights.values()) + outside**SHARPNESS
    # When no cause is clear, the three likeliest are shown: the log cannot tell them apart,
    # the ranking is the answer, and a third candidate costs one line.
    kept = sorted(weights, key=lambda c: (-weights[c], ORDER[c]))[:MIN_CAUSES]
    if weights[kept[0]] / total >= CLEAR:
        kept = []
    kept = [c for c in kept if weights[c] / total >= MIN_SHOWN / 4]  # not a 0.00 line
    results = []
    for cause_id, weight in weights.items():
        score = weight / total
        supported = any(not e.against for e in by_cause[cause_id])
        if score < MIN_SHOWN and not supported and cause_id not in kept:
            continue
        items = sorted(by_cause[cause_id], key=lambda e: (e.against, -e.score))
        if not supported:
            items.insert(0, _prior_evidence(cause_id, priors[cause_id], domain))
        cause = BY_ID[cause_id]
        results.append(
            CauseResult(
                cause_id, round(score, 3), cause.title, items, cause.remedies_for(framework)
            )
        )
    results.sort(key=lambda r: (-r.score, ORDER[r.id]))
    return results


def _prior_evidence(cause_id: str, prior: float, domain: str | None) -> Evidence:
    about = f" on {DOMAINS[domain]}" if domain else ""
    return Evidence(
        "PRIOR",
        cause_id,
        prior,
        "no sign in the log points at it; ranked by how often it explains NaN losses in "
        f"public threads{about} ({prior:.0%})",
    )


def run_rules(analysis: Analysis) -> list[Evidence]:
    found: list[Evidence] = []
    for rule in RULES:
        try:
            found.extend(rule.check(analysis))
        except Exception:  # a rule bug must not hide what the other rules saw
            continue
    return found


def _shape(analysis: Analysis) -> str:
    """How it broke, in one sentence: the loss curve before the break."""
    loss = analysis.loss_before_break()
    brk = analysis.brk
    if loss is None or not len(loss):
        if brk is not None and brk.last_finite is not None:
            return (
                f"{brk.metric} was {fmt(brk.last_finite)} at its last finite record, then turned "
                f"{fmt(brk.value)} (the log prints no loss)"
            )
        if brk is not None:
            return f"{brk.metric} was {fmt(brk.value)} from the first record the log shows"
        return ""
    values = loss.values[np.isfinite(loss.values)]
    if not len(values):
        return "the loss was never finite"
    first, last, low, high = values[0], values[-1], values.min(), values.max()
    if len(values) == 1:
        text = f"the loss was {fmt(last)} at its only record before the break"
    elif fmt(first) == fmt(last):
        text = f"the loss stayed at {fmt(last)} over {len(values)} logged values"
    else:
        trend = "fell" if last < first else "rose"
        text = f"the loss {trend} from {fmt(first)} to {fmt(last)} over {len(values)} logged values"
        if trend == "fell" and low < last:
            text += f" (lowest {fmt(low)})"
        if trend == "rose" and high > 0 and first > 0 and high / first >= 1.5:
            text += f", {high / first:.3g}x"
    if brk is not None:
        hidden = " (the printed loss hid it)" if brk.hidden else ""
        text += f", then {brk.metric} turned {fmt(brk.value)}{hidden}"
    elif analysis.divergence is not None:
        if analysis.divergence.kind == "collapse":
            text += ", then it fell to exactly 0 at once and stayed there: a hidden NaN"
        else:
            text += ": it diverged without printing NaN"
    return text


CHART_WIDTH = 44  # with its label and range, a chart fits 80 columns
AFTER_BREAK = 5  # values shown past the break, so the ✗ marks are visible


def _chart(analysis: Analysis, width: int = CHART_WIDTH) -> Chart | None:
    """The whole run, downsampled into at most ``width`` buckets of records shared by loss
    and lr (record order, not lines: a progress bar redraws one line); a bucket shows its
    first non-finite value if it has one (the break stays visible), else its last value."""
    end = analysis.cut + 1 if analysis.cut is not None else None
    picked: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for metric in ("loss", "lr"):
        curve: Curve | None = analysis.curve(metric)
        if curve is None:
            continue
        shown = curve.before(end) if end is not None else curve
        values, where, lines = shown.values, shown.index, shown.lines
        if metric == "loss" and end is not None:
            after = curve.after(end)
            values = np.concatenate([values, after.values[:AFTER_BREAK]])
            where = np.concatenate([where, after.index[:AFTER_BREAK]])
            lines = np.concatenate([lines, after.lines[:AFTER_BREAK]])
        if len(values):
            picked[metric] = (values, where, lines)
    if "loss" not in picked:
        return None
    loss_where = picked["loss"][1]
    first, last = int(loss_where[0]), int(loss_where[-1])
    per_value = len(loss_where) <= width
    buckets = len(loss_where) if per_value else width
    series: dict[str, list[float | None]] = {}
    loss_lines = picked["loss"][2]
    by_line = bool((np.diff(loss_lines) > 0).all())  # one loss value per line
    for metric, (values, where, lines) in picked.items():
        keep = (where >= first) & (where <= last)
        if per_value and by_line:  # the loss's own positions: a value joins its line's loss
            slots = np.maximum(np.searchsorted(loss_lines, lines[keep], side="right") - 1, 0)
        elif per_value:  # one line redrawn (a progress bar): the nearest loss value
            right = np.minimum(np.searchsorted(loss_where, where[keep]), buckets - 1)
            left = np.maximum(right - 1, 0)
            nearer = np.abs(loss_where[left] - where[keep]) < np.abs(
                loss_where[right] - where[keep]
            )
            slots = np.where(nearer, left, right)
        else:
            slots = (where[keep] - first) * buckets // (last - first + 1)
        marks: list[float | None] = [None] * buckets
        for slot, value in zip(slots.tolist(), values[keep].tolist(), strict=True):
            held = marks[slot]
            if held is None or math.isfinite(held):
                marks[slot] = value
        series[metric] = marks
    counts = {metric: len(values) for metric, (values, _, _) in picked.items()}
    return Chart(series, int(loss_lines[0]), int(loss_lines[-1]), counts, per_value)


UNDECIDED = 0.6  # the second cause is at least this share of the first: the log cannot tell


def _undecided(causes: list[CauseResult]) -> list[str]:
    """Say plainly when the log cannot tell the top causes apart, and what would."""
    if causes and all(e.rule == "PRIOR" for c in causes for e in c.evidence):
        # No rule saw anything (often an excerpt of the NaN alone): the ranking is a base
        # rate, so the checks of the first three say more than the order does.
        checks = "; ".join(CHECKS[c.id] for c in causes[:MIN_CAUSES])
        return [
            "nothing in the log points at a cause: the ranking is how often each cause "
            f"explains a NaN loss in public threads; to find which it is: {checks}"
        ]
    if len(causes) < 2 or causes[1].score < UNDECIDED * causes[0].score:
        return []
    first, second = causes[0], causes[1]
    return [
        f"the log cannot tell {first.id} ({first.score:.2f}) from {second.id} "
        f"({second.score:.2f}); to tell them apart: {CHECKS[first.id]}; {CHECKS[second.id]}"
    ]


def diagnose_run(run: Run) -> Report:
    analysis = analyse(run)
    report = Report(
        source=run.source,
        format=run.format,
        records=run.records,
        framework=analysis.framework,
        variant=run.variant,
        lines=run.lines,
        notes=[*run.warnings, *analysis.notes],
    )
    brk = analysis.brk
    if brk is not None:
        report.first_nonfinite = {
            "metric": brk.metric,
            "value": "nan" if math.isnan(brk.value) else ("inf" if brk.value > 0 else "-inf"),
            "step": brk.step,
            "epoch": None if brk.epoch is None else math.floor(brk.epoch),
            "line": brk.line,
            "name": brk.name,
            "batch": brk.batch,
            "epoch_exact": brk.epoch,
            "phase": brk.phase,
            "last_finite": brk.last_finite,
            "hidden": brk.hidden,
            "text": run.line_texts.get(brk.line),
        }
    if analysis.divergence is not None:
        d = analysis.divergence
        report.divergence = {
            "metric": d.metric,
            "value": d.value,
            "line": d.line,
            "step": d.step,
            "factor": d.factor,
            "kind": d.kind,
        }
    report.problem = analysis.is_problem
    if analysis.failure_events:
        event = analysis.failure_events[0]
        report.failure = {"line": event.line, "kind": event.kind, "text": event.text}
    if report.problem:
        report.causes = rank(run_rules(analysis), analysis.framework, analysis.domain)
        report.notes.extend(_undecided(report.causes))
        report.shape = _shape(analysis)
        report.chart = _chart(analysis)
        if brk is not None and brk.hidden:
            report.notes.append(
                f"the printed loss stayed finite while {brk.name} was {fmt(brk.value)}: a hidden NaN "
                f"({hiding_mechanism(analysis.framework)}), not a recovery"
            )
    return report
