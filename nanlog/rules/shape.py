"""Rules that read the shape of the loss curve before it broke."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from nanlog.analysis import Analysis, Curve
from nanlog.rules.base import Evidence, Rule, fmt, where


def _finite_positive(curve: Curve) -> tuple[np.ndarray, np.ndarray]:
    """log10 of the finite, positive values and their positions in the curve."""
    keep = np.flatnonzero(np.isfinite(curve.values) & (curve.values > 0))
    return np.log10(curve.values[keep]), keep


def growth_run(curve: Curve) -> tuple[int, float, float] | None:
    """The rise that ends the curve: (records it spans, orders of magnitude, share of rising steps)."""
    found = _growth(curve)
    return None if found is None else found[:3]


def _growth(curve: Curve) -> tuple[int, float, float, float | None, int] | None:
    """Like growth_run, plus the growth speed in orders of magnitude per training step
    (None when the log prints no steps) and the number of steps it spans (0 if unknown)."""
    logs, keep = _finite_positive(curve)
    if len(logs) < 3:
        return None
    offset = max(0, len(logs) - 300)
    tail = logs[offset:]
    start = int(np.argmin(tail))
    rising = tail[start:]
    if len(rising) < 2:
        return None
    steps = np.diff(rising)
    moved = steps[steps != 0]  # a bar redrawn twice with the same value is not a step
    share = float(np.mean(moved > 0)) if len(moved) else 0.0
    orders = float(rising[-1] - rising[0])
    first_step = curve.step_of(int(keep[offset + start]))
    last_step = curve.step_of(int(keep[-1]))
    speed, span = None, 0
    if first_step is not None and last_step is not None and last_step > first_step:
        span = int(last_step - first_step)
        speed = orders / span
    return len(rising), orders, share, speed, span


# Orders of magnitude per training step that separate a steady growth (exploding
# gradients: x2 to x5 per step) from a blow-up (an absurd learning rate: x10 or more).
BLOW_UP_SPEED = 1.0


def _first_pass(curve: Curve, epoch: float | None) -> tuple[float, bool] | None:
    """The curve's first epoch, and whether ``epoch`` is past the first pass over the data
    (None when the log prints no epochs).

    Integer epochs (Keras 1.., Lightning 0..) count passes; fractional ones (HF's 0.625)
    measure progress, so 1.0 is still the end of the first pass.
    """
    epochs = curve.epochs
    epochs = epochs[~np.isnan(epochs)]
    if epoch is None or not len(epochs):
        return None
    first = float(math.floor(epochs[0]))
    if (epochs != np.floor(epochs)).any():
        return first, epoch > first + 1.0
    return first, math.floor(epoch) > first


class SteadyGrowth(Rule):
    """What it detects:
        The loss (or the gradient norm) grows steadily, by orders of magnitude, over many
        logged steps before it overflows to inf/NaN, or diverges without a NaN.

    Why it leads to NaN:
        Each update makes the next gradient larger: the weights grow geometrically until
        a value exceeds the float range. The long, steady rise is the signature of
        exploding gradients, as opposed to the immediate jump of an absurd learning rate.

    Example::

        step 1 loss 1.0
        step 2 loss 2.1
        step 3 loss 4.3
        step 4 loss 9.0
        step 5 loss 19.5
        step 6 loss 41.0
        step 7 loss 88.0
        step 8 loss 190.0
        step 9 loss 410.0
        step 10 loss 900.0
        step 11 loss 2000.0
        step 12 loss inf

    Healthy counterpart::

        step 1 loss 1.0
        step 2 loss 0.8
        step 3 loss 0.7
        step 4 loss 0.6
        step 5 loss 0.55
        step 6 loss 0.5
        step 7 loss 0.48
        step 8 loss 0.45
        step 9 loss 0.44
        step 10 loss 0.43
        step 11 loss nan

    Known false positives:
        A loss that restarts high after a deliberate reset (a new task, a new dataset) and
        then diverges; the growth is still real.
    """

    code = "SH01"
    name = "shape.steady-growth"
    causes = ("exploding_gradients",)
    summary = (
        "loss or grad norm grows steadily by orders of magnitude over many steps before the break"
    )
    MIN_RECORDS = 8
    MIN_STEPS = 20
    MIN_ORDERS = 2.0
    MIN_RISING_SHARE = 0.6

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        for metric in ("loss", "grad_norm"):
            curve = analysis.curve(metric)
            if curve is None:
                continue
            if analysis.cut is not None:
                curve = curve.before(analysis.cut)
            found = _growth(curve)
            if found is None:
                continue
            records, orders, share, speed, span = found
            if span >= self.MIN_STEPS:
                records = max(records, self.MIN_RECORDS)  # few lines (one per epoch), many steps
            if speed is not None and speed >= BLOW_UP_SPEED:
                continue  # orders of magnitude per step: a blow-up (SH02), not a steady growth
            if (
                records < self.MIN_RECORDS
                or orders < self.MIN_ORDERS
                or share < self.MIN_RISING_SHARE
            ):
                continue
            _, keep = _finite_positive(curve)
            first = curve.values[keep[len(keep) - records]]
            last = curve.values[keep[-1]]
            score = min(0.9, 0.5 + 0.1 * math.log2(records / self.MIN_RECORDS + 1) + 0.02 * orders)
            yield self.evidence(
                "exploding_gradients",
                score,
                f"{metric} grew steadily from {fmt(first)} to {fmt(last)} (10^{orders:.0f} times) "
                f"over {records} logged steps before the break",
                *curve.place(int(keep[-1])),
            )
            return


class EarlyBlowUp(Rule):
    """What it detects:
        The loss jumps by an order of magnitude or more within the first logged steps and
        turns non-finite soon after the start.

    Why it leads to NaN:
        With a step size far too large, the very first updates throw the weights so far that
        the loss explodes immediately; there is no slow build-up as with exploding gradients.

    Example::

        step 1 loss 2.3
        step 2 loss 410.0
        step 3 loss 98000.0
        step 4 loss 3.1e+11
        step 5 loss nan

    Healthy counterpart::

        step 1 loss 2.3
        step 2 loss 2.1
        step 3 loss 1.9
        step 4 loss 1.7
        step 5 loss nan
    """

    code = "SH02"
    name = "shape.early-blow-up"
    causes = ("learning_rate_too_high",)
    summary = "the loss jumps by orders of magnitude in the first steps, then breaks"
    WINDOW = 15

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None:
            return
        head = loss.values[: self.WINDOW]
        bad = np.flatnonzero(~np.isfinite(head))
        broke_early = len(bad) > 0 or (
            analysis.brk is not None
            and analysis.brk.position <= loss.index[min(len(loss), self.WINDOW) - 1]
        )
        if not broke_early:
            return
        end = int(bad[0]) if len(bad) else len(head)
        finite = head[:end]
        if len(finite) < 2 or finite[0] <= 0:
            return
        jump = float(np.max(finite[1:]) / finite[0])
        if jump < 10:
            return
        growth = _growth(loss.before(int(loss.index[end - 1]) + 1))
        if (
            growth is not None
            and growth[3] is not None
            and growth[3] < BLOW_UP_SPEED
            and growth[4] >= 20
        ):
            return  # a steady rise over many steps (SH01), not a blow-up
        score = min(0.85, 0.6 + 0.05 * math.log10(jump))
        yield self.evidence(
            "learning_rate_too_high",
            score,
            f"loss jumped from {fmt(finite[0])} to {fmt(float(np.max(finite)))} within the first "
            f"{end} logged steps",
            *loss.place(end - 1),
        )


class SuddenBreakAfterDecline(Rule):
    """What it detects:
        The loss declines normally and then turns NaN/inf at once, with no growth before it.

    Why it leads to NaN:
        Nothing was diverging: one operation met a value it cannot take. Either the loss has
        an unstable operation (log(0), x/0, the gradient of sqrt at 0) reached as predictions
        saturate late in training, or one batch holds a bad sample, met in the first pass
        over the data. The epoch of the break tells the two apart.

    Example::

        epoch 1 step 1 loss 0.90
        epoch 1 step 2 loss 0.70
        epoch 2 step 3 loss 0.40
        epoch 2 step 4 loss 0.20
        epoch 3 step 5 loss 0.05
        epoch 3 step 6 loss 0.01
        epoch 4 step 7 loss nan

    Healthy counterpart::

        epoch 1 step 1 loss 0.90
        epoch 1 step 2 loss 2.50
        epoch 1 step 3 loss 9.00
        epoch 2 step 4 loss 40.0
        epoch 2 step 5 loss 300.0
        epoch 3 step 6 loss 5000.0
        epoch 3 step 7 loss nan
    """

    code = "SH03"
    name = "shape.sudden-break-after-decline"
    causes = ("unstable_loss_function", "bad_input_data")
    summary = "normal decline, then a sudden NaN with no growth before it"
    MIN_RECORDS = 2
    FEW_RECORDS = 4  # below this the shape is weaker evidence

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        brk, loss = analysis.brk, analysis.loss
        if brk is None or loss is None or brk.metric not in ("loss", "grad_norm", "val_loss"):
            return  # a broken learning rate is its own story (LR01)
        before = loss.before(analysis.cut if analysis.cut is not None else brk.position)
        values = before.values[np.isfinite(before.values)]
        if len(values) < self.MIN_RECORDS:
            return
        weight = 1.0 if len(values) >= self.FEW_RECORDS else 0.8
        recent = values[-5:]
        earlier = values[: max(1, len(values) - 5)]
        growing = recent[-1] > 3 * max(float(np.median(earlier)), 1e-12)
        if growing or values[-1] > values[0] * 1.5:
            return
        first_epoch, later_epoch = _first_pass(loss, brk.epoch) or (None, False)
        fell = values[0] / max(float(np.min(values)), 1e-12)
        at = where(brk.line, brk.step)
        if later_epoch or fell >= 100:
            why = (f"after epoch {int(first_epoch or 0)}" if later_epoch else "") + (
                f"{' and ' if later_epoch else ''}after the loss fell {fell:.0f}x"
                if fell >= 100
                else ""
            )
            yield self.evidence(
                "unstable_loss_function",
                weight * (0.6 + (0.1 if later_epoch and fell >= 10 else 0.0)),
                f"loss declined normally ({fmt(values[0])} -> {fmt(values[-1])}) and broke suddenly "
                f"{why}: typical of log(0)/division by zero as predictions saturate{at}",
                brk.line,
                brk.step,
            )
            yield self.evidence(
                "bad_input_data",
                weight * 0.3,
                f"a sudden break with no growth before it can also be one bad batch{at}",
                brk.line,
                brk.step,
            )
        else:
            yield self.evidence(
                "bad_input_data",
                weight * 0.6,
                f"loss was declining normally ({fmt(values[0])} -> {fmt(values[-1])}) and broke "
                f"suddenly during the first pass over the data: typical of a bad sample in that batch{at}",
                brk.line,
                brk.step,
            )
            yield self.evidence(
                "unstable_loss_function",
                weight * 0.35,
                f"a sudden break with no growth before it can also be log(0) or a division by zero{at}",
                brk.line,
                brk.step,
            )


class NonFiniteFromStart(Rule):
    """What it detects:
        The training loss is NaN/inf in the very first record the log shows.

    Why it leads to NaN:
        Nothing had a chance to diverge: the first forward pass already produced NaN. The
        inputs (or labels) carry NaN/inf, or the loss cannot be computed on the model's
        initial output.

    Example::

        step 1 loss nan
        step 2 loss nan
        step 3 loss nan

    Healthy counterpart::

        step 1 loss 2.3
        step 2 loss 2.1
        step 3 loss nan
    """

    code = "SH04"
    name = "shape.non-finite-from-start"
    causes = ("bad_input_data", "learning_rate_too_high")
    summary = "the loss is NaN/inf from the very first record"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None or np.isfinite(loss.values[0]):
            return
        at = where(*loss.place(0))
        yield self.evidence(
            "bad_input_data",
            0.55,
            f"loss is {fmt(loss.values[0])} from the first record: the first batches already give NaN{at}",
            *loss.place(0),
        )
        yield self.evidence(
            "learning_rate_too_high",
            0.3,
            f"a NaN before the first logged value can also be a learning rate that diverges within "
            f"the first logging window{at}",
            *loss.place(0),
        )


class SameBatchEachEpoch(Rule):
    """What it detects:
        The loss turns NaN at the same batch index in two or more epochs, finite in between.

    Why it leads to NaN:
        Training recovers (the NaN step was skipped) and breaks again at the same place:
        the data at that position, not the optimisation, is at fault.

    Example::

        epoch 1 batch 1 loss 0.9
        epoch 1 batch 2 loss nan
        epoch 1 batch 3 loss 0.8
        epoch 2 batch 1 loss 0.7
        epoch 2 batch 2 loss nan
        epoch 2 batch 3 loss 0.6

    Healthy counterpart::

        epoch 1 batch 1 loss 0.9
        epoch 1 batch 2 loss nan
        epoch 1 batch 3 loss nan
        epoch 2 batch 1 loss nan
        epoch 2 batch 2 loss nan
    """

    code = "SH05"
    name = "shape.same-batch-each-epoch"
    causes = ("bad_input_data",)
    summary = "NaN at the same batch index in several epochs, finite in between"
    MAX_BAD_SHARE = 0.5
    MAX_BAD_BATCHES = 3

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None:
            return
        batches, epochs = loss.batches, loss.epochs  # looked up once, not per value
        bad = ~np.isfinite(loss.values)
        if not bad.any():
            return
        after_first = bad[int(np.argmax(bad)) :]
        if after_first.mean() > self.MAX_BAD_SHARE:
            return  # no recovery: the run stayed broken after its first NaN
        by_batch: dict[int, set[float]] = {}
        for i in np.flatnonzero(bad):
            if batches[i] >= 0 and not math.isnan(epochs[i]):
                by_batch.setdefault(int(batches[i]), set()).add(float(epochs[i]))
        repeated = {b: e for b, e in by_batch.items() if len(e) >= 2}
        if not repeated or len(by_batch) > self.MAX_BAD_BATCHES:
            return  # breaks everywhere (e.g. skipped fp16 steps), not at one place
        batch, seen_in = min(repeated.items())
        yield self.evidence(
            "bad_input_data",
            0.85,
            f"loss is non-finite at batch {batch} in epochs {', '.join(str(int(e)) for e in sorted(seen_in))} "
            "and finite in between: the same data breaks it every epoch",
        )
