"""Run the rules on a run, combine their evidence per cause, rank, build the Report.

How evidence combines sits behind one function, :func:`combine`: a noisy-or,
so independent observations reinforce each other (two 0.6 pieces give 0.84)
and no amount of weak evidence reaches certainty. Ranking is by score, then by
the catalogue order of causes, so it is stable.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from nanlog.analysis import Analysis, Curve, analyse
from nanlog.causes import BY_ID, ORDER
from nanlog.model import Run
from nanlog.rules import RULES, Evidence
from nanlog.rules.base import fmt

# Events that show a failure even when no number was printed as NaN.
PROBLEM_EVENTS = (
    "label_out_of_range",
    "anomaly",
    "invalid_loss",
    "nan_histogram",
    "nonfinite_monitor",
    "nonfinite_norm",
)


@dataclass
class CauseResult:
    id: str
    score: float
    title: str
    evidence: list[Evidence]
    remedies: list[str]


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
    chart: dict[str, list[float]] = field(default_factory=dict)
    problem: bool = False
    error: str | None = None  # set when the input could not be read


def combine(scores: list[float]) -> float:
    """Noisy-or of independent evidence scores."""
    return 1.0 - math.prod(1.0 - s for s in scores)


def rank(evidence: list[Evidence], framework: str) -> list[CauseResult]:
    by_cause: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        by_cause[item.cause].append(item)
    results = []
    for cause_id, items in by_cause.items():
        items.sort(key=lambda e: -e.score)
        cause = BY_ID[cause_id]
        results.append(
            CauseResult(
                cause_id,
                round(combine([e.score for e in items]), 3),
                cause.title,
                items,
                cause.remedies_for(framework),
            )
        )
    results.sort(key=lambda r: (-r.score, ORDER[r.id]))
    return results


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
        if brk is not None:
            return f"{brk.metric} was {fmt(brk.value)} from the first record the log shows"
        return ""
    values = loss.values[np.isfinite(loss.values)]
    if not len(values):
        return "the loss was never finite"
    first, last, low, high = values[0], values[-1], values.min(), values.max()
    trend = "fell" if last < first else "rose"
    text = f"the loss {trend} from {fmt(first)} to {fmt(last)} over {len(values)} logged values"
    if trend == "fell" and low < last:
        text += f" (lowest {fmt(low)})"
    if trend == "rose" and high > 0 and first > 0:
        text += f", {high / first:.3g}x"
    if brk is not None:
        hidden = " (the printed loss hid it)" if brk.hidden else ""
        text += f", then {brk.metric} turned {fmt(brk.value)}{hidden}"
    elif analysis.divergence is not None:
        text += ": it diverged without printing NaN"
    return text


def _chart(analysis: Analysis, width: int = 60) -> dict[str, list[float]]:
    """The loss (and lr) around the break, for a small terminal chart."""
    chart: dict[str, list[float]] = {}
    end = analysis.cut + 1 if analysis.cut is not None else None
    for metric in ("loss", "lr"):
        curve: Curve | None = analysis.curve(metric)
        if curve is None:
            continue
        values = curve.before(end).values if end is not None else curve.values
        if metric == "loss" and end is not None:
            after = curve.after(end).values[:5]
            values = np.concatenate([values, after])
        chart[metric] = [float(v) for v in values[-width:]]
    return chart


def diagnose_run(run: Run) -> Report:
    analysis = analyse(run)
    report = Report(
        source=run.source,
        format=run.format,
        records=run.records,
        framework=analysis.framework,
        variant=run.variant,
        lines=run.lines,
        notes=list(analysis.notes),
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
        }
    failure_events = [e for e in run.events if e.kind in PROBLEM_EVENTS]
    report.problem = analysis.is_problem or bool(failure_events)
    if report.problem:
        report.causes = rank(run_rules(analysis), analysis.framework)
        report.shape = _shape(analysis)
        report.chart = _chart(analysis)
        if brk is not None and brk.hidden:
            report.notes.append(
                f"the printed loss stayed finite while {brk.name} was {fmt(brk.value)}: a hidden NaN "
                "(e.g. the Trainer's logging_nan_inf_filter), not a recovery"
            )
    return report
