"""Logs wrapped line by line by what carried them: a CI runner, a container, a paste.

The wrapped logs are real logs (from ``sample_logs/``) with a wrapper added to every line, as
the tool that carried them adds it; the heads in the unit tests are hand-written, each to pin
one wrapper.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from nanlog.engine import diagnose_run
from nanlog.envelope import find_envelope
from nanlog.live import Monitor
from nanlog.parsing import parse_stream
from nanlog.reporters import report_to_dict

from .conftest import SAMPLE_LOGS

WRAPPERS = {
    "github actions": lambda i: f"2024-05-01T12:00:{i % 60:02d}.{i:07d}Z ",
    "markdown quote": lambda i: "> ",
    "docker compose": lambda i: "trainer-1  | ",
    "ray": lambda i: "(RayTrainWorker pid=4242) ",
    "kubectl": lambda i: "[pod/train-0/main] ",
    "torchrun": lambda i: "[default0]:",
    "code block": lambda i: "    ",
    "ci and rank": lambda i: f"2024-05-01T12:00:00.{i:07d}Z [rank0]: ",
    "python logging": lambda i: f"2024-05-01 12:00:{i % 60:02d},123 - train - INFO - ",
    "logging basicConfig": lambda i: "INFO:root:",
    "hydra logging": lambda i: f"[2024-05-01 12:00:{i % 60:02d},123][__main__][INFO] - ",
    "loguru": lambda i: f"2024-05-01 12:00:{i % 60:02d}.123 | INFO     | train:fit:42 - ",
    "absl": lambda i: f"I0501 12:00:{i % 60:02d}.123456 140234 train.py:123] ",
    "bracketed time": lambda i: f"[2024-05-01 12:00:{i % 60:02d}] ",
    "mpirun tag-output": lambda i: f"[1,{i % 2}]<stdout>:",
    "sagemaker mpi": lambda i: f"[1,mpirank:{i % 2},algo-1]<stdout>:",
    "pdsh host": lambda i: f"10.0.128.{14 + i % 2}: ",
}

# Logs whose reading depends on where a line starts: bare numbers under no header, a
# column table under its header, Keras's "Epoch 1/5" lines, a fastai table.
LOGS = [
    SAMPLE_LOGS / "real" / "721-pytorch-bart-pretraining.log",
    SAMPLE_LOGS / "real" / "1344-spacy-ner.log",
    SAMPLE_LOGS / "real" / "1501-keras-image_classification.log",
    SAMPLE_LOGS / "real" / "1703-fastai-imagenette.log",
    SAMPLE_LOGS / "real" / "1741-yolov7-detection.log",
    SAMPLE_LOGS / "keras" / "tfkeras_exploding_gradients_v1_pipe.log",
]


def _wrapped(data: bytes, wrapper: str) -> bytes:
    prefix = WRAPPERS[wrapper]
    lines = data.decode("utf-8").split("\n")
    return "\n".join(prefix(i) + line if line else line for i, line in enumerate(lines)).encode()


def _report(data: bytes) -> dict[str, object]:
    report = report_to_dict(diagnose_run(parse_stream(io.BytesIO(data), "log")))
    report.pop("source")
    return report


@pytest.mark.parametrize("wrapper", list(WRAPPERS))
@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_a_wrapped_log_reads_as_the_log_itself(path: Path, wrapper: str) -> None:
    data = path.read_bytes()
    assert _report(_wrapped(data, wrapper)) == _report(data)


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_a_log_copied_with_its_line_numbers_reads_as_the_log_itself(path: Path) -> None:
    """An editor or a file viewer numbers every line, blank ones too; a warning printed into
    the paste afterwards has no number."""
    data = path.read_bytes()
    lines = data.decode("utf-8").split("\n")
    numbered = "\n".join(f"{i + 510:>5} {line}" for i, line in enumerate(lines[:-1]))
    assert _report((numbered + "\n").encode()) == _report(data)
    if len(lines) > 12:
        noisy = numbered.split("\n")
        noisy.insert(5, "/usr/lib/python3/warnings.py:109: UserWarning: x")
        report, plain = _report(("\n".join(noisy) + "\n").encode()), _report(data)
        assert report["problem"] == plain["problem"]
        if isinstance(first := plain["first_nonfinite"], dict):
            moved = report["first_nonfinite"]
            assert isinstance(moved, dict) and moved["metric"] == first["metric"]
            assert moved["line"] == first["line"] + (first["line"] > 5)


@pytest.mark.parametrize("wrapper", ["github actions", "markdown quote", "python logging"])
def test_live_reading_takes_the_same_envelope_off(wrapper: str) -> None:
    data = _wrapped(LOGS[0].read_bytes(), wrapper)
    monitor = Monitor("log")
    rnd = random.Random(3)
    at = 0
    while at < len(data):
        size = rnd.randint(1, 300)
        monitor.feed(data[at : at + size])
        at += size
    live = report_to_dict(monitor.close())
    live.pop("source")
    assert live == _report(data)


def test_stacked_wrappers_are_found_in_order() -> None:
    head = "".join(f"2024-05-01T12:00:00.{i}Z [rank0]:   step {i} loss 0.5\n" for i in range(5))
    envelope = find_envelope(head)
    assert envelope is not None
    assert envelope.names == ("CI runner timestamp", "torchrun rank", "indentation")
    assert envelope.unwrap(head).split("\n")[0] == "step 0 loss 0.5"


def test_line_numbers_are_taken_off_with_what_they_number() -> None:
    """Hand-written in the shape of an ultralytics table copied from a file viewer: the
    numbers run on over the blank line, the trainer's own text keeps its indentation."""
    head = (
        "510       Epoch    GPU_mem   box_loss\n"
        " 511      90/300        17G      1.757\n"
        " 512 \n"
        " 513       Epoch    GPU_mem   box_loss\n"
        " 514      91/300        17G        nan\n"
    )
    envelope = find_envelope(head)
    assert envelope is not None and envelope.names[0] == "line numbers"
    assert envelope.unwrap(head).split("\n")[1].split() == ["90/300", "17G", "1.757"]


def test_a_line_without_the_wrapper_is_left_as_it_is() -> None:
    head = "> step 1 loss 0.5\n> step 2 loss 0.4\n> step 3 loss 0.3\n"
    envelope = find_envelope(head)
    assert envelope is not None
    assert envelope.unwrap("> step 4 loss nan\nstep 5 loss nan\n") == (
        "step 4 loss nan\nstep 5 loss nan\n"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2024-05-01 12:00:00,123 - mmdet - INFO - Epoch [1][50/100]", "Epoch [1][50/100]"),
        ("09:54:37.023 [main] INFO  o.d.o.l.ScoreIterationListener - Score at", "Score at"),
        (
            "18/06/02 16:24:14 ERROR StrongWolfeLineSearch: Encountered",
            "StrongWolfeLineSearch: Encountered",
        ),
        ("[2021-04-25 21:57:25 swin_t](main.py 221): INFO Train: [3/300]", "Train: [3/300]"),
        ("2018-12-20 20:53:27,127 maskrcnn_benchmark.trainer INFO: eta: 3 days", "eta: 3 days"),
        ("2024-05-01 12:00:00 INFO Epoch: 1 loss: 2", "Epoch: 1 loss: 2"),  # no logger name
        ("2024-05-01 12:00:00 | Class | IoU |", "| Class | IoU |"),  # no level: the time only
    ],
)
def test_a_log_record_loses_its_logging_prefix(line: str, message: str) -> None:
    # hand-written, one per logging layout
    envelope = find_envelope(f"{line}\n" * 4)
    assert envelope is not None and envelope.unwrap(line) == message


def test_a_level_inside_a_progress_bar_is_not_a_prefix() -> None:
    # hand-written: a Keras bar with a logger's warning glued to its end
    head = "[2024-05-01 12:00:00] step 1\n" * 4
    line = "[2024-05-01 12:00:00] 1/2 ━━━━ 0s 762ms/step - loss: nan[WARNING] absl - saving"
    envelope = find_envelope(head)
    assert envelope is not None
    assert envelope.unwrap(line).startswith("1/2 ━━━━ 0s 762ms/step - loss: nan")


def test_the_trainer_named_by_a_logger_survives_its_unwrapping() -> None:
    # hand-written: mmdetection's logger names the trainer only in the prefix
    text = "".join(
        f"2024-05-01 12:00:0{i},123 - mmdet - INFO - Epoch [1][{i}0/100]  loss: {v}\n"
        for i, v in enumerate(["2.1", "1.9", "1.8", "nan"])
    )
    report = diagnose_run(parse_stream(io.BytesIO(text.encode()), "log"))
    assert any(
        "OpenMMLab" in remedy or "mmdet" in remedy for c in report.causes for remedy in c.remedies
    )


@pytest.mark.parametrize(
    "head",
    [
        "Epoch 1/5\n - 3s - loss: 0.5\nEpoch 2/5\n - 3s - loss: 0.4\n",  # Keras 2's own space
        "train | 0.51 | 0.70\ntrain | 0.43 | 0.74\ntrain | 0.39 | 0.77\n",  # a trainer's table
        "step 1 loss 0.5\n> step 2 loss 0.4\nstep 3 loss 0.3\nstep 4 loss 0.2\n",  # one quote
        " step 1 loss 0.5\n step 2 loss 0.4\n step 3 loss 0.3\n",  # one space only
        "> a\n> b\n",  # too few lines to tell
        "9856: 0.51, 0.52 avg\n9857: 0.50, 0.52 avg\n9858: 0.49, 0.51 avg\n",  # darknet's own
        "1 0.52\n2 0.41\n3 nan\n",  # a bare table whose counter is the line's number
        "1 Epoch 1 loss 0.5\n3 Epoch 2 loss 0.4\n4 Epoch 3 loss 0.3\n",  # numbers skip one
        "Epoch loss\n1 0.52\n2 0.41\n3 nan\n",  # a counter column under its header
    ],
)
def test_no_envelope_where_the_trainer_printed_it(head: str) -> None:
    assert find_envelope(head) is None
