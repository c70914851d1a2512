"""Hugging Face Trainer: its console dict lines and its ``trainer_state.json``.

Console lines are Python dicts: ``{'loss': 0.53, 'grad_norm': 1.2,
'learning_rate': 5e-05, 'epoch': 0.1}`` (4.x, bare floats) or with every value
a quoted ``.4g`` string (5.x: ``'loss': '1.382'``, ``'nan'``). They carry no
step, and through a pipe they may land far from the progress bar; the step is
derived from the epoch when the bar's total and the final epoch are known. With the default ``logging_nan_inf_filter`` the printed loss is
never NaN; ``grad_norm``, ``learning_rate`` and ``eval_loss`` still are.

``trainer_state.json`` holds ``log_history`` entries with a ``step`` and bare
``NaN``/``Infinity`` tokens; each value keeps the line it is printed on.
"""

from __future__ import annotations

import re

from nanlog.formats.base import LineCounter, LogFormat, Parser, Spans
from nanlog.io import Chunk
from nanlog.model import NO_INT, SeriesBuilder
from nanlog.names import canonical_name
from nanlog.numbers import END, VALUE, to_float

_FIRST_KEYS = r"(?:loss|eval_\w{1,40}|train_runtime|grad_norm|learning_rate|epoch|train_loss)"
_DICT = re.compile(r"\{(?P<body>'" + _FIRST_KEYS + r"'[^{}\r\n]{0,4000})\}")
_DICT_PAIR = re.compile(r"'([^'\r\n]{1,80})':\s*(" + VALUE + r")" + END)
_JSON_ENTRY = re.compile(r"\{[^{}]{0,20000}\}")
_JSON_PAIR = re.compile(r"\"([^\"\r\n]{1,80})\":\s*(" + VALUE + r")" + END)
_BAR_TOTAL = re.compile(r"\|\s{0,10}\d{1,12}/(\d{1,12}) \[")
_STATE_HINT = re.compile(r"\"(?:log_history|best_model_checkpoint|global_step)\"")


def _phase(keys: set[str], key: str) -> str:
    if "train_runtime" in keys:
        return "summary"
    return "val" if canonical_name(key).startswith("val_") else "train"


class ConsoleParser(Parser):
    """Dict lines; steps are derived at the end from the progress bar's total.

    The console prints no step, but the training bar (``| 57/160 [``) gives the
    total number of steps and the summary dict the number of epochs, so a
    record's step is ``epoch * total / epochs``, rounded.
    """

    def __init__(self, out: SeriesBuilder) -> None:
        super().__init__(out)
        self.bar_total = 0
        self.final_epoch: float | None = None
        self.own_lines: list[int] = []  # the lines of the dicts, whose steps finish() derives

    def feed(self, chunk: Chunk) -> Spans:
        lines = LineCounter(chunk)
        out = self.out
        claimed: Spans = []
        for match in _DICT.finditer(chunk.text):
            found = []
            for key, token in _DICT_PAIR.findall(match.group("body")):
                value = to_float(token)
                if value is not None:
                    found.append((key, value))
            values = dict(found)
            epoch = values.pop("epoch", None)
            if not values:
                continue
            line = lines.at(match.start())
            keys = set(values)
            if "train_runtime" in keys and epoch:
                self.final_epoch = epoch
            claimed.append(match.span())
            self.own_lines.append(line)
            out.start_group()
            out.add_values(line, [(k, v, _phase(keys, k)) for k, v in values.items()], epoch=epoch)
        if "it/s]" in chunk.text or "s/it]" in chunk.text:
            totals = [int(t) for t in _BAR_TOTAL.findall(chunk.text)]
            self.bar_total = max([self.bar_total, *totals])
        return claimed

    def finish(self) -> None:
        if not self.bar_total or not self.final_epoch:
            return
        import numpy as np

        per_epoch = self.bar_total / self.final_epoch
        s = self.out
        steps = np.frombuffer(s.step, dtype=s.step.typecode)
        epochs = np.frombuffer(s.epoch, dtype=s.epoch.typecode).astype(np.float64)
        # float32 storage: round the product, not the epoch, to the nearest step
        derived = np.clip(np.rint(epochs * per_epoch), 1, 2**31 - 1)
        mine = np.isin(np.frombuffer(s.line, dtype=s.line.typecode), self.own_lines)
        fill = mine & (steps == NO_INT) & ~np.isnan(epochs)
        steps[fill] = derived[fill].astype(steps.dtype)


class TrainerStateParser(Parser):
    """Reads log_history entries with a regex, so each value keeps its own line."""

    def __init__(self, out: SeriesBuilder) -> None:
        super().__init__(out)
        self.variant = "trainer_state"
        self.carry = ""
        self.carry_line = 1

    def feed(self, chunk: Chunk) -> Spans | None:
        text = self.carry + chunk.text
        first_line = self.carry_line if self.carry else chunk.first_line
        end = text.rfind("}") + 1
        self._entries(Chunk(text[:end], first_line))
        self.carry = text[end:]
        self.carry_line = first_line + text.count("\n", 0, end)
        if len(self.carry) > 1 << 20:
            self.carry = ""  # no entry is this long: drop junk rather than grow
        return None

    def finish(self) -> None:
        self.carry = ""

    def _entries(self, chunk: Chunk) -> None:
        lines = LineCounter(chunk)
        text, out = chunk.text, self.out
        for entry in _JSON_ENTRY.finditer(text):
            found = []
            for pair in _JSON_PAIR.finditer(entry.group()):
                value = to_float(pair.group(2))
                if value is not None:
                    found.append((pair.group(1), value, entry.start() + pair.start()))
            keys = {key for key, _, _ in found}
            if "step" not in keys or len(keys) < 2:
                continue
            step = epoch = None
            for key, value, _ in found:
                if key == "step" and value == value:
                    step = int(value)
                elif key == "epoch" and value == value:
                    epoch = value
            out.start_group()
            for key, value, pos in found:
                if key in ("step", "epoch"):
                    continue
                out.add(lines.at(pos), key, value, step=step, epoch=epoch, phase=_phase(keys, key))


class HFTrainerFormat(LogFormat):
    id = "hf_trainer"
    title = "Hugging Face Trainer console dict lines and trainer_state.json"
    hints = ("{'", "it/s]", "s/it]")  # the bar alone gives the total number of steps
    samples = (
        (
            "{'loss': 0.53, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.1}",
            {"loss": 0.53, "grad_norm": 1.2, "lr": 5e-05},
        ),
        (
            "{'loss': '1.382', 'grad_norm': 'nan', 'learning_rate': '0.00095', 'epoch': '0.125'}",
            {"loss": 1.382, "grad_norm": float("nan"), "lr": 0.00095},
        ),
        ("{'eval_loss': nan, 'eval_runtime': 0.0213, 'epoch': 1.0}", {"val_loss": float("nan")}),
        (
            '{\n  "log_history": [\n    {\n      "epoch": 0.5,\n      "grad_norm": NaN,\n'
            '      "learning_rate": 4e-05,\n      "loss": 0.0,\n      "step": 5\n    }\n  ]\n}\n',
            {"grad_norm": float("nan"), "loss": 0.0},
        ),
    )

    def sniff(self, head: str) -> float:
        if _STATE_HINT.search(head):
            return 0.95
        if _DICT.search(head):
            return 0.9
        return 0.0

    def owns_file(self, head: str) -> bool:
        return _STATE_HINT.search(head) is not None

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        if _STATE_HINT.search(head):
            return TrainerStateParser(out)
        return ConsoleParser(out)
