"""Docs are tests: the README's tables match the registries; every command has help."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from nanlog.cli import cli
from nanlog.formats import FORMATS
from nanlog.rules import RULES

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```[^\n]*\n(.*?)```", section, re.S)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) == 2
    assert "nanlog diagnose sample_logs/" in lines[0]
    assert (ROOT / lines[0].split("nanlog diagnose ", 1)[1].strip()).is_file()
    assert "pytest" in lines[1]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_readme_rule_table_matches_registry(rule: object) -> None:
    code, name, causes, summary = (getattr(rule, a) for a in ("code", "name", "causes", "summary"))
    assert f"| {code} | {name} | {', '.join(causes)} | {summary} |" in README


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.id for f in FORMATS])
def test_readme_lists_every_format(fmt: object) -> None:
    assert f"| `{fmt.id}` |" in README  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "command", [[], ["diagnose"], ["parse"], ["rules"], ["scan"], ["watch"], ["run"]]
)
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output) > 200


def test_input_format_choices_match_the_registry() -> None:
    """The CLI lists the ids without importing the formats (fast start); they must agree."""
    from nanlog.cli import FORMAT_IDS
    from nanlog.formats import BY_ID

    assert set(FORMAT_IDS) == set(BY_ID)


def test_the_package_is_typed_and_licensed() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    from .conftest import ROOT

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "License :: OSI Approved :: MIT License" in meta["project"]["classifiers"]
    assert (ROOT / "nanlog" / "py.typed").is_file()
    assert "py.typed" in meta["tool"]["setuptools"]["package-data"]["nanlog"]


def test_readme_generated_blocks_are_current() -> None:
    """The rule table, the sample report and the format list are regenerated from the code
    (``python scripts/readme.py``): a change to either that forgets the README fails here."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
