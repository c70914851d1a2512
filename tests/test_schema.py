"""Every report nanlog writes follows the JSON Schema it publishes (nanlog/schemas/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import nanlog

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
        errors = _errors(nanlog.diagnose(path).to_dict())
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
