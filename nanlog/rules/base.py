"""What a rule is, and the evidence it yields.

A rule is one class with a stable ``code``, a dotted ``name``, the cause ids it
can support, and a docstring that is its documentation, in fixed sections:

* ``What it detects:`` / ``Why it leads to NaN:`` — prose;
* ``Example::`` — a log block on which the rule must fire;
* ``Stays silent on::`` — a log block on which it must stay silent;
* optionally ``Known false positives:`` and ``References:``.

The two log blocks are executed by the test suite, so the documentation cannot
drift from the behaviour. ``check`` is pure: it reads an
:class:`~nanlog.analysis.Analysis`, yields :class:`Evidence`, never prints and
never raises on odd data (a rule that needs a series that is missing yields
nothing).
"""

from __future__ import annotations

import inspect
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from nanlog.analysis import Analysis


@dataclass(frozen=True)
class Evidence:
    """One observation that supports one cause (or, with ``against``, speaks against it)."""

    rule: str
    cause: str
    score: float  # 0..1: how strongly this observation alone points at (or away from) the cause
    sentence: str  # what was seen, for a person
    line: int | None = None
    step: int | None = None
    against: bool = False


class Rule(ABC):
    code: ClassVar[str]
    name: ClassVar[str]
    causes: ClassVar[tuple[str, ...]]
    summary: ClassVar[str]  # one line for `nanlog rules`

    @abstractmethod
    def check(self, analysis: Analysis) -> Iterator[Evidence]: ...

    def evidence(
        self,
        cause: str,
        score: float,
        sentence: str,
        line: int | None = None,
        step: int | None = None,
    ) -> Evidence:
        return Evidence(self.code, cause, max(0.0, min(1.0, score)), sentence, line, step)

    def against(self, cause: str, score: float, sentence: str, line: int | None = None) -> Evidence:
        """An observation that makes ``cause`` less likely (``score`` 0..1: how much)."""
        text = f"against it: {sentence}"
        return Evidence(self.code, cause, max(0.0, min(1.0, score)), text, line, None, True)

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc_block(cls, heading: str) -> str | None:
        """The indented log block under ``heading::`` in the docstring."""
        match = re.search(
            rf"^{re.escape(heading)}::\n\n((?:    .*\n|\n)+)", cls.documentation() + "\n", re.M
        )
        if match is None:
            return None
        return inspect.cleandoc(match.group(1)) + "\n"


def fmt(value: float) -> str:
    """A number as a person wants to read it in a sentence."""
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.2e}"
    return f"{value:.4g}"


def where(line: int | None, step: int | None = None) -> str:
    parts = []
    if step is not None:
        parts.append(f"step {step}")
    if line is not None:
        parts.append(f"line {line}")
    return " (" + ", ".join(parts) + ")" if parts else ""
