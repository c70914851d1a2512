"""Rules about the scores an evaluation printed, rather than the training curve."""

from __future__ import annotations

from collections.abc import Iterator

from nanlog.analysis import Analysis
from nanlog.names import is_per_class_score
from nanlog.rules.base import Evidence, Rule, fmt, where


class ClassAbsentFromGroundTruth(Rule):
    """What it detects:
        The only non-finite values are one class's evaluation scores (mmsegmentation's
        ``IoU.lane: nan``, a ``| lane | nan | nan |`` row of its per-class table) while the
        training loss and the other classes' scores stay finite.

    Why it leads to NaN:
        A class's IoU is intersection / union over the evaluation set: with no pixel of that
        class in the ground truth and none predicted, it is 0/0. The weights are fine (the
        loss trains on); the class is missing from the annotations. Usually the masks hold
        other values than the class indices: saved as 0/255 (255 is the ignored index),
        ``reduce_zero_label`` shifting every class by one, or a palette image read as RGB.

    Example::

        Iter [100/2000]  lr: 9.550e-03, decode.loss_ce: 0.2512, loss: 0.3512
        Iter(val) [100]  aAcc: 0.9900, mIoU: 0.9800, IoU.road: 0.9800, IoU.lane: nan
        Iter [150/2000]  lr: 9.300e-03, decode.loss_ce: 0.1512, loss: 0.2312

    Stays silent on::

        Iter [100/2000]  lr: 9.550e-03, decode.loss_ce: 0.2512, loss: 0.3512
        Iter(val) [100]  aAcc: 0.9900, mIoU: 0.7000, IoU.road: 0.9800, IoU.lane: 0.4100
        Iter [150/2000]  lr: 9.300e-03, decode.loss_ce: 0.1512, loss: 0.2312
    """

    code = "EV01"
    name = "evaluation.class-absent-from-ground-truth"
    causes = (
        "bad_input_data",
        "label_out_of_range",
        "learning_rate_too_high",
        "exploding_gradients",
        "mixed_precision_overflow",
    )
    summary = "only one class's evaluation score is NaN: the class is absent from the masks"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        brk = analysis.brk
        if brk is None or not is_per_class_score(brk.name):
            return
        label = brk.name.split(".", 1)[1]
        yield self.evidence(
            "bad_input_data",
            0.85,
            f"{brk.name} is {fmt(brk.value)}{where(brk.line, brk.step)} and nothing else is: no "
            f"pixel of class '{label}' in the evaluation's ground truth (0/0). Check the masks' "
            "values: 0/255 masks put the class at the ignored index 255",
            brk.line,
        )
        yield self.evidence(
            "label_out_of_range",
            0.4,
            "mask values outside 0..num_classes-1 are ignored or counted as another class",
            brk.line,
        )
        for cause in ("learning_rate_too_high", "exploding_gradients", "mixed_precision_overflow"):
            yield self.against(
                cause, 0.8, "the training loss stays finite: the weights did not break", brk.line
            )
