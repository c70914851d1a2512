"""The rule and cause pages for a terminal (rich): headings, wrapped prose, logs indented."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from nanlog.causes import CAUSES, FRAMEWORK_NAMES, FRAMEWORKS, Cause
from nanlog.reporters.text import buffered_console, drawn
from nanlog.rulebook import LOG_SECTIONS, rules_for, sections
from nanlog.rules import RULES, Rule

_TITLES = {
    "detects": "What it detects",
    "why": "Why it leads to NaN",
    "example": "Fires on",
    "silent_on": "Stays silent on (a near miss)",
    "false_positives": "Known false positives",
    "references": "References",
}


def render_catalogue(color: bool, width: int) -> str:
    """Every rule (code, name, causes, summary), then every cause id with its title."""
    buffer = io.StringIO()
    console = buffered_console(buffer, color, width)
    rules = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    rules.add_column("code", no_wrap=True, style="bold")
    rules.add_column("rule: what it detects", overflow="fold", ratio=3)
    rules.add_column("bears on", overflow="fold", ratio=2, style="dim")
    for rule in RULES:
        detects = Text(rule.name, style="cyan")
        detects.append(f"\n{rule.summary}")
        rules.add_row(rule.code, detects, "\n".join(rule.causes))
    console.print(rules)
    console.print()
    causes = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    causes.add_column("cause id", no_wrap=True, style="bold")
    causes.add_column("what went wrong", overflow="fold")
    for cause in CAUSES:
        causes.add_row(cause.id, cause.title)
    console.print(causes)
    console.print()
    console.print(
        Text("nanlog rules CODE (or a rule name, or a cause id) shows its page.", style="dim")
    )
    return drawn(buffer)


def render_page(found: Rule | Cause, color: bool, width: int) -> str:
    buffer = io.StringIO()
    console = buffered_console(buffer, color, width)
    if isinstance(found, Cause):
        _cause_page(console, found)
    else:
        _rule_page(console, found)
    return drawn(buffer)


def _rule_page(console: Console, rule: Rule) -> None:
    head = Text(f"{rule.code} ", style="bold")
    head.append(rule.name, style="bold cyan")
    console.print(head)
    console.print(Text(f"bears on: {', '.join(rule.causes)}", style="dim"))
    for key, body in sections(rule).items():
        console.print()
        console.print(Text(_TITLES[key], style="bold"))
        if key in LOG_SECTIONS:
            for line in body.splitlines():
                console.print(Text(f"    {line}", style="yellow"), no_wrap=True, overflow="fold")
        else:
            console.print(Text(" ".join(body.split())), overflow="fold")


def _cause_page(console: Console, cause: Cause) -> None:
    console.print(Text(cause.id, style="bold cyan"))
    console.print(Text(cause.title, style="bold"))
    console.print()
    console.print(Text(cause.explanation))
    for framework in FRAMEWORKS:
        if framework not in cause.remedies:
            continue
        console.print()
        console.print(Text(f"What to do ({FRAMEWORK_NAMES[framework]} terms)", style="bold"))
        grid = Table.grid(padding=0)
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for remedy in cause.remedies[framework]:
            grid.add_row("  • ", Text(remedy))
        console.print(grid)
    console.print()
    console.print(Text("Rules that bear on it", style="bold"))
    for rule in rules_for(cause):
        line = Text(f"  {rule.code} ", style="bold")
        line.append(rule.summary)
        console.print(line, overflow="fold")
