"""Every report nanlog writes follows the JSON Schema it publishes (nanlog/schemas/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import nanlog
from nanlog.engine import Report
from nanlog.errors import NanlogError

from .conftest import SAMPLE_LOGS, labelled_logs

SCHEMA = nanlog.report_schema()
VALIDATOR = Draft202012Validator(SCHEMA)


def _errors(document: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def test_the_schema_is_a_valid_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_every_labelled_log_gives_a_valid_report() -> None:
    logs = labelled_logs()
    assert len(logs) > 100
    bad = {}
    for path in logs:
        try:
            report = nanlog.diagnose(path)
        except NanlogError as exc:  # refused: the CLI's report for it is an error report
            report = Report(source=str(path), format="", records=0, error=str(exc))
        errors = _errors(report.to_dict())
        if errors:
            bad[path.name] = errors[:3]
    assert not bad


def test_the_schema_catches_a_problem_without_causes() -> None:
    path = SAMPLE_LOGS / "keras" / "keras3_bad_input_data_v1_pipe.log"
    data = nanlog.diagnose(path).to_dict()
    assert not _errors(data)
    assert _errors({**data, "causes": []})  # exit 1 with an empty Why is not a report
    assert _errors({**data, "first_nonfinite": {**data["first_nonfinite"], "value": float("nan")}})


@pytest.mark.parametrize("output_format", ["json", "jsonl"])
def test_cli_documents_validate_unreadable_inputs_included(
    tmp_path: Path, output_format: str
) -> None:
    (tmp_path / "good.log").write_text("step 1 loss 1.0\nstep 2 loss nan\n")
    (tmp_path / "empty.log").write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", "diagnose", "--format", output_format, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode in (1, 2), result.stderr
    if output_format == "json":
        documents = json.loads(result.stdout)
        assert isinstance(documents, list)
    else:
        documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(documents) == 2
    for document in documents:
        assert not _errors(document), document["source"]


# The parts of SARIF 2.1.0 (OASIS standard, sections 3.13-3.27) a code-scanning upload needs;
# written here from the standard, as the full schema is not shipped with any package we use.
SARIF_REQUIRED = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {"type": "object", "required": ["id"]},
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message", "locations", "level"],
                            "properties": {
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            }
                                                        },
                                                    }
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_sarif_names_the_line_and_the_top_cause(tmp_path: Path) -> None:
    healthy = SAMPLE_LOGS / "keras" / "keras3_healthy_v1_pipe.log"
    broken = SAMPLE_LOGS / "keras" / "keras3_bad_input_data_v1_pipe.log"
    missing = tmp_path / "missing.log"
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", "diagnose", "--format", "sarif"]
        + [str(p) for p in (broken, healthy, missing)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    document = json.loads(result.stdout)
    assert not list(Draft202012Validator(SARIF_REQUIRED).iter_errors(document))
    run = document["runs"][0]
    assert len(run["results"]) == 1  # the healthy log gives none, the missing one no result
    found = run["results"][0]
    report = nanlog.diagnose(broken)
    assert found["ruleId"] == report.causes[0].id
    assert run["tool"]["driver"]["rules"][found["ruleIndex"]]["id"] == found["ruleId"]
    location = found["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == str(broken)
    assert report.first_nonfinite is not None
    assert location["region"]["startLine"] == report.first_nonfinite["line"]
    notices = run["invocations"][0]["toolExecutionNotifications"]
    assert [str(missing) in n["message"]["text"] for n in notices] == [True]
    assert healthy.exists()
