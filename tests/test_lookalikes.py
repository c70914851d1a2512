"""Logs whose ASCII was swapped for look-alikes on the way read as the log itself.

A log copied from a web page comes with no-break spaces, from a blog with curled quotes around
a dict's keys, from a typeset page with the minus sign U+2212; a Chinese input method prints
full-width colons and commas. The logs are real ones from ``sample_logs/``, with the swap
made as the page or the input method makes it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from nanlog.engine import diagnose_run
from nanlog.parsing import parse_stream
from nanlog.reporters import report_to_dict

from .conftest import SAMPLE_LOGS

SWAPS: dict[str, Callable[[str], str]] = {
    "no-break spaces": lambda text: text.replace(" ", "\u00a0"),
    "curly quotes": lambda text: re.sub(
        r'"([^"\n]*)"', "\u201c\\1\u201d", re.sub(r"'([^'\n]*)'", "\u2018\\1\u2019", text)
    ),
    "full-width punctuation": lambda text: text.replace(":", "\uff1a").replace(",", "\uff0c"),
    "minus sign": lambda text: re.sub(r"(?<=[\s=:(\[,])-(?=\d)", "\u2212", text),
}

REAL = SAMPLE_LOGS / "real"
LOGS = [
    REAL / "202-pytorch-generative.log",  # MetricLogger: two spaces between fields
    REAL / "602-llamafactory-glm4-lora-sft.log",  # Trainer dicts
    REAL / "801-ultralytics-yolov8-detection.log",  # a column table under its header
    REAL / "1221-tensorflow-linear-regression.log",  # negative values
    REAL / "1364-pytorch-normalizing_flow_glow.log",
    SAMPLE_LOGS / "reading" / "3954-tf1-multivar-linreg-bare-columns.log",
]


def _report(text: str) -> dict[str, object]:
    report = report_to_dict(diagnose_run(parse_stream(io.BytesIO(text.encode()), "log")))
    report.pop("source")
    return report


@pytest.mark.parametrize("swap", list(SWAPS))
@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_a_log_with_look_alikes_reads_as_the_log_itself(path: Path, swap: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert _report(SWAPS[swap](text)) == _report(text)
