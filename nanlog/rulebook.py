"""``nanlog rules``: the rule and cause pages, looked up by code, name or cause id.

A rule's docstring is its page (sections ``What it detects:``, ``Why it leads to NaN:``,
``Example::``, ``Stays silent on::``, optionally ``Known false positives:`` and
``References:``); here it is split into those sections so the terminal shows headings and
indented logs, not reStructuredText, and ``--format json`` gives the same as data.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from nanlog.causes import BY_ID, CAUSES, FRAMEWORKS, Cause
from nanlog.errors import NanlogError
from nanlog.rules import RULES, Rule

HEADINGS = {
    "What it detects": "detects",
    "Why it leads to NaN": "why",
    "Example": "example",
    "Stays silent on": "silent_on",
    "Known false positives": "false_positives",
    "References": "references",
}
LOG_SECTIONS = ("example", "silent_on")  # verbatim logs; the others are prose
_HEADING = re.compile(r"^(" + "|".join(map(re.escape, HEADINGS)) + r")::?\s*$", re.M)


def sections(rule: Rule) -> dict[str, str]:
    """The docstring's sections by key (``detects``, ``why``, ``example`` ...), dedented."""
    text = rule.documentation()
    found: dict[str, str] = {}
    matches = list(_HEADING.finditer(text))
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        body = inspect.cleandoc(text[match.end() : end].strip("\n"))
        key = HEADINGS[match.group(1)]
        found[key] = body if key in LOG_SECTIONS else body.replace("``", "`")
    return found


def lookup(query: str) -> Rule | Cause:
    """A rule by code (``SH01``, any case) or name (``shape.steady-growth``), or a cause by id."""
    wanted = query.strip()
    for rule in RULES:
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            return rule
    if wanted.lower() in BY_ID:
        return BY_ID[wanted.lower()]
    known = ", ".join(r.code for r in RULES)
    raise NanlogError(
        f"no rule or cause {query!r}; give a code ({known}), a rule name or a cause id "
        f"({', '.join(c.id for c in CAUSES)})"
    )


def rules_for(cause: Cause) -> list[Rule]:
    return [rule for rule in RULES if cause.id in rule.causes]


def rule_data(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "causes": list(rule.causes),
        "summary": rule.summary,
        **sections(rule),
    }


def cause_data(cause: Cause) -> dict[str, Any]:
    return {
        "id": cause.id,
        "title": cause.title,
        "explanation": cause.explanation,
        "remedies": {fw: cause.remedies_for(fw) for fw in FRAMEWORKS if fw in cause.remedies},
        "rules": [rule.code for rule in rules_for(cause)],
    }


def catalogue() -> dict[str, Any]:
    """Everything ``nanlog rules --format json`` prints with no query."""
    return {
        "rules": [rule_data(rule) for rule in RULES],
        "causes": [cause_data(cause) for cause in CAUSES],
    }
