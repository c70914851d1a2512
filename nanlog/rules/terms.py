"""Rules that read the loss's terms: the parts a trainer prints beside the total."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from nanlog.analysis import Analysis
from nanlog.model import NO_INT
from nanlog.names import is_loss_term, term_kind
from nanlog.rules.base import Evidence, Rule, where

WINDOW = 64  # records around the break that can belong to its step


def previous_value(analysis: Analysis, name: str, position: int, line: int) -> float | None:
    """The last finite value printed under ``name`` before record ``position``, on an
    earlier line than ``line`` (a term printed beside the break belongs to the break)."""
    s = analysis.run.series
    for i in range(min(position, len(s)) - 1, max(-1, position - 50 * WINDOW), -1):
        if s.line[i] < line and s.names[s.name_id[i]] == name and math.isfinite(s.value[i]):
            return float(s.value[i])
    return None


def exploded(analysis: Analysis, name: str, value: float) -> float | None:
    """How many times its previous value a finite term printed at the break is, when it
    blew up (``loss_cls: 13794`` after ``1.55``); None when it did not."""
    brk = analysis.brk
    if brk is None or not math.isfinite(value):
        return None
    previous = previous_value(analysis, name, brk.position + WINDOW, brk.line)
    if previous is None or previous <= 0:
        return None
    ratio = abs(value) / previous
    return ratio if ratio >= EXPLODED else None


EXPLODED = 100.0  # a term this many times its previous value blew up with the break


def terms_at_break(analysis: Analysis) -> list[tuple[str, float]]:
    """The loss terms printed at the step (or on the line) where the loss broke, in its phase:
    a progress bar's stale validation terms (``loss=nan, val_rec_loss=0.045``) are no terms
    of the training loss."""
    brk = analysis.brk
    if brk is None:
        return []
    s = analysis.run.series
    phase = s.phase[brk.position]
    found = []
    for i in range(max(0, brk.position - WINDOW), min(len(s), brk.position + WINDOW)):
        at_step = brk.step is not None and s.step[i] != NO_INT and s.step[i] == brk.step
        if i == brk.position or not (at_step or s.line[i] == brk.line) or s.phase[i] != phase:
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

    Stays silent on::

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

    Stays silent on::

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
        if any(exploded(analysis, n, v) for n, v in terms if n in finite_class):
            return  # finite, but blown up too: the whole model diverged (TM03)
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


class TermBlewUpAtBreak(Rule):
    """What it detects:
        A loss term that is still finite at the break is a hundred times or more its previous
        printed value (``loss_cls: 13794.6`` after ``1.55``), while other terms turned NaN.

    Why it leads to NaN:
        The terms did not break one at a time from one bad sample: the model's outputs blew up
        within one logging interval, the mark of an update far too large (a learning rate too
        high, or a gradient spike that clipping would have caught).

    Example::

        Epoch [1][200/29317] lr: 5.987e-03, loss_cls: 1.5484, loss_bbox: 0.5734, loss: 2.8061
        Epoch [1][250/29317] lr: 6.653e-03, loss_cls: 13794.6467, loss_bbox: nan, loss: nan

    Stays silent on::

        Epoch [1][200/29317] lr: 5.987e-03, loss_cls: 1.5484, loss_bbox: 0.5734, loss: 2.8061
        Epoch [1][250/29317] lr: 6.653e-03, loss_cls: 1.4467, loss_bbox: nan, loss: nan
    """

    code = "TM03"
    name = "terms.term-blew-up-at-break"
    causes = ("learning_rate_too_high", "exploding_gradients", "bad_input_data")
    summary = "a term still finite at the break is 100x its previous value (the model blew up)"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        brk = analysis.brk
        if brk is None:
            return
        for name, value in terms_at_break(analysis):
            ratio = exploded(analysis, name, value)
            if ratio is None:
                continue
            sentence = (
                f"{name} jumped {ratio:.3g}x to {value:.6g} as the loss broke"
                f"{where(brk.line, brk.step)}: the model's outputs blew up in one interval"
            )
            yield self.evidence("learning_rate_too_high", 0.5, sentence, brk.line, brk.step)
            yield self.evidence(
                "exploding_gradients", 0.3, "a gradient spike blows up the outputs too", brk.line
            )
            yield self.against(
                "bad_input_data",
                0.4,
                "one bad sample breaks a term, it does not blow up the others",
            )
            return


# CTC named in the trainer's own lines: ``(ctc:71) WARNING``, ``CTC loss``, ``ctc_weight``.
_CTC_WORD = re.compile(r"(?<![A-Za-z])(?:ctc|CTC)(?:_\w+|loss|Loss)?(?![A-Za-z])")


class CtcLossInBrokenRun(Rule):
    """What it detects:
        A broken run prints a CTC loss term (``loss_ctc``, ``ctc_loss``), or its trainer names
        CTC in its own lines (``(ctc:71) WARNING``): speech recognition, OCR, any sequence model
        trained with connectionist temporal classification.

    Why it leads to NaN:
        CTC has no alignment, and so an infinite loss, for a sample whose input is shorter
        than its target (an utterance too short for its transcript, an image too narrow for
        its text, a subsampling factor that shrinks the frames below the labels), and its
        gradient is NaN there. One such sample in the data is the usual story in public
        threads; ``zero_infinity=True`` or filtering such samples is the remedy.

    Example::

        epoch 2 iter 12009: loss=65.129, loss_att=124.079, loss_ctc=nan, acc=0.065
        epoch 2 iter 12010: loss=nan, loss_att=nan, loss_ctc=nan, acc=0.065

    Stays silent on::

        epoch 2 iter 12009: loss=65.129, loss_att=124.079, loss_seq=nan, acc=0.065
        epoch 2 iter 12010: loss=nan, loss_att=nan, loss_seq=nan, acc=0.065
    """

    code = "TM04"
    name = "terms.ctc-loss"
    causes = ("bad_input_data", "unstable_loss_function")
    summary = "a broken run prints a CTC loss (an input shorter than its target gives inf)"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        if not analysis.is_problem:
            return
        names = [n for n in analysis.run.series.names if "ctc" in n.lower()]
        said = _CTC_WORD.search(analysis.run.head_hint)
        if not names and said is None:
            return
        seen = names[0] if names else said.group() if said else "CTC"
        yield self.evidence(
            "bad_input_data",
            0.45,
            f"the run trains with CTC ({seen}): a sample whose input is shorter than its "
            "target (too short an utterance or image for its transcript) has an infinite loss",
        )
        yield self.evidence(
            "unstable_loss_function",
            0.25,
            "CTC's loss is infinite where no alignment exists, unless zero_infinity is set",
        )


# A KL-divergence term: ``kl_loss``, ``KLD Loss``, ``loss_kl``, ``kl_div``, and a VAE's
# ``latent_loss`` (the name TensorFlow VAE code gives its KL term; ``latloss`` for short).
_KL_TERM = re.compile(
    r"(?:^|[_ ./-])(?:kld?|kl_?div(?:ergence)?)(?:$|[_ ./-])|(?:^|[_ ./-])lat(?:ent)?[_ ]?loss$"
)


class KlTermInBrokenRun(Rule):
    """What it detects:
        A broken run prints a KL-divergence term (``kl_loss``, ``KLD Loss``, a VAE's
        ``latent_loss``): a variational autoencoder, a VRNN, any model that learns a
        distribution's mean and spread.

    Why it leads to NaN:
        The KL term takes the log of a standard deviation (or exp of a log-variance): a
        spread that reaches 0 gives log(0) = -inf, a log-variance that grows overflows exp.
        The loss is fine until the encoder saturates, then NaN at once. Clamping the
        log-variance or adding an epsilon to the spread is the remedy the threads settle on
        (the three labelled real logs that print a KL term were an unstable loss).

    Example::

        Train Epoch: 3 [5600/60000 (43%)]  KLD Loss: 2.837864  NLL Loss: 78.958122
        Train Epoch: 3 [8400/60000 (64%)]  KLD Loss: nan  NLL Loss: nan

    Stays silent on::

        Train Epoch: 3 [5600/60000 (43%)]  CE Loss: 2.837864  NLL Loss: 78.958122
        Train Epoch: 3 [8400/60000 (64%)]  CE Loss: nan  NLL Loss: nan
    """

    code = "TM05"
    name = "terms.kl-divergence"
    causes = ("unstable_loss_function",)
    summary = "a broken run prints a KL-divergence term (log of a spread, exp of a log-variance)"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        if not analysis.is_problem:
            return
        names = [n for n in analysis.run.series.names if _KL_TERM.search(n.lower())]
        if not names:
            return
        yield self.evidence(
            "unstable_loss_function",
            0.5,
            f"the run prints a KL-divergence term ({names[0]}): its log of a standard deviation "
            "gives -inf when the spread reaches 0, and exp of a log-variance overflows",
        )
