"""Rules about the accuracy the log printed beside the loss."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nanlog.analysis import Analysis
from nanlog.rules.base import Evidence, Rule, fmt
from nanlog.rules.shape import shown_from_start


def chance_classes(value: float) -> int | None:
    """The class count whose chance accuracy (1/k) is within 15% of ``value``, if any."""
    if not 0.0 < value <= 0.55:
        return None
    k = round(1.0 / value)
    return k if k >= 2 and abs(value - 1.0 / k) <= 0.15 / k else None


class AccuracyAtChance(Rule):
    """What it detects:
        The loss is NaN from the very first batches and the accuracy sits at chance level
        (1/num_classes). (Any classifier's accuracy drops to chance once its outputs are NaN,
        so a late NaN with chance accuracy is only weak evidence.)

    Why it leads to NaN:
        With relu (or no squashing) on the output layer, cross-entropy gets outputs that are
        all zero for some rows: 0/0 and log(0) give NaN at once, and every prediction falls
        to one class, i.e. chance accuracy.

    Example::

        step 1 loss nan accuracy 0.2031
        step 2 loss nan accuracy 0.1988
        step 3 loss nan accuracy 0.2010

    Stays silent on::

        step 1 loss 1.6 accuracy 0.21
        step 2 loss 1.2 accuracy 0.55
        step 3 loss 0.8 accuracy 0.81
    """

    code = "AC01"
    name = "accuracy.at-chance"
    causes = ("wrong_output_activation",)
    summary = "accuracy at chance level (1/num_classes) while the loss is NaN"
    EARLY = 3

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        accuracy, loss = analysis.curve("accuracy"), analysis.loss
        if accuracy is None or loss is None or analysis.brk is None:
            return
        after = accuracy.after(analysis.brk.position).values
        after = after[np.isfinite(after)]
        if len(after) < 2:
            return
        level = float(np.median(after))
        classes = chance_classes(level)
        if classes is None:
            return
        finite_before = np.isfinite(loss.before(analysis.cut or analysis.brk.position).values).sum()
        # "From the first batches" only where the log shows batches: an epoch summary
        # (Keras verbose=2) that is already NaN cannot tell when in the epoch it broke.
        batch = int(loss.batches[0])
        first_batch = batch if batch >= 0 else loss.step_of(0)
        early = (
            finite_before == 0
            and (first_batch is None or first_batch <= self.EARLY)
            and shown_from_start(analysis, loss, 0)  # not an excerpt that starts at epoch 8
        )
        yield self.evidence(
            "wrong_output_activation",
            0.75 if early else 0.3,
            f"accuracy sits at {fmt(level)}, chance level for {classes} classes, while the loss is NaN"
            + (" from the first batches" if early else ""),
            analysis.brk.line,
            analysis.brk.step,
        )
