"""Reporters by ``--format`` name: a dict, not an if/elif chain."""

from __future__ import annotations

from collections.abc import Callable

from nanlog.reporters.base import Reporter, report_to_dict
from nanlog.reporters.github import GithubReporter
from nanlog.reporters.json import JsonLinesReporter, JsonReporter
from nanlog.reporters.markdown import MarkdownReporter
from nanlog.reporters.sarif import SarifReporter


def _text(color: bool, width: int) -> Reporter:
    from nanlog.reporters.text import TextReporter  # rich's layout classes only when needed

    return TextReporter(color=color, width=width)


REPORTERS: dict[str, Callable[[bool, int], Reporter]] = {
    "text": _text,
    "json": lambda color, width: JsonReporter(),
    "jsonl": lambda color, width: JsonLinesReporter(),
    "markdown": lambda color, width: MarkdownReporter(),
    "github": lambda color, width: GithubReporter(),
    "sarif": lambda color, width: SarifReporter(),
}

__all__ = ["REPORTERS", "Reporter", "report_to_dict"]
