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


class AccuracyMovesAfterNaN(Rule):
    """What it detects:
        The loss is NaN, yet the validation accuracy printed after it keeps changing from
        epoch to epoch (three or more values, two or more of them different).

    Why it leads to NaN:
        A model with NaN weights predicts the same class for everything, so its accuracy on
        the same validation data is the same number every epoch. An accuracy that still moves
        means the weights are finite and still training: the NaN is only in the loss, computed
        from the targets. A label outside [0, num_classes) (segmentation masks with more
        classes than the model has), NaN targets, or a loss that cannot be computed for some
        targets does this; a diverged optimizer does not.

    Example::

        Epoch 1/3
        512/512 - 49s - loss: nan - acc: 0.9032 - val_loss: nan - val_acc: 0.8787
        Epoch 2/3
        512/512 - 49s - loss: nan - acc: 0.9005 - val_loss: nan - val_acc: 0.8800
        Epoch 3/3
        512/512 - 49s - loss: nan - acc: 0.9017 - val_loss: nan - val_acc: 0.8788

    Stays silent on::

        Epoch 1/3
        512/512 - 49s - loss: nan - acc: 0.1032 - val_loss: nan - val_acc: 0.0980
        Epoch 2/3
        512/512 - 49s - loss: nan - acc: 0.1005 - val_loss: nan - val_acc: 0.0980
        Epoch 3/3
        512/512 - 49s - loss: nan - acc: 0.1017 - val_loss: nan - val_acc: 0.0980
    """

    code = "AC02"
    name = "accuracy.moves-after-nan"
    causes = (
        "label_out_of_range",
        "bad_input_data",
        "unstable_loss_function",
        "learning_rate_too_high",
        "exploding_gradients",
    )
    summary = "the validation accuracy keeps changing after the loss turned NaN (finite weights)"
    SEEN = 3

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        accuracy, brk = analysis.curve("val_accuracy"), analysis.brk
        if accuracy is None or brk is None:
            return
        after = accuracy.after(brk.position).values
        after = after[np.isfinite(after)]
        if len(after) < self.SEEN or len(np.unique(after)) < 2:
            return
        sentence = (
            f"the validation accuracy still changes after the loss broke ({fmt(float(after[0]))}, "
            f"{fmt(float(after[1]))}, ...): the weights are finite, the NaN is in the loss "
            "computed from the targets"
        )
        yield self.evidence("label_out_of_range", 0.5, sentence, brk.line, brk.step)
        yield self.evidence(
            "bad_input_data", 0.35, "NaN or out-of-range targets do the same", brk.line
        )
        yield self.evidence(
            "unstable_loss_function",
            0.3,
            "so does a loss that cannot be computed for some targets",
            brk.line,
        )
        for cause in ("learning_rate_too_high", "exploding_gradients"):
            yield self.against(
                cause, 0.5, "a diverged model predicts one class: its accuracy would not move"
            )
