"""The number reader: every spelling of FORMATS.md §0, and words that are not numbers."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nanlog.numbers import END, VALUE, spell, to_float

TOKEN = re.compile(r"(?<![\w.])(" + VALUE + r")" + END)


@pytest.mark.parametrize(
    "token",
    [
        "nan",
        "NaN",
        "NAN",
        "-nan",
        "nan.0",
        "'nan'",
        '"nan"',
        "np.float64(nan)",
        "tensor(nan)",
        "tensor(nan, grad_fn=<NllLossBackward0>)",
        ".nan",  # YAML
        ".NaN",
        "nanxxx",  # PaddleOCR's {:x<6f}
        "0000nan",  # Python's f"{x:07.3f}"
    ],
)
def test_nan_spellings(token: str) -> None:
    value = to_float(token)
    assert value is not None and math.isnan(value)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("inf", math.inf),
        ("inf.0", math.inf),
        ("INF", math.inf),
        ("Infinity", math.inf),
        ("-inf", -math.inf),
        ("-inf.", -math.inf),
        ("-INF", -math.inf),
        ("-Infinity", -math.inf),
        ("np.float64(inf)", math.inf),
        ("'-inf'", -math.inf),
        (".inf", math.inf),  # YAML
        ("-.inf", -math.inf),
    ],
)
def test_inf_spellings(token: str, expected: float) -> None:
    assert to_float(token) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("3.9523e-05", 3.9523e-05),
        ("1e-05", 1e-05),
        ("1.23e+4", 12300.0),
        ("3.937E-06", 3.937e-06),
        ("1714719424512.0000", 1714719424512.0),
        ("0.0000e+00", 0.0),
        ("'0.00095'", 0.00095),
        (".5", 0.5),
        ("7", 7.0),
    ],
)
def test_finite_spellings(token: str, expected: float) -> None:
    assert to_float(token) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "INFO",
        "Infinity-war",
        "nanny",
        "/data/nano/inf_run/x.py",
        "1.0Kit/s",
        "naN-bread",
        "information",
        "infer",
        "banana",
        "nanxxxx",
    ],
)
def test_words_are_not_value_tokens(text: str) -> None:
    assert not [m for m in TOKEN.findall(text) if not math.isfinite(to_float(m) or 0.0)]


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_python_formatting_round_trips(x: float) -> None:
    for text in (repr(x), f"{x:.4f}", f"{x:.4e}", f"{x:g}", f"{x:E}", f"{x:.6E}", f"{x:012.3f}"):
        value = to_float(text)
        assert value is not None
        if math.isnan(x):
            assert math.isnan(value)
        elif math.isinf(x):
            assert value == x
        else:
            assert value == pytest.approx(float(text))


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_spell_is_contract_spelling(x: float) -> None:
    if not math.isfinite(x):
        assert spell(x) in ("nan", "inf", "-inf")


@given(st.text(max_size=200))
def test_to_float_is_total(text: str) -> None:
    value = to_float(text)
    assert value is None or isinstance(value, float)
