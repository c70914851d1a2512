"""Keras progress output: Keras 2 / tf.keras and Keras 3, verbose=1 and verbose=2.

verbose=1 redraws one line per batch with ``\\r`` (Keras 2 first erases it with
``\\b``); every frame is kept as a record of its batch, because the first NaN
should be placed at its batch, not only its epoch. The values are Keras's
running means over the epoch so far, so a NaN stays NaN for the rest of the
epoch. ``val_*`` values exist only in the epoch's final frame.
"""

from __future__ import annotations

import re

from nanlog.formats.base import (
    COLON_PAIR,
    EpochSteps,
    LineCounter,
    LogFormat,
    Parser,
    Spans,
    pairs_to,
)
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder
from nanlog.names import canonical_name
from nanlog.numbers import VALUE, to_float

_KERAS = re.compile(
    r"(?=[E\d \t-])(?:"
    r"(?<![\w/])Epoch (?P<ep>\d{1,9})/(?P<eps>\d{1,9})(?=[ \t]*(?:[\r\n]|$))"
    # Keras 2.0-2.2 with verbose=2: one line per epoch, no counter (`` - 2s - loss: 0.3``)
    r"|(?<![^\r\n])[ \t]{0,2}- \d{1,7}m?s - (?P<old>[^\r\n]*)"
    r"|(?<![\w/.])(?<!Epoch )(?P<n>\d{1,12})/(?P<N>\d{1,12}|Unknown)"
    r"(?P<bar> +\[[=>.]*\]| +[━─╸═]+| - )(?P<rest>[^\r\n]*)"
    r"|(?<![\w/])Epoch (?P<lr_ep>\d{1,9}): (?:LearningRateScheduler setting|ReduceLROnPlateau reducing)"
    r" learning rate to (?P<lr>" + VALUE + r")"
    r")"
)
_SNIFF_BAR = re.compile(
    r"(?<![\w/.])(?<!Epoch )\d+/(?:\d+|Unknown) +(?:\[[=>.]*\]|[━─╸═]+) [^\r\n]*\w+: "
)
_SNIFF_V2 = re.compile(r"(?:\d+/\d+ -|(?m:^)[ \t]{0,2}-) \d+m?s - [^\r\n]*(?:loss|acc\w*): ")
_SNIFF_EPOCH = re.compile(
    r"(?m)^Epoch \d+/\d+\s*$|Epoch \d+: (?:LearningRateScheduler setting|ReduceLROnPlateau reducing)"
)


class KerasParser(Parser):
    def __init__(self, out: SeriesBuilder) -> None:
        super().__init__(out)
        self.epoch: int | None = None
        self.steps = EpochSteps()
        self.last_n = 0
        self.epoch_done = False

    def feed(self, chunk: Chunk) -> Spans:
        lines = LineCounter(chunk)
        out = self.out
        claimed: Spans = []
        for match in _KERAS.finditer(chunk.text):
            if match.group("ep") is not None:
                epoch = int(match.group("ep"))
                if epoch != self.epoch:
                    self.steps.start(epoch)
                    self.epoch, self.last_n, self.epoch_done = epoch, 0, False
                claimed.append(match.span())
                continue
            line = lines.at(match.start())
            if match.group("old") is not None:
                self._epoch_line(match, line, claimed)
                continue
            if match.group("lr") is not None:
                value = to_float(match.group("lr"))
                if value is not None:  # set before the epoch's first batch: no step
                    out.start_group()
                    out.add(line, "lr", value, epoch=int(match.group("lr_ep")))
                    claimed.append(match.span())
                continue
            found, end = pairs_to(COLON_PAIR, match.group("rest"))
            if not found:
                continue
            # The bar and its pairs; text glued after them (a callback's print) is not Keras's.
            claimed.append((match.start(), match.start("rest") + end))
            n = int(match.group("n"))
            total = match.group("N")
            phase = "train"
            if self.epoch_done or n < self.last_n:
                phase = "eval"  # model.evaluate() after fit: the counter starts again
                self.epoch_done = True
            else:
                self.last_n = n
                self.steps.seen(n, total)
                if total.isdigit() and n == int(total):
                    self.epoch_done = match.group("bar") == " - " or "val_" in match.group("rest")
            step = self.steps.step(n) if phase == "train" else None
            out.start_group(("keras", self.epoch, n, phase))
            for key, value in found:
                is_val = canonical_name(key).startswith("val_")
                out.add(
                    line,
                    key,
                    value,
                    step=step,
                    epoch=self.epoch,
                    batch=n,
                    phase="val" if is_val else phase,
                )
        return claimed

    def _epoch_line(self, match: re.Match[str], line: int, claimed: Spans) -> None:
        """An old verbose=2 line: the epoch's final means, at no known batch."""
        found, end = pairs_to(COLON_PAIR, match.group("old"))
        if not found:
            return
        claimed.append((match.start(), match.start("old") + end))
        self.out.start_group(("keras", self.epoch, -1, "train"))
        for key, value in found:
            is_val = canonical_name(key).startswith("val_")
            self.out.add(line, key, value, epoch=self.epoch, phase="val" if is_val else "train")


class KerasFormat(LogFormat):
    id = "keras"
    title = "Keras 2 / tf.keras / Keras 3 progress output (verbose=1 or 2)"
    hints = (
        "Epoch ",
        "/step",
        "/sample",
        "/epoch",
        "ETA",
        "[=",
        "[>",
        "[.",
        "━",
        "/Unknown",
        " - ",
    )
    samples = (
        ("20/20 [=====>....] - ETA: 0s - loss: 1.8 - acc: 0.15", {"loss": 1.8, "accuracy": 0.15}),
        (
            "1875/1875 [==============================] - 3s 2ms/step - loss: nan - accuracy: 0.0987",
            {"loss": float("nan"), "accuracy": 0.0987},
        ),
        (
            "20/20 - 0s - loss: 0.5000 - accuracy: 0.8000 - val_loss: 0.4000 - 123ms/epoch - 6ms/step",
            {"loss": 0.5, "val_loss": 0.4},
        ),
        (
            "\x1b[1m 3/20\x1b[0m \x1b[32m━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━━\x1b[0m \x1b[1m0s\x1b[0m "
            "5ms/step - accuracy: 0.2000 - loss: 1714719424512.0000",
            {"accuracy": 0.2, "loss": 1714719424512.0},
        ),
        (
            "1000/1000 [==============================] - 0s 100us/sample - loss: inf",
            {"loss": float("inf")},
        ),
        ("Epoch 5: LearningRateScheduler setting learning rate to nan.", {"lr": float("nan")}),
        (" - 2994s - loss: nan - acc: 0.0999 - val_loss: nan", {"loss": float("nan")}),
    )

    def sniff(self, head: str) -> float:
        if _SNIFF_BAR.search(head) or _SNIFF_V2.search(head):
            return 0.9
        if _SNIFF_EPOCH.search(head):
            return 0.3
        return 0.0

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        return KerasParser(out)
