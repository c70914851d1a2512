"""Rules that read the loss's terms: the parts a trainer prints beside the total."""

from __future__ import annotations

import math
from collections.abc import Iterator

from nanlog.analysis import Analysis
from nanlog.model import NO_INT
from nanlog.names import canonical_name
from nanlog.rules.base import Evidence, Rule, where


class TotalBrokeWithFiniteTerms(Rule):
    """What it detects:
        The total loss is NaN/inf while every loss term printed at the same step is finite.

    Why it leads to NaN:
        The total is the printed terms plus terms that are not printed, usually the weight
        regularisation (weight decay) on the parameters. If the printed terms are finite the
        NaN is in those: the weights themselves became NaN/inf, i.e. the optimizer diverged
        (a step size too large, or growing gradients). Bad inputs would make the data terms
        NaN first.

    Example::

        iter: 20 / 70000, total loss: nan
         >>> rpn_loss_cls: 0.648382
         >>> rpn_loss_box: 0.045217
         >>> loss_cls: 2.149889
         >>> loss_box: 0.199051

    Healthy counterpart::

        iter: 20 / 70000, total loss: nan
         >>> rpn_loss_cls: nan
         >>> rpn_loss_box: 0.045217
    """

    code = "TM01"
    name = "terms.total-broke-with-finite-terms"
    causes = ("learning_rate_too_high", "exploding_gradients", "bad_input_data")
    summary = "the total loss is NaN while every printed term is finite (the weights diverged)"
    MIN_TERMS = 2
    WINDOW = 64  # records around the break that can belong to its step

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        brk = analysis.brk
        if brk is None or brk.metric != "loss":
            return
        s = analysis.run.series
        same = []
        for i in range(max(0, brk.position - self.WINDOW), min(len(s), brk.position + self.WINDOW)):
            at_step = brk.step is not None and s.step[i] != NO_INT and s.step[i] == brk.step
            if i == brk.position or not (at_step or s.line[i] == brk.line):
                continue
            name = s.names[s.name_id[i]]
            if "loss" in name.lower() and canonical_name(name) not in ("loss", "val_loss"):
                same.append(s.value[i])
        if len(same) < self.MIN_TERMS or not all(math.isfinite(v) for v in same):
            return
        at = where(brk.line, brk.step)
        sentence = (
            f"the total loss is {'nan' if math.isnan(brk.value) else brk.value} while its "
            f"{len(same)} printed terms are finite{at}: a term not printed (weight decay on the "
            "weights) is NaN, so the weights diverged"
        )
        yield self.evidence("learning_rate_too_high", 0.5, sentence, brk.line, brk.step)
        yield self.evidence(
            "exploding_gradients", 0.35, "weights diverge through growing gradients too", brk.line
        )
        yield self.against(
            "bad_input_data", 0.6, "the terms computed on the data are finite", brk.line
        )
