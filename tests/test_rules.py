"""Every rule is documented, and its documentation's log blocks are executed:
the Example must fire the rule, the "Stays silent on" block must not."""

from __future__ import annotations

import io

import pytest

from nanlog.analysis import analyse
from nanlog.causes import BY_ID
from nanlog.parsing import parse_stream
from nanlog.rules import RULES, Rule

SECTIONS = ("What it detects:", "Why it leads to NaN:", "Example::", "Stays silent on::")


def _evidence(rule: Rule, log: str) -> list[object]:
    run = parse_stream(io.BytesIO(log.encode()), "doc-example")
    return list(rule.check(analyse(run)))


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_is_documented(rule: Rule) -> None:
    doc = rule.documentation()
    for section in SECTIONS:
        assert section in doc, f"{rule.code} lacks {section!r}"
    assert rule.summary and rule.name.count(".") == 1
    assert all(cause in BY_ID for cause in rule.causes)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_example_fires(rule: Rule) -> None:
    example = rule.doc_block("Example")
    assert example is not None
    found = _evidence(rule, example)
    assert found, f"{rule.code} did not fire on its own example"
    assert all(e.cause in rule.causes and 0 < e.score <= 1 and e.sentence for e in found)  # type: ignore[attr-defined]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_near_miss_is_silent(rule: Rule) -> None:
    healthy = rule.doc_block("Stays silent on")
    assert healthy is not None
    assert _evidence(rule, healthy) == []


def test_codes_and_names_are_unique() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


def test_every_cause_has_a_rule_and_remedies_for_every_framework() -> None:
    covered = {cause for rule in RULES for cause in rule.causes}
    assert covered == set(BY_ID)
    for cause in BY_ID.values():
        for framework in ("keras", "pytorch", "lightning", "hf", "generic"):
            assert cause.remedies_for(framework), (cause.id, framework)


@pytest.mark.parametrize(
    ("value", "digits"), [(2e-05, 1), (0.000195, 3), (1.0533245556287031e-07, 17), (0.01, 1)]
)
def test_significant_digits_tell_a_configured_rate_from_a_schedule_s(
    value: float, digits: int
) -> None:
    from nanlog.rules.precision import significant_digits

    assert significant_digits(value) == digits
