"""Rules that read the loss's terms: the parts a trainer prints beside the total."""

from __future__ import annotations

import math
from collections.abc import Iterator

from nanlog.analysis import Analysis
from nanlog.model import NO_INT
from nanlog.names import is_loss_term, term_kind
from nanlog.rules.base import Evidence, Rule, where

WINDOW = 64  # records around the break that can belong to its step


def terms_at_break(analysis: Analysis) -> list[tuple[str, float]]:
    """The loss terms printed at the step (or on the line) where the loss broke."""
    brk = analysis.brk
    if brk is None:
        return []
    s = analysis.run.series
    found = []
    for i in range(max(0, brk.position - WINDOW), min(len(s), brk.position + WINDOW)):
        at_step = brk.step is not None and s.step[i] != NO_INT and s.step[i] == brk.step
        if i == brk.position or not (at_step or s.line[i] == brk.line):
            continue
        name = s.names[s.name_id[i]]
        if is_loss_term(name):
            found.append((name, float(s.value[i])))
    return found


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

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        brk = analysis.brk
        if brk is None or brk.metric != "loss":
            return
        same = [value for _, value in terms_at_break(analysis)]
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


class BoxTermBrokeFirst(Rule):
    """What it detects:
        In a detection log, a box-regression term (``rpn_box``, ``loss_bbox``, ``box_loss``)
        is NaN/inf at the break while the classification terms beside it are finite.

    Why it leads to NaN:
        The box loss takes the log of box widths and heights and divides by them: a box with
        x2 < x1, zero width or height, or coordinates outside the image (an annotation
        converted with the wrong origin or order) makes it NaN at once. An optimizer that
        diverges breaks every term together, not only the box term.

    Example::

        [epoch 1][iter 0/2892] loss: 2.0858, lr: 1.00e-04
            rpn_cls: 0.7161, rpn_box: 0.0311, rcnn_cls: 1.1516, rcnn_box 0.1871
        [epoch 1][iter 100/2892] loss: nan, lr: 1.00e-04
            rpn_cls: 0.6902, rpn_box: nan, rcnn_cls: 0.2591, rcnn_box 0.0000

    Healthy counterpart::

        [epoch 1][iter 0/2892] loss: 2.0858, lr: 1.00e-04
            rpn_cls: 0.7161, rpn_box: 0.0311, rcnn_cls: 1.1516, rcnn_box 0.1871
        [epoch 1][iter 100/2892] loss: nan, lr: 1.00e-04
            rpn_cls: nan, rpn_box: nan, rcnn_cls: nan, rcnn_box nan
    """

    code = "TM02"
    name = "terms.box-term-broke-first"
    causes = ("bad_input_data", "learning_rate_too_high", "exploding_gradients")
    summary = "a box-regression term is NaN while the classification terms are finite"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        brk = analysis.brk
        if brk is None:
            return
        terms = terms_at_break(analysis)
        if brk.metric != "loss" and is_loss_term(brk.name):
            terms.append((brk.name, brk.value))
        broken_box = [n for n, v in terms if term_kind(n) == "box" and not math.isfinite(v)]
        finite_class = [n for n, v in terms if term_kind(n) == "class" and math.isfinite(v)]
        if not broken_box or not finite_class:
            return
        at = where(brk.line, brk.step)
        yield self.evidence(
            "bad_input_data",
            0.65,
            f"{broken_box[0]} is non-finite while {', '.join(finite_class)} "
            f"{'is' if len(finite_class) == 1 else 'are'} finite{at}: a degenerate box in the "
            "annotations (x2 < x1, zero width or height, outside the image)",
            brk.line,
            brk.step,
        )
        sentence = "an optimizer that diverges breaks every term, not only the box term"
        yield self.against("learning_rate_too_high", 0.4, sentence, brk.line)
        yield self.against("exploding_gradients", 0.4, sentence, brk.line)
