"""Diagnostic lines kept as events. The lines are copied from real framework output."""

from __future__ import annotations

import pytest

from nanlog.formats.base import scan_events
from nanlog.io import Chunk
from nanlog.model import Event


def _events(text: str) -> list[Event]:
    found: list[Event] = []
    scan_events(Chunk(text, 1), found)
    return found


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (
            "Received a label value of 8000 which is outside the valid range of [0, 5).  Label values: 1 8000 3",
            "label_out_of_range",
        ),
        ("IndexError: Target 8000 is out of bounds.", "label_out_of_range"),
        ("RuntimeError: CUDA error: device-side assert triggered", "label_out_of_range"),
        ("Assertion `t >= 0 && t < n_classes` failed.", "label_out_of_range"),
        ("RuntimeError: Function 'LogBackward0' returned nan values in its 0th output.", "anomaly"),
        (
            "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0",
            "overflow",
        ),
        (
            "[1,0]<stdout>:OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768",
            "overflow",
        ),
        ("InvalidArgumentError: Nan in summary histogram for: dense/kernel_0", "nan_histogram"),
        ("Batch 3: Invalid loss, terminating training", "invalid_loss"),
        (
            "Monitored metric val_loss = nan is not finite. Previous best value was inf. Signaling Trainer to stop.",
            "nonfinite_monitor",
        ),
        ("Traceback (most recent call last):", "traceback"),
    ],
)
def test_event_kinds(line: str, kind: str) -> None:
    kinds = [e.kind for e in _events(f"noise before\n{line}\nnoise after\n")]
    assert kind in kinds
    assert all(e.line == 2 for e in _events(f"noise before\n{line}\nnoise after\n"))


@pytest.mark.parametrize(
    "line",
    [
        "INFO: training started",
        "Epoch 1/5",
        "Errors: 0",
        "loss: 0.5 - accuracy: 0.9",
        "No errors found in the data",
        "ErrorHandler registered",
    ],
)
def test_ordinary_lines_are_not_events(line: str) -> None:
    assert _events(line + "\n") == []


def test_error_scan_is_linear_on_long_words() -> None:
    assert _events("a." * 2_000_000 + "\n") == []
