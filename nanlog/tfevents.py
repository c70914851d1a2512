"""TensorBoard event files (``events.out.tfevents.*``), read with TensorBoard's own loader.

Scalars written by TF/Keras, PyTorch's ``SummaryWriter``, Lightning's
TensorBoardLogger and tensorboardX all arrive as scalar summaries with a step.
The file is binary: a record's "line" is its ordinal among the file's events.
TensorBoard is an optional dependency (``pip install 'nanlog[tfevents]'``);
without it an event file is refused with one clear line.
"""

from __future__ import annotations

from pathlib import Path

from nanlog.errors import NanlogError
from nanlog.model import Run, SeriesBuilder
from nanlog.names import canonical_name

FORMAT_ID = "tensorboard"
_MAGIC = b"brain.Event:"


def is_event_file(path: Path | None, head: bytes) -> bool:
    """An event file by its name, or by the version record every event file begins with."""
    if path is not None and path.name.startswith("events.out.tfevents"):
        return True
    return _MAGIC in head[:64]


def read_event_file(path: Path, name: str) -> Run:
    """Every scalar of an event file as records; a truncated file gives what precedes the damage."""
    try:
        from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
        from tensorboard.util import tensor_util
    except ImportError:
        raise NanlogError(
            f"{name} is a TensorBoard event file; reading it needs TensorBoard: "
            "pip install 'nanlog[tfevents]'"
        ) from None
    series = SeriesBuilder()
    run = Run(source=name, format=FORMAT_ID, series=series)
    count = 0
    try:
        for count, event in enumerate(EventFileLoader(str(path)).Load(), start=1):
            if not event.HasField("summary"):
                continue
            values = []
            for value in event.summary.value:
                number = _scalar(value, tensor_util)
                if number is not None:
                    phase = "val" if canonical_name(value.tag).startswith("val_") else "train"
                    values.append((value.tag, number, phase))
            if values:
                series.start_group()
                series.add_values(count, values, step=int(event.step))
    except Exception as exc:  # damage past what was read: keep what was read, like a text log
        if not len(series):
            raise NanlogError(f"cannot read TensorBoard event file {name}: {exc}") from None
    run.lines = count
    if not len(series):
        raise NanlogError(f"no scalars in TensorBoard event file {name}")
    return run


def _scalar(value: object, tensor_util: object) -> float | None:
    """A summary value's scalar: ``simple_value`` (TF1, tensorboardX) or a 0-d tensor (TF2)."""
    if value.HasField("simple_value"):  # type: ignore[attr-defined]
        return float(value.simple_value)  # type: ignore[attr-defined]
    if not value.HasField("tensor"):  # type: ignore[attr-defined]
        return None
    try:
        array = tensor_util.make_ndarray(value.tensor)  # type: ignore[attr-defined]
    except Exception:
        return None
    if getattr(array, "size", 0) != 1 or array.dtype.kind not in "fiu":
        return None
    return float(array.reshape(()))
