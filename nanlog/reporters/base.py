"""What a reporter is, and the report as plain data (the JSON contract's shape).

``Reporter.render(reports) -> str`` returns, never prints, so the CLI decides
where the text goes and tests can snapshot it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from nanlog import __version__
from nanlog.engine import Report

SCHEMA = "nanlog.report/1"


class Reporter(ABC):
    crop = True  # cut a long line at the width (a terminal); False keeps every character

    @abstractmethod
    def render(self, reports: list[Report]) -> str: ...


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data: the contract's keys first, then nanlog's own."""
    return {
        "schema": SCHEMA,
        "nanlog_version": __version__,
        "source": report.source,
        "format": report.format,
        "records": report.records,
        "first_nonfinite": report.first_nonfinite,
        "causes": [
            {
                "id": cause.id,
                "score": cause.score,
                "title": cause.title,
                "evidence": [e.sentence for e in cause.evidence],
                "remedies": cause.remedies,
                "evidence_detail": [
                    {
                        "rule": e.rule,
                        "score": round(e.score, 3),
                        "sentence": e.sentence,
                        "line": e.line,
                        "step": e.step,
                    }
                    for e in cause.evidence
                ],
            }
            for cause in report.causes
        ],
        "problem": report.problem,
        "divergence": report.divergence,
        "failure": report.failure,
        "shape": report.shape or None,
        "framework": report.framework,
        "variant": report.variant,
        "lines": report.lines,
        "notes": report.notes,
        "error": report.error,
    }


def headline(report: Report) -> str:
    """One line: what nanlog concluded about this input."""
    if report.error:
        return f"could not be read: {report.error}"
    if not report.problem:
        return f"no NaN/inf or divergence in {report.records} records"
    where = ""
    first = report.first_nonfinite
    if first is not None:
        where = f"{first['metric']} turned {first['value']}"
        place = [f"{k} {first[k]}" for k in ("step", "epoch") if first.get(k) is not None]
        where += (
            f" at {', '.join(place)}, line {first['line']}"
            if place
            else f" at line {first['line']}"
        )
    elif report.divergence is not None:
        d = report.divergence
        size = f"{d['factor']:.3g}x" if d["factor"] else f"reached {d['value']:.3g}"
        where = f"{d['metric']} diverged ({size}) at line {d['line']}"
        if d.get("kind") == "collapse":
            where = f"{d['metric']} fell to exactly 0 at line {d['line']} and stayed there"
    elif report.failure is not None:
        where = (
            f"the log reports a failure at line {report.failure['line']}: {report.failure['text']}"
        )
        where = where[:160]
    else:
        where = "the loss scale collapsed"
    top = (
        f"; most likely: {report.causes[0].id} ({report.causes[0].score:.2f})"
        if report.causes
        else ""
    )
    return where + top


def break_place(report: Report) -> dict[str, object]:
    """Where the input broke: its first non-finite value, else its divergence, else the
    failure message ({} for a healthy input). Each has ``line``; the first two ``metric``."""
    return report.first_nonfinite or report.divergence or report.failure or {}


def short_where(report: Report) -> str:
    """Where the input broke, in a few words for a summary row."""
    if report.error:
        return "could not be read"
    if not report.problem:
        return "healthy"
    first, divergence, failure = report.first_nonfinite, report.divergence, report.failure
    if first is not None:
        step = f", step {first['step']}" if first.get("step") is not None else ""
        return f"{first['metric']} {first['value']}{step}, line {first['line']}"
    if divergence is not None:
        return f"{divergence['metric']} diverged, line {divergence['line']}"
    if failure is not None:
        return f"failure message, line {failure['line']}"
    return "loss scale collapsed"
