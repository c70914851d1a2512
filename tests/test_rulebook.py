"""``nanlog rules``: pages looked up by code, name or cause id, in text and JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from nanlog.causes import CAUSES
from nanlog.cli import cli
from nanlog.rulebook import catalogue, lookup, sections
from nanlog.rules import RULES


def _rules(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["rules", *args], env={"COLUMNS": "80"})
    return result.exit_code, result.output


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_a_rule_page_is_found_by_code_or_name_and_has_no_rest_markup(rule: object) -> None:
    code, name = rule.code, rule.name  # type: ignore[attr-defined]
    status, by_code = _rules(code.lower())
    assert status == 0
    assert _rules(name) == (0, by_code)
    assert by_code.startswith(f"{code} {name}")
    assert "::" not in by_code and "``" not in by_code
    assert "Fires on" in by_code and "Stays silent on" in by_code
    assert max(len(line) for line in by_code.splitlines()) <= 80


@pytest.mark.parametrize("cause", CAUSES, ids=[c.id for c in CAUSES])
def test_a_cause_page_lists_its_remedies_and_rules(cause: object) -> None:
    status, page = _rules(cause.id)  # type: ignore[attr-defined]
    assert status == 0
    assert cause.title in page  # type: ignore[attr-defined]
    assert "What to do (general terms)" in page
    for rule in RULES:
        if cause.id in rule.causes:  # type: ignore[attr-defined]
            assert f"  {rule.code} " in page
    remedies = [r for rs in cause.remedies.values() for r in rs]  # type: ignore[attr-defined]
    bracketed = [r for r in remedies if "[" in r]
    for remedy in bracketed:  # rich markup must not eat "[...]" in a remedy
        words = re.findall(r"\[[^\]]+\]", remedy)
        assert all(word in " ".join(page.split()) for word in words)


def test_the_catalogue_lists_every_rule_and_cause_within_80_columns() -> None:
    status, text = _rules()
    assert status == 0
    for rule in RULES:
        assert re.search(rf"^{rule.code}\s", text, re.M)
    for cause in CAUSES:
        assert re.search(rf"^{cause.id}\s", text, re.M)
    assert max(len(line) for line in text.splitlines()) <= 80


def test_json_is_the_catalogue_and_a_page_is_its_entry() -> None:
    status, text = _rules("--format", "json")
    assert status == 0
    data = json.loads(text)
    assert data == catalogue()
    assert [r["code"] for r in data["rules"]] == [r.code for r in RULES]
    page = json.loads(_rules("SH01", "--format", "json")[1])
    assert page == data["rules"][0]
    assert page["example"] and page["silent_on"] and page["detects"]
    cause = json.loads(_rules("bad_input_data", "--format", "json")[1])
    assert cause["id"] == "bad_input_data" and "SH03" in cause["rules"]


def test_an_unknown_query_is_one_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", "rules", "XX99"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("nanlog: error: no rule or cause 'XX99'")
    assert len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(Exception, match="no rule or cause"):
        lookup("nothing")


def test_sections_keep_logs_verbatim() -> None:
    rule = lookup("SH03")
    assert not isinstance(rule, type(CAUSES[0]))
    found = sections(rule)  # type: ignore[arg-type]
    assert found["example"].splitlines()[-1] == "epoch 4 step 7 loss nan"
