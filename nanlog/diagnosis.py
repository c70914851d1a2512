"""Diagnose several inputs: every readable one is reported, unreadable ones become errors."""

from __future__ import annotations

from nanlog.engine import Report, diagnose_run
from nanlog.errors import NanlogError
from nanlog.io import Source, resolve_inputs
from nanlog.parsing import parse_source


def _diagnose_source(source: Source, input_format: str | None) -> Report:
    try:
        return diagnose_run(parse_source(source, input_format))
    except NanlogError as exc:
        return Report(source=source.name, format="", records=0, error=str(exc))


def diagnose_inputs(names: list[str], input_format: str | None) -> tuple[list[Report], list[str]]:
    """One report per input file (a directory gives several) and the error lines to show."""
    reports: list[Report] = []
    for name in names:
        try:
            sources = resolve_inputs([name])
        except NanlogError as exc:
            reports.append(Report(source=name, format="", records=0, error=str(exc)))
            continue
        reports.extend(_diagnose_source(source, input_format) for source in sources)
    errors = [report.error for report in reports if report.error]
    return reports, errors
