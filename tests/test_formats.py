"""Every registered format: its real sample lines parse, sniffing is total."""

from __future__ import annotations

import io
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nanlog.formats import FORMATS, detect
from nanlog.formats.base import LogFormat
from nanlog.io import clean
from nanlog.model import Run
from nanlog.names import canonical_name, is_loss_term, term_kind
from nanlog.parsing import parse_stream

SAMPLES = [(fmt, text, expected) for fmt in FORMATS for text, expected in fmt.samples]


def _parse(text: str, fmt: str | None = None) -> Run:
    return parse_stream(io.BytesIO(text.encode()), "sample", fmt)


def _values(run: Run) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    s = run.series
    for i in range(len(s)):
        found.setdefault(canonical_name(s.names[s.name_id[i]]), []).append(s.value[i])
    return found


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


@pytest.mark.parametrize(
    ("fmt", "text", "expected"), SAMPLES, ids=[f"{f.id}-{i}" for i, (f, _, _) in enumerate(SAMPLES)]
)
def test_sample_parses_with_its_format(
    fmt: LogFormat, text: str, expected: dict[str, float]
) -> None:
    run = _parse(text + "\n", fmt.id)
    values = _values(run)
    for metric, value in expected.items():
        assert metric in values, f"{metric} not read from {text!r}: {values}"
        assert any(_same(v, value) for v in values[metric])


@pytest.mark.parametrize(
    ("fmt", "text", "expected"), SAMPLES, ids=[f"{f.id}-{i}" for i, (f, _, _) in enumerate(SAMPLES)]
)
def test_sample_is_detected_as_its_format(fmt: LogFormat, text: str, expected: object) -> None:
    assert detect(clean(text + "\n")).id == fmt.id


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.id for f in FORMATS])
@pytest.mark.parametrize(
    "head",
    [
        "",
        "\x00" * 1000,
        "x" * 20_000_000,
        "\r" * 10000,
        "{" * 100000,
        "loss=" * 200_000,
        "Epoch 1/" * 100000,
    ],
)
def test_sniff_is_total_and_bounded(fmt: LogFormat, head: str) -> None:
    score = fmt.sniff(head)
    assert 0.0 <= score <= 1.0


@given(st.text(max_size=500))
def test_sniff_never_raises(head: str) -> None:
    for fmt in FORMATS:
        assert 0.0 <= fmt.sniff(head) <= 1.0


def test_parsing_twice_gives_equal_data() -> None:
    text = "\n".join(t for f in FORMATS if f.id == "plain" for t, _ in f.samples) + "\n"
    a, b = _parse(text), _parse(text)
    assert a.frame.equals(b.frame)


def test_line_numbers_are_one_based_and_non_decreasing() -> None:
    text = "header\n" + "".join(f"step {i} loss {1 / (i + 1):.4f}\n" for i in range(50))
    run = _parse(text)
    lines = list(run.series.line)
    assert lines[0] == 2
    assert lines == sorted(lines)
    assert lines[-1] == 51


def test_not_printed_is_not_nan() -> None:
    """A metric missing from a line has no row; a printed nan has a NaN row."""
    run = _parse("step 1 loss 0.5 lr 0.1\nstep 2 loss nan\n")
    frame = run.frame
    assert len(frame[frame.metric == "lr"]) == 1
    assert frame[frame.metric == "loss"].value.isna().tolist() == [False, True]


def test_a_broken_csv_row_does_not_stop_the_reader() -> None:
    """Found by the fuzzer: a carriage return and a stray quote in a CSV row (hand-written)."""
    run = _parse('epoch,step,loss\n0,1,0.5\n0,2,"\r\n0,3,nan\n', "csv")
    assert any(v != v for v in run.series.value)


@pytest.mark.parametrize(
    ("printed", "kind"),
    [
        ("rpn_box", "box"),
        ("loss_bbox", "box"),
        ("loss_box_reg", "box"),
        ("loss_rpn_loc", "box"),
        ("giou_loss", None),  # IoU terms break first under any divergence
        ("loss_cls", "class"),
        ("rcnn_cls", "class"),
        ("obj_loss", "class"),
        ("local_loss", None),
    ],
)
def test_term_kind(printed: str, kind: str | None) -> None:
    assert term_kind(printed) == kind


def test_detection_terms_without_the_word_loss_are_read() -> None:
    """Hand-written from jwyang/faster-rcnn.pytorch's console format."""
    run = _parse(
        "[session 1][epoch  1][iter  100/2892] loss: nan, lr: 1.00e-04\n"
        "\t\t\trpn_cls: 0.6902, rpn_box: nan, rcnn_cls: 0.2591, rcnn_box 0.0000\n"
    )
    names = {run.series.names[i] for i in run.series.name_id}
    assert {"rpn_cls", "rpn_box", "rcnn_cls", "rcnn_box"} <= names
    assert is_loss_term("rpn_box") and not is_loss_term("loss") and not is_loss_term("val_loss")
