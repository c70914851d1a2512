"""``--format text``: the report a person reads in a terminal (rich), plain when piped."""

from __future__ import annotations

import io
import math
import os
from typing import Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from nanlog.causes import FRAMEWORK_NAMES
from nanlog.engine import Chart, Report
from nanlog.reporters.base import Reporter, headline, short_where
from nanlog.rules.base import fmt
from nanlog.safety import shown

_BARS = "▁▂▃▄▅▆▇█"


def log_scaled(values: list[float | None]) -> bool:
    """Log scale when the positive values span 10x or more and most values are positive
    (a hidden NaN printed as 0 shows as the lowest mark)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    positive = [v for v in finite if v > 0]
    return 2 * len(positive) > len(finite) and max(positive) >= 10 * min(positive)


def sparkline(values: list[float | None], log: bool = True) -> str:
    """A one-line chart; non-finite values show as ✗ so the break is visible, a position
    with no value as a space."""
    finite = [v for v in values if v is not None and math.isfinite(v) and (v > 0 or not log)]
    if not finite:
        return "".join(" " if v is None else "✗" for v in values)
    scaled = [math.log10(v) if log else v for v in finite]
    low, high = min(scaled), max(scaled)
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif not math.isfinite(v):
            out.append("✗")
        elif log and v <= 0:
            out.append(_BARS[0])
        else:
            x = math.log10(v) if log else v
            level = 0 if high == low else round((x - low) / (high - low) * (len(_BARS) - 1))
            out.append(_BARS[level])
    return "".join(out)


def chart_lines(chart: Chart) -> list[tuple[str, str, str]]:
    """(label, marks, range) per metric, then a caption that says what the marks are."""
    rows = []
    for metric, values in chart.series.items():
        if all(v is None for v in values):
            continue
        log = log_scaled(values)
        finite = [v for v in values if v is not None and math.isfinite(v)]
        span = f"{fmt(min(finite))} .. {fmt(max(finite))}" if finite else ""
        span += " log" if log else ""
        rows.append((metric, sparkline(values, log), span))
    loss = chart.values.get("loss", 0)
    where = (
        f"line {chart.first_line}"
        if chart.first_line == chart.last_line
        else f"lines {chart.first_line}-{chart.last_line}"
    )
    marks = (
        "one mark per logged value"
        if chart.marks_per_value
        else f"{loss:,} values in {len(next(iter(chart.series.values())))} marks"
    )
    rows.append(("", f"{where}, {marks}; ✗ NaN/inf", ""))
    return rows


def _hanging(console: Console, prefix: str | Text, body: Text | str, style: str = "") -> None:
    """Print ``prefix`` then ``body``, wrapped lines indented under the body."""
    grid = Table.grid(padding=0)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(
        prefix if isinstance(prefix, Text) else Text(prefix),
        body if isinstance(body, Text) else Text(body, style=style),
    )
    console.print(grid)


def _where(r: Report) -> str:
    first = r.first_nonfinite
    if first is None:
        return headline(r).split("; most likely")[0]
    place = [f"{k} {first[k]}" for k in ("epoch", "batch") if first.get(k) is not None]
    text = f"{first['metric']} turned {first['value']}"
    if first.get("step") is not None:
        text += f" at step {first['step']}"
    if place:
        text += f" ({', '.join(place)})"
    return text + f", line {first['line']}"


def buffered_console(buffer: io.StringIO, color: bool, width: int) -> Console:
    """A rich console that draws into ``buffer``: colour only when asked, no guessing."""
    return Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )


def drawn(buffer: io.StringIO) -> str:
    """What was drawn, without the trailing spaces rich pads lines with."""
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


class TextReporter(Reporter):
    def __init__(self, color: bool = False, width: int = 100) -> None:
        self.color = color
        self.width = width

    def render(self, reports: list[Report]) -> str:
        buffer = io.StringIO()
        console = buffered_console(buffer, self.color, self.width)
        for i, report in enumerate(reports):
            if i:
                console.print()
            self._one(console, report)
        if len(reports) > 1:
            console.print()
            self._summary(console, reports)
        return drawn(buffer)

    def _summary(self, console: Console, reports: list[Report]) -> None:
        """One row per input, worst first: where it broke and the most likely cause."""
        names = [shown(r.source) for r in reports]
        folder = os.path.commonpath(names) if len(names) > 1 and "-" not in names else ""
        folder = folder if folder and not any(n == folder for n in names) else ""
        broken = sum(r.problem for r in reports)
        unreadable = sum(r.error is not None for r in reports)
        title = Text("Summary", style="bold")
        where = f" of {folder}{os.sep}" if folder else ""
        title.append(
            f"{where}: {len(reports)} logs, {broken} broke, "
            f"{len(reports) - broken - unreadable} healthy"
            + (f", {unreadable} unreadable" if unreadable else ""),
            style="bold",
        )
        console.print(title, overflow="fold")
        table = Table(box=None, header_style="bold", pad_edge=False, show_edge=False)
        table.add_column("input", overflow="fold", ratio=3)
        table.add_column("broke at", overflow="fold", ratio=2)
        table.add_column("most likely", no_wrap=True)
        order = sorted(
            range(len(reports)),
            key=lambda i: (not reports[i].problem, reports[i].error is None, i),
        )
        for i in order:
            r = reports[i]
            name = os.path.relpath(names[i], folder) if folder else names[i]
            top = f"{r.causes[0].id} {r.causes[0].score:.2f}" if r.causes else ""
            style = "red" if r.problem or r.error else "green"
            table.add_row(name, Text(short_where(r), style=style), top)
        console.print(table)

    @property
    def _overflow(self) -> Literal["ellipsis", "fold"]:
        return "ellipsis" if self.crop else "fold"

    def _one(self, console: Console, r: Report) -> None:
        title = Text("nanlog ", style="bold")
        title.append(shown(r.source), style="bold cyan")
        if r.error:
            console.print(title, no_wrap=self.crop, overflow=self._overflow)
            console.print(Text(f"  could not be read: {shown(r.error)}", style="red"))
            return
        stats = f"{r.format} · {r.records:,} records · {r.lines:,} lines"
        if len(title) + 2 + len(stats) <= self.width:
            title.append(f"  {stats}", style="dim")
            console.print(title, no_wrap=self.crop, overflow=self._overflow)
        else:  # a long path: the numbers on a line of their own rather than broken mid-phrase
            console.print(title, no_wrap=self.crop, overflow=self._overflow)
            console.print(Text(f"  {stats}", style="dim"))
        if r.problem:  # the answer first; the sections below give the evidence
            _hanging(console, "  → ", shown(headline(r)), style="bold")
        if not r.problem:
            console.print(Text("  ✓ no NaN/inf and no divergence", style="green"))
            for note in r.notes:
                _hanging(console, "  note: ", note, style="dim")
            return
        console.print()
        console.print(Text("Where it broke", style="bold"))
        _hanging(console, "  ", _where(r), style="red")
        first = r.first_nonfinite
        if first is not None:
            detail = []
            if first.get("name") and first["name"] != first["metric"]:
                detail.append(f"printed as {first['name']}")
            if first.get("last_finite") is not None:
                detail.append(f"last finite value {first['last_finite']:.6g}")
            if detail:
                console.print(Text("  " + ", ".join(detail), style="dim"))
            if first.get("text"):
                console.print(
                    Text(f"  │ {shown(str(first['text']))}"),
                    no_wrap=self.crop,
                    overflow=self._overflow,
                )
        if r.shape or r.chart:
            console.print()
            console.print(Text("How", style="bold"))
            if r.shape:
                _hanging(console, "  ", r.shape)
            if r.chart is not None:
                for label, marks, span in chart_lines(r.chart):
                    line = Text(f"  {label:<5} ", style="dim")
                    line.append(marks, style="yellow" if label else "dim")
                    if span:
                        line.append(f"  {span}", style="dim")
                    console.print(line, no_wrap=True, overflow="ellipsis")
        if r.causes:
            console.print()
            console.print(Text("Why (most likely first)", style="bold"))
            for i, cause in enumerate(r.causes, 1):
                # score and bar first, so the bars line up however long the titles are
                filled = round(cause.score * 10)
                prefix = Text(f"  {i}. {cause.score:.2f} ")
                prefix.append("█" * filled + "░" * (10 - filled), style="magenta")
                prefix.append("  ")
                head = Text(cause.title, style="bold")
                head.append(f"  [{cause.id}]", style="dim")
                _hanging(console, prefix, head)
                if all(e.rule == "PRIOR" for e in cause.evidence):
                    _hanging(
                        console,
                        "     · ",
                        "no sign in the log; how often it explains NaN losses in public threads",
                        style="dim",
                    )
                    continue
                for evidence in cause.evidence:
                    _hanging(console, "     · ", f"{evidence.sentence}  [{evidence.rule}]")
            top = r.causes[0]
            console.print()
            framework = FRAMEWORK_NAMES.get(r.framework, r.framework)
            console.print(Text(f"What to do about {top.id} ({framework} terms)", style="bold"))
            for remedy in top.remedies:
                _hanging(console, "  • ", remedy)
        for note in r.notes:
            _hanging(console, "  note: ", note, style="dim")
