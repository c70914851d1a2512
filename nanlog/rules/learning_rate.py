"""Rules about the learning rate the log printed."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from nanlog.analysis import Analysis, Curve
from nanlog.rules.base import Evidence, Rule, fmt, where


def finite_rates_up_to(lr: Curve, line: int) -> np.ndarray:
    """The finite learning rates printed up to ``line`` (the break's: ``loss: nan lr: 0.06``
    prints the rate the failing step ran at)."""
    rates: np.ndarray = lr.values[lr.lines <= line]
    finite: np.ndarray = rates[np.isfinite(rates)]
    return finite


class NonFiniteLearningRate(Rule):
    """What it detects:
        The learning rate itself is printed as NaN, inf or a negative number.

    Why it leads to NaN:
        An optimizer step with a NaN learning rate writes NaN into every weight; the loss is
        NaN from the next step on. Schedules produce this when they take sqrt or a power of a
        negative number, divide by zero, or run past their planned number of steps.

    Example::

        step 1 loss 0.9 lr 0.01
        step 2 loss 0.8 lr 0.005
        step 3 loss 0.7 lr 0.0
        step 4 loss 0.7 lr nan
        step 5 loss nan lr nan

    Stays silent on::

        step 1 loss 0.9 lr 0.01
        step 2 loss 0.8 lr 0.005
        step 3 loss 0.7 lr 0.001
        step 4 loss nan lr 0.001
    """

    code = "LR01"
    name = "lr.non-finite"
    causes = ("invalid_learning_rate",)
    summary = "the learning rate itself is NaN, inf or negative"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        lr = analysis.curve("lr")
        if lr is None:
            return
        bad = np.flatnonzero(~np.isfinite(lr.values) | (lr.values < 0))
        if not len(bad):
            return
        i = int(bad[0])
        previous = lr.values[:i][np.isfinite(lr.values[:i])]
        before = f" (it was {fmt(previous[-1])} before)" if len(previous) else ""
        yield self.evidence(
            "invalid_learning_rate",
            0.95,
            f"the learning rate is {fmt(lr.values[i])}{before}{where(*lr.place(i))}",
            *lr.place(i),
        )


class RisingLearningRateAtBreak(Rule):
    """What it detects:
        The learning rate is still rising (warm-up or a cyclic schedule) when the loss breaks.

    Why it leads to NaN:
        The loss was fine at smaller step sizes and broke as the rate kept growing: the peak of
        the schedule is above what the model tolerates.

    Example::

        step 1 loss 0.9 lr 0.001
        step 2 loss 0.8 lr 0.002
        step 3 loss 0.7 lr 0.004
        step 4 loss 0.9 lr 0.008
        step 5 loss 3.0 lr 0.016
        step 6 loss nan lr 0.032

    Stays silent on::

        step 1 loss 0.9 lr 0.004
        step 2 loss 0.8 lr 0.004
        step 3 loss 0.7 lr 0.003
        step 4 loss 0.6 lr 0.002
        step 5 loss nan lr 0.001
    """

    code = "LR02"
    name = "lr.rising-at-break"
    causes = ("learning_rate_too_high",)
    summary = "the learning rate is still rising when the loss breaks"
    WINDOW = 3

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        lr, brk = analysis.curve("lr"), analysis.brk
        if lr is None or brk is None or brk.metric == "lr":
            return
        values = lr.before(brk.position + 1).values
        values = values[np.isfinite(values)][-self.WINDOW :]
        if len(values) < self.WINDOW or not (np.diff(values) > 0).all():
            return
        yield self.evidence(
            "learning_rate_too_high",
            0.45,
            f"the learning rate was still rising ({fmt(values[0])} -> {fmt(values[-1])}) when the loss broke",
            brk.line,
            brk.step,
        )


class LargeLearningRate(Rule):
    """What it detects:
        The log prints a learning rate of 1 or more.

    Why it leads to NaN:
        Rates that large are unstable for almost every optimizer and model outside a few
        plain-SGD set-ups; each step can overshoot and grow the loss.

    Example::

        step 1 loss 2.3 lr 10.0
        step 2 loss 90.0 lr 10.0
        step 3 loss nan lr 10.0

    Stays silent on::

        step 1 loss 2.3 lr 0.001
        step 2 loss 2.0 lr 0.001
        step 3 loss nan lr 0.001
    """

    code = "LR03"
    name = "lr.large-value"
    causes = ("learning_rate_too_high",)
    summary = "the printed learning rate is 1 or more"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        lr = analysis.curve("lr")
        if lr is None:
            return
        finite = lr.values[np.isfinite(lr.values)]
        if not len(finite) or finite.max() < 1.0:
            return
        i = int(np.flatnonzero(lr.values == finite.max())[0])
        yield self.evidence(
            "learning_rate_too_high",
            0.5 if finite.max() >= 10 else 0.35,
            f"the learning rate is {fmt(float(finite.max()))}{where(*lr.place(i))}",
            *lr.place(i),
        )


class FiniteLearningRate(Rule):
    """What it detects:
        The log prints the learning rate and every printed value is finite and not negative.

    Why it leads to NaN:
        It speaks against a broken schedule: a learning rate that became NaN, inf or negative
        would show in the printed values.

    Example::

        step 1 loss 0.9 lr 0.001
        step 2 loss nan lr 0.001

    Stays silent on::

        step 1 loss 0.9
        step 2 loss nan
    """

    code = "LR04"
    name = "lr.finite"
    causes = ("invalid_learning_rate",)
    summary = "every printed learning rate is finite and not negative (against a broken schedule)"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        lr = analysis.curve("lr")
        if lr is None or not (np.isfinite(lr.values) & (lr.values >= 0)).all():
            return
        yield self.against(
            "invalid_learning_rate",
            0.9,
            f"the learning rate is printed {len(lr)} time(s) and always finite "
            f"({fmt(float(lr.values.min()))} to {fmt(float(lr.values.max()))})",
        )


class NaNBeforeUpdates(Rule):
    """What it detects:
        The loss is already NaN/inf while the printed learning rate is still 0 (the first
        step of a warm-up): the weights have not moved yet.

    Why it leads to NaN:
        With a zero step size nothing was updated, so the step size and growing gradients
        cannot be the cause: the forward pass itself gives NaN (inputs, labels, float16
        overflow, the loss on the initial output).

    Example::

        Epoch 0 | Batch 0 | Train Loss nan | Learning Rate 0.0
        Epoch 0 | Batch 100 | Train Loss nan | Learning Rate 2e-08

    Stays silent on::

        Epoch 0 | Batch 0 | Train Loss 2.3 | Learning Rate 0.0
        Epoch 0 | Batch 100 | Train Loss nan | Learning Rate 2e-08
    """

    code = "LR05"
    name = "lr.nan-before-updates"
    causes = ("learning_rate_too_high", "exploding_gradients")
    summary = "the loss is NaN while the learning rate is still 0 (against growth causes)"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        lr, loss = analysis.curve("lr"), analysis.loss
        if lr is None or loss is None or analysis.loss_break is None:
            return
        line = loss.place(analysis.loss_break)[0]
        before = lr.values[lr.lines <= line]  # the rate printed up to the line of the NaN
        if not len(before) or (before != 0.0).any():
            return
        sentence = f"the loss is non-finite at line {line} while the learning rate is still 0"
        yield self.against("learning_rate_too_high", 0.85, sentence + ": no update was made", line)
        yield self.against("exploding_gradients", 0.85, sentence + ": nothing could grow", line)


class SurvivedLargerRate(Rule):
    """What it detects:
        When the loss breaks, the learning rate is at most half the largest rate the run
        trained at earlier with a finite loss (a decayed schedule).

    Why it leads to NaN:
        It speaks against a step size too large: the model already trained at a rate twice as
        large without breaking. Something else changed: growing weights or gradients, a batch
        of bad data, a loss that saturates late in training.

    Example::

        ep=22 loss=0.671 lr=6.25e-06
        ep=23 loss=nan lr=3.125e-06

    Stays silent on::

        ep=22 loss=0.671 lr=3.125e-06
        ep=23 loss=nan lr=6.25e-06
    """

    code = "LR06"
    name = "lr.survived-larger-rate"
    causes = ("learning_rate_too_high",)
    summary = (
        "the rate at the break is half or less of one the run survived (against a too-high rate)"
    )
    RATIO = 2.0

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        lr, brk = analysis.curve("lr"), analysis.brk
        if lr is None or brk is None or brk.metric == "lr":
            return
        earlier = lr.values[lr.lines < brk.line]
        earlier = earlier[np.isfinite(earlier)]
        now = finite_rates_up_to(lr, brk.line)
        if not len(earlier) or not len(now) or now[-1] <= 0:
            return
        peak, rate = float(earlier.max()), float(now[-1])
        if peak < self.RATIO * rate:
            return
        yield self.against(
            "learning_rate_too_high",
            0.5,
            f"the run trained at a learning rate up to {fmt(peak)} with a finite loss and broke "
            f"at {fmt(rate)}{where(brk.line, brk.step)}",
            brk.line,
        )


class RateSteppedUpBeforeBreak(Rule):
    """What it detects:
        The learning rate jumped up (to twice or more its previous printed value) a few logged
        values before the loss broke: the end of a warm-up that steps to the full rate, a
        restart of a cyclic schedule, a resumed run with a larger rate.

    Why it leads to NaN:
        The loss was finite at the smaller rate and broke soon after the step up: the full
        rate is above what the model tolerates at that point of training.

    Example::

        iter: 500  loss: 1.8768  lr: 0.00333
        iter: 520  loss: 2.7460  lr: 0.01000
        iter: 540  loss: 3.6404  lr: 0.01000
        iter: 560  loss: nan  lr: 0.01000

    Stays silent on::

        iter: 500  loss: 1.8768  lr: 0.01000
        iter: 520  loss: 2.7460  lr: 0.00333
        iter: 540  loss: 3.6404  lr: 0.00333
        iter: 560  loss: nan  lr: 0.00333
    """

    code = "LR07"
    name = "lr.stepped-up-before-break"
    causes = ("learning_rate_too_high",)
    summary = "the learning rate jumped up (2x or more) a few logged values before the break"
    RATIO = 2.0
    WITHIN = 4  # logged rates between the jump and the break

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        lr, brk = analysis.curve("lr"), analysis.brk
        if lr is None or brk is None or brk.metric == "lr":
            return
        before = lr.before(brk.position + 1)
        on_break_line = lr.after(brk.position + 1)  # ``loss: nan ... lr: 0.06`` on one line
        taken = int(np.searchsorted(on_break_line.lines, brk.line, side="right"))
        if taken:
            before = lr.before(int(on_break_line.index[taken - 1]) + 1)
        values = before.values
        if len(values) < 2:
            return
        start = max(1, len(values) - self.WITHIN)
        for i in range(len(values) - 1, start - 1, -1):
            low, high = float(values[i - 1]), float(values[i])
            if not (math.isfinite(low) and math.isfinite(high)) or low <= 0:
                continue
            if high >= self.RATIO * low and not analysis.apart(
                int(before.lines[i - 1]), int(before.lines[i])
            ):
                later = len(values) - 1 - i
                when = (
                    f"{later} logged value(s) before the loss broke"
                    if later
                    else "as the loss broke"
                )
                yield self.evidence(
                    "learning_rate_too_high",
                    0.5,
                    f"the learning rate jumped from {fmt(low)} to {fmt(high)} "
                    f"(line {before.lines[i]}) {when}{where(brk.line, brk.step)}",
                    brk.line,
                    brk.step,
                )
                return


class TinyRateAtBreak(Rule):
    """What it detects:
        The learning rate printed at the break is above 0 but at most 1e-6: the start of a
        warm-up, or a rate set that small on purpose.

    Why it leads to NaN:
        It speaks against a step size too large: with Adam a step moves each weight by about
        the rate, so a few hundred steps of 1e-6 cannot throw trained weights far. What breaks
        at such a rate is the forward pass: float16 overflowing in a pretrained model, a bad
        batch, a loss that cannot be computed.

    Example::

        iter 0 lr: 0.000000 loss: 1.9126
        iter 50 lr: 0.000001 loss: nan

    Stays silent on::

        iter 0 lr: 0.000100 loss: 1.9126
        iter 50 lr: 0.000200 loss: nan
    """

    code = "LR08"
    name = "lr.tiny-rate-at-break"
    causes = ("learning_rate_too_high",)
    summary = "the learning rate at the break is at most 1e-6 (against a step size too large)"
    TINY = 1e-6

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        lr, brk = analysis.curve("lr"), analysis.brk
        if lr is None or brk is None or brk.metric == "lr":
            return
        now = finite_rates_up_to(lr, brk.line)
        if not len(now) or not 0 < now[-1] <= self.TINY:
            return
        yield self.against(
            "learning_rate_too_high",
            0.6,
            f"the learning rate was {fmt(float(now[-1]))} when the loss broke"
            f"{where(brk.line, brk.step)}: steps that small cannot throw the weights far",
            brk.line,
        )
