"""``--format sarif``: SARIF 2.1.0, the format code-scanning UIs read.

One result per input that broke, on the log line where it broke, named by its most likely
cause (the rule); the ranked causes ride along in the result's properties. Healthy inputs
give no result; an unreadable one is a tool notification, as SARIF has it.
"""

from __future__ import annotations

import json
from typing import Any

from nanlog import __version__
from nanlog.causes import CAUSES
from nanlog.engine import Report
from nanlog.reporters.base import Reporter, break_place, headline
from nanlog.reporters.json import strict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_INDEX = {cause.id: i for i, cause in enumerate(CAUSES)}


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": cause.id,
            "name": "".join(part.title() for part in cause.id.split("_")),
            "shortDescription": {"text": cause.title},
            "fullDescription": {"text": cause.explanation},
            "help": {"text": "\n".join(cause.remedies_for("generic"))},
            "defaultConfiguration": {"level": "error"},
        }
        for cause in CAUSES
    ]


def _line(report: Report) -> int | None:
    line = break_place(report).get("line")
    return line if isinstance(line, int) else None


def _location(report: Report) -> dict[str, Any]:
    uri = "stdin" if report.source == "-" else report.source
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    line = _line(report)
    if line is not None:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _result(report: Report) -> dict[str, Any]:
    top = report.causes[0] if report.causes else None
    message = headline(report)
    if top is not None and top.remedies:
        message += f". {top.title}: {top.evidence[0].sentence}. Fix: {top.remedies[0]}"
    result: dict[str, Any] = {
        "level": "error",
        "message": {"text": message},
        "locations": [_location(report)],
        "properties": {
            "causes": [{"id": c.id, "score": c.score} for c in report.causes],
            "format": report.format,
        },
    }
    if top is not None and top.id in RULE_INDEX:
        result["ruleId"] = top.id
        result["ruleIndex"] = RULE_INDEX[top.id]
    return result


class SarifReporter(Reporter):
    def render(self, reports: list[Report]) -> str:
        notifications = [
            {
                "level": "error",
                "message": {"text": f"{r.source}: could not be read: {r.error}"},
                "locations": [_location(r)],
            }
            for r in reports
            if r.error
        ]
        document = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "nanlog",
                            "version": __version__,
                            "semanticVersion": __version__,
                            "rules": _rules(),
                        }
                    },
                    "invocations": [
                        {
                            "executionSuccessful": not notifications,
                            "toolExecutionNotifications": notifications,
                        }
                    ],
                    "results": [_result(r) for r in reports if r.problem and not r.error],
                }
            ],
        }
        return json.dumps(strict(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
