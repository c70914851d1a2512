"""Rules that read the shape of the loss curve before it broke."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator

import numpy as np

from nanlog.analysis import Analysis, Curve, drop_to_zero
from nanlog.model import NO_INT
from nanlog.rules.base import Evidence, Rule, fmt, where


def sizes(values: np.ndarray) -> np.ndarray:
    """How large the values are: themselves, or their magnitudes when none is positive (a
    log-likelihood, or printed weights, running towards -inf grows as surely as a loss)."""
    finite = values[np.isfinite(values)]
    if len(finite) and (finite <= 0).all() and (finite < 0).any():
        return -values
    return values


def _finite_positive(curve: Curve) -> tuple[np.ndarray, np.ndarray]:
    """log10 of the finite, positive sizes (:func:`sizes`) and their positions in the curve."""
    values = sizes(curve.values)
    keep = np.flatnonzero(np.isfinite(values) & (values > 0))
    return np.log10(values[keep]), keep


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
    offset = 0  # the whole curve: a rise over 35,000 steps is read whole
    tail = logs
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


def _largest_jump(curve: Curve, analysis: Analysis | None = None) -> float:
    """The largest rise, in orders of magnitude, between two consecutive logged values
    (neighbours only: not across text a long log's sampled reading left out)."""
    logs, keep = _finite_positive(curve)
    if len(logs) < 2:
        return 0.0
    rises = np.diff(logs)
    if analysis is not None and analysis.run.gaps:
        lines = curve.lines[keep]
        apart = [analysis.apart(int(a), int(b)) for a, b in itertools.pairwise(lines)]
        rises = rises[~np.array(apart, dtype=bool)]
    return float(np.max(rises)) if len(rises) else 0.0


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
    # Epochs count from 0 or 1, so epoch 2 is past the first pass even in an excerpt that
    # starts there.
    if (epochs != np.floor(epochs)).any():
        return first, epoch > first + 1.0 or epoch > 2.0
    return first, math.floor(epoch) > first or math.floor(epoch) >= 2


EARLY_STEP = 20  # a first step this small is the start of training, not of an excerpt


def shown_from_start(analysis: Analysis, loss: Curve, first: int) -> bool:
    """The record ``first`` is at the start of training, not the start of an excerpt.

    In the first epoch the first batches count (Keras prints running means since the
    epoch began, so any Keras record of the first epoch counts); without an epoch the
    first step must be small; a log that prints no position is taken as whole.
    """
    epoch, step = loss.epoch_of(first), loss.step_of(first)
    batch = int(loss.batches[first])
    if first and epoch is not None and epoch < 2:
        return True  # a restarted run's first epoch
    if epoch is not None and epoch < 2:
        return batch < 0 or batch <= EARLY_STEP or analysis.run.format == "keras"
    if step is not None:
        return step <= EARLY_STEP
    if epoch is None:  # no position printed: the failure message may still say where
        said = _SAID_AT.search(_failure_text(analysis))
        return said is None or int(said.group(1)) <= EARLY_STEP
    return False


# ``FloatingPointError: Loss became infinite or NaN at iteration=756!`` (detectron2)
_SAID_AT = re.compile(r"(?i)(?:iteration|iter|step)\s{0,2}[=:#]?\s{0,2}(\d{1,12})")


def _failure_text(analysis: Analysis) -> str:
    event = analysis.first_event("nonfinite_check")
    return event.text if event is not None else ""


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

    Stays silent on::

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
    MAX_JUMP_SHARE = 0.5  # of the orders of magnitude, in one logged step

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
            if _largest_jump(curve, analysis) > self.MAX_JUMP_SHARE * orders:
                continue  # one jump carries the rise: a blow-up (SH06), not a steady growth
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

    Stays silent on::

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
        peak = int(np.argmax(finite[1:])) + 1
        later = loss.values[peak + 1 : peak + 4]
        later = later[np.isfinite(later)]
        if len(later) and later.min() <= 10 * finite[0]:
            return  # a spike the loss left at once: one bad step (SH07), not the step size
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
        over the data. The epoch of the break tells the two apart. With no epoch printed,
        a noisy loss that stayed level weighs less: in public threads such late breaks were
        as often a rate at its limit, float16 or exploding gradients.

    Example::

        epoch 1 step 1 loss 0.90
        epoch 1 step 2 loss 0.70
        epoch 2 step 3 loss 0.40
        epoch 2 step 4 loss 0.20
        epoch 3 step 5 loss 0.05
        epoch 3 step 6 loss 0.01
        epoch 4 step 7 loss nan

    Stays silent on::

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
    FEW_RECORDS = 4  # below this the shape is weaker evidence (two values barely show one)
    # A noisy level loss that breaks with no epoch printed: in public threads as often a rate
    # at its limit, float16 or exploding gradients late in a long run as a bad batch.
    LEVEL_WITHOUT_EPOCHS = 0.5

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        brk, loss = analysis.brk, analysis.loss
        if brk is None or loss is None or brk.metric == "lr":
            return  # a broken learning rate is its own story (LR01)
        cut = analysis.cut if analysis.cut is not None else brk.position
        if brk.metric not in ("loss", "grad_norm", "val_loss"):
            if analysis.loss_break is None:
                return  # only a side metric broke
            cut = int(loss.index[analysis.loss_break])
        if analysis.loss_break and NonFiniteFromStart.run_start(loss, analysis.loss_break):
            return  # the values before belong to an earlier run (a second fit): SH04's case
        before = loss.before(cut)
        finite = np.isfinite(before.values)
        printed = before.values[finite]
        values = sizes(printed)
        # Positions, not records: Caffe prints each iteration's loss twice.
        steps = before.steps[finite]
        positions = len(np.unique(steps)) if (steps != NO_INT).all() else len(values)
        if positions < self.MIN_RECORDS:
            return
        weight = 1.0 if positions >= self.FEW_RECORDS else 0.7
        recent = values[-5:]
        earlier = values[: max(1, len(values) - 5)]
        growing = recent[-1] > 3 * max(float(np.median(earlier)), 1e-12)
        if growing or values[-1] > values[0] * 1.5:
            return
        passes = _first_pass(loss, brk.epoch)
        first_epoch, later_epoch = passes or (None, False)
        fell = values[0] / max(float(np.min(values)), 1e-12)
        at = where(brk.line, brk.step)
        trend = "declined normally" if printed[-1] < printed[0] else "stayed level"
        shown = f"{fmt(printed[0])} -> {fmt(printed[-1])}"
        if passes is None and fell < 100:
            # No epochs printed: whether the data had been seen once already is unknown.
            if trend == "stayed level":
                weight *= self.LEVEL_WITHOUT_EPOCHS
            yield self.evidence(
                "bad_input_data",
                weight * 0.45,
                f"the loss {trend} ({shown}) and broke suddenly, "
                f"with no growth before it: one bad batch, or ...{at}",
                brk.line,
                brk.step,
            )
            yield self.evidence(
                "unstable_loss_function",
                weight * 0.45,
                f"... log(0) or a division by zero that the model's outputs reached{at}",
                brk.line,
                brk.step,
            )
            return
        if later_epoch or fell >= 100:
            why = (f"after epoch {int(first_epoch or 0)}" if later_epoch else "") + (
                f"{' and ' if later_epoch else ''}after the loss fell {fell:.0f}x"
                if fell >= 100
                else ""
            )
            yield self.evidence(
                "unstable_loss_function",
                weight * (0.6 + (0.1 if later_epoch and fell >= 10 else 0.0)),
                f"the loss {trend} ({shown}) and broke suddenly "
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
                f"the loss {trend} ({shown}) and broke "
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
        The training loss is NaN/inf in the first record of a run that the log shows from its
        start (the first step printed is 0-20, or the first batch of the first epoch).

    Why it leads to NaN:
        Nothing had a chance to diverge: the first forward pass already produced NaN. The
        inputs carry NaN/inf, a label is outside the classes (a classification run: it prints
        an accuracy), float16 overflowed in the forward pass, or the loss cannot be computed
        on the model's initial output. Growth-type causes (exploding gradients) need steps
        to build up and are less likely.

    Example::

        step 1 loss nan
        step 2 loss nan
        step 3 loss nan

    Stays silent on::

        step 9856 loss nan
        step 9872 loss nan
    """

    code = "SH04"
    name = "shape.non-finite-from-start"
    causes = (
        "bad_input_data",
        "label_out_of_range",
        "mixed_precision_overflow",
        "unstable_loss_function",
        "exploding_gradients",
        "learning_rate_too_high",
    )
    summary = "the loss is NaN/inf from the first record of a run shown from its start"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None or analysis.loss_break is None:
            return
        first = self.run_start(loss, analysis.loss_break)
        if first is None or not shown_from_start(analysis, loss, first):
            return
        place = loss.place(first)
        at = where(*place)
        # Weak evidence, measured: of the 32 labelled real logs NaN from their first record,
        # 10 were bad data, 7 the rate, 3 labels, 6 a cause outside the catalogue.
        yield self.evidence(
            "bad_input_data",
            0.4,
            f"loss is {fmt(loss.values[first])} from the first step: the first batches already give "
            f"NaN, before training could diverge{at}",
            *place,
        )
        if analysis.curve("accuracy") is not None or analysis.curve("val_accuracy") is not None:
            yield self.evidence(
                "label_out_of_range",
                0.6,
                "a classification run (it prints an accuracy) that is NaN from its first batch: "
                "a label outside [0, num_classes) does this on GPU without an error",
                *place,
            )
        if analysis.first_event("half_precision") is not None:
            yield self.evidence(
                "mixed_precision_overflow",
                0.5,
                "float16 is in use and the very first forward pass gives NaN: an activation "
                "above 65504",
                *place,
            )
        yield self.evidence(
            "unstable_loss_function",
            0.3,
            "the loss may not be computable on the model's initial output (log(0), 0/0)",
            *place,
        )
        yield self.against(
            "exploding_gradients", 0.6, "there were no steps for gradients to grow over", place[0]
        )
        yield self.against(
            "learning_rate_too_high",
            0.1,
            "a step size needs a few updates to throw the weights off; the first batches did not",
            place[0],
        )

    @staticmethod
    def run_start(loss: Curve, broke: int) -> int | None:
        """The loss broke on the first record of a run: of the log, or of a training restarted
        in the same log (a second ``fit``: the epoch counter went back)."""
        if broke == 0:
            return 0
        epochs = loss.epochs[: broke + 1]
        if np.isnan(epochs[broke]) or np.isnan(epochs[broke - 1]):
            return None
        restarted = epochs[broke] < epochs[broke - 1]
        return broke if restarted else None


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

    Stays silent on::

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


class BlowUp(Rule):
    """What it detects:
        The loss jumps by three or more orders of magnitude within one to three logged steps,
        anywhere in the run (not a steady growth over many steps).

    Why it leads to NaN:
        A jump that large in a handful of updates is a step that threw the weights far:
        a learning rate above what the model tolerates (often at the end of a warm-up, or
        scaled up with the batch size). Exploding gradients build up over many steps instead.
        A spike that the loss leaves at once is one bad step (see SH07), not this.

    Example::

        step 1050 loss 10.1
        step 1060 loss 12.6
        step 1070 loss 4.8e+23
        step 1080 loss nan

    Stays silent on::

        step 1050 loss 10.1
        step 1060 loss 12.6
        step 1070 loss 11.8
        step 1080 loss nan
    """

    code = "SH06"
    name = "shape.blow-up"
    causes = ("learning_rate_too_high", "exploding_gradients")
    summary = "the loss jumps by 1000x or more within a few logged steps"
    MIN_ORDERS = 3.0
    WINDOW = 3

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None:
            return
        logs, keep = _finite_positive(loss)
        if len(logs) < 2:
            return
        lows = np.minimum.accumulate(logs)
        for lag in range(1, min(self.WINDOW, len(logs) - 1) + 1):
            # The lowest of the ``lag`` values just before: a jump, not a long climb.
            recent = np.min(np.stack([logs[k : len(logs) - lag + k] for k in range(lag)]), axis=0)
            jumps = logs[lag:] - recent
            lines = loss.lines[keep]
            hits = [
                int(h) + lag
                for h in np.flatnonzero(jumps >= self.MIN_ORDERS)
                if not self._recovers(logs, lows, int(h) + lag, lag)
                and not analysis.apart(int(lines[h]), int(lines[h + lag]))
            ]
            if hits:
                i = hits[0]
                place = loss.place(int(keep[i]))
                orders = float(jumps[i - lag])
                yield self.evidence(
                    "learning_rate_too_high",
                    0.65,
                    f"the loss jumped to {fmt(float(loss.values[keep[i]]))}, 10^{orders:.0f} times "
                    f"its level, within {lag} logged step(s){where(*place)}: one update threw "
                    "the weights far",
                    *place,
                )
                yield self.evidence(
                    "exploding_gradients",
                    0.35,
                    "a jump of orders of magnitude can also be one exploding gradient",
                    *place,
                )
                return

    @staticmethod
    def _recovers(logs: np.ndarray, lows: np.ndarray, i: int, lag: int) -> bool:
        """A spike that the next values leave at once (back within 10x of before) is one bad
        step, skipped or survived, not weights thrown off by the step size."""
        after = logs[i + 1 : i + 4]
        return bool(len(after) and (after <= lows[i - lag] + 1.0).any())


class RecoveringNaN(Rule):
    """What it detects:
        The loss is NaN/inf at some steps and finite again at the next ones, several times.

    Why it leads to NaN:
        Training survives each NaN: the step was skipped (a float16 loss scaler skipping an
        overflowing step) or one batch was bad and the next was fine. A run whose weights
        turned NaN never prints a finite loss again.

    Example::

        step 1 loss 5.6
        step 2 loss nan
        step 3 loss 5.7
        step 4 loss nan
        step 5 loss 5.1
        step 6 loss nan
        step 7 loss 5.9

    Stays silent on::

        step 1 loss 5.6
        step 2 loss nan
        step 3 loss nan
        step 4 loss nan
    """

    code = "SH07"
    name = "shape.recovering-nan"
    causes = ("mixed_precision_overflow", "bad_input_data")
    summary = "NaN/inf losses alternate with finite ones: skipped steps or single bad batches"
    MIN_RECOVERIES = 2

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None:
            return
        bad = ~np.isfinite(loss.values)
        recoveries = int(np.sum(bad[:-1] & ~bad[1:]))
        if recoveries < self.MIN_RECOVERIES or not np.isnan(loss.values).any():
            return  # inf-only recoveries are MP04's
        place = loss.place(int(np.argmax(bad)))
        yield self.evidence(
            "mixed_precision_overflow",
            0.5,
            f"the loss turned non-finite and came back finite {recoveries} times{where(*place)}: "
            "steps skipped by a loss scaler when float16 overflows",
            *place,
        )
        yield self.evidence(
            "bad_input_data",
            0.4,
            "single bad batches also give a NaN that the next batch does not repeat",
            *place,
        )


class HugeFirstLoss(Rule):
    """What it detects:
        The first loss of a run shown from its start is already enormous (1e5 or more),
        before any growth could happen, and the run then breaks.

    Why it leads to NaN:
        A loss that large on the initial weights comes from the data, not from training:
        inputs or regression targets that were never normalised (raw pixel or price values),
        or labels in another range than the loss expects (0..255 masks where 0/1 is
        expected). The first updates are then huge too, and the weights overflow.

    Example::

        Iter 10: Training Loss = 232345665536.0000
        Iter 20: Training Loss = nan
        Iter 30: Training Loss = nan

    Stays silent on::

        Iter 10: Training Loss = 2.3026
        Iter 20: Training Loss = nan
        Iter 30: Training Loss = nan
    """

    code = "SH08"
    name = "shape.huge-from-start"
    causes = ("bad_input_data", "label_out_of_range", "exploding_gradients")
    summary = "the first loss of the run is already enormous (unscaled data or labels)"
    HUGE = 1e5

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None or not analysis.is_problem or not len(loss):
            return
        first = float(loss.values[0])
        if not math.isfinite(first) or abs(first) < self.HUGE:
            return
        if not shown_from_start(analysis, loss, 0):
            return
        place = loss.place(0)
        yield self.evidence(
            "bad_input_data",
            0.5,
            f"the loss is already {fmt(first)} at the first record{where(*place)}, before "
            "training could grow it: inputs or targets that were never normalised",
            *place,
        )
        yield self.evidence(
            "label_out_of_range",
            0.35,
            "labels in another range than the loss expects (0..255 masks for 0/1) give such a "
            "first loss too",
            *place,
        )
        yield self.against(
            "exploding_gradients", 0.5, "nothing had time to grow before the first record", place[0]
        )


class CollapseToZero(Rule):
    """What it detects:
        In a broken run, the loss drops from a clearly non-zero value to exactly 0 in one
        logged step (with no perfect accuracy beside it): it stays there, or another metric
        (the grad norm) turns NaN around it.

    Why it leads to NaN:
        Training does not reach a loss of exactly 0 in one step. A float16 overflow gives
        NaN, and the trainer's logging (or a loss scaler skipping every step) prints 0:
        fine-tuning in fp16 on GPUs without bfloat16 (V100, T4) is the usual story in public
        threads. A batch whose targets are all masked gives 0 too.

    Example::

        {'loss': 3.8462, 'learning_rate': 3.4e-07, 'epoch': 0.0}
        {'loss': 0.0, 'learning_rate': 6.9e-07, 'epoch': 0.01}
        {'loss': 0.0, 'learning_rate': 1.0e-06, 'epoch': 0.01}
        {'loss': 0.0, 'learning_rate': 1.4e-06, 'epoch': 0.01}

    Stays silent on::

        {'loss': 3.8462, 'learning_rate': 3.4e-07, 'epoch': 0.0}
        {'loss': 2.9, 'learning_rate': 6.9e-07, 'epoch': 0.01}
        {'loss': 2.1, 'learning_rate': 1.0e-06, 'epoch': 0.01}
        {'loss': 1.7, 'learning_rate': 1.4e-06, 'epoch': 0.01}
    """

    code = "SH09"
    name = "shape.collapse-to-zero"
    causes = ("mixed_precision_overflow", "bad_input_data")
    summary = "the loss falls to exactly 0 at once and stays there (a hidden NaN)"
    AFTER_GROWTH = 1e4

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None or not analysis.is_problem:
            return
        i = drop_to_zero(analysis.curves)
        if i is None:
            return
        if i + 1 < len(loss.values) and loss.values[i + 1] != 0.0:
            return  # one batch's loss replaced by 0 (a trainer skipping a NaN), then training on
        line, step = loss.place(i)
        before: float | None = float(loss.values[i - 1])
        if before is not None and abs(before) >= self.AFTER_GROWTH:
            return  # a blown-up loss printed as 0 afterwards: the growth rules tell that story
        at = where(line, step)
        yield self.evidence(
            "mixed_precision_overflow",
            0.5,
            "the loss fell to exactly 0"
            + (f" from {fmt(before)}" if before is not None else "")
            + f"{at}: float16 overflow printed as 0 is the usual story (fp16 on GPUs "
            "without bfloat16)",
            line,
            step,
        )
        yield self.evidence(
            "bad_input_data",
            0.25,
            "batches whose targets are all masked (or empty) also give a loss of 0",
            line,
            step,
        )


class InfiniteWithoutGrowth(Rule):
    """What it detects:
        The loss turns +inf (not NaN) with no growth before it: from its first record, or
        straight from ordinary values, in a run that shows no sign of float16.

    Why it leads to NaN:
        An overflow of a growing loss passes through huge values first. An infinite loss
        out of nowhere is a value the loss could not compute: log(0) of a probability that
        reached 0 (a softmax or sigmoid saturated, a GAN discriminator that became certain),
        a division by a zero count or norm. NaN follows on the next update, as inf - inf.

    Example::

        0: inf  nan
        10: nan nan
        20: nan nan

    Stays silent on::

        0: 1.5e3  2.1
        10: 8.2e6  nan
        20: inf nan
    """

    code = "SH10"
    name = "shape.inf-without-growth"
    causes = ("unstable_loss_function", "bad_input_data")
    summary = "the loss turns +inf (not NaN) without growing first (log(0), division by zero)"
    GROWTH = 100.0  # the largest value before the inf, in times the first one

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss, brk = analysis.loss, analysis.brk
        if loss is None or brk is None or loss.metric != brk.metric:
            return
        if not (math.isinf(brk.value) and brk.value > 0):
            return
        if analysis.first_event("half_precision") is not None:
            return  # float16 overflows to inf: MP03 tells that story
        before = loss.values[: analysis.loss_break or 0]
        before = before[np.isfinite(before)]
        if len(before) and (
            before.max() >= self.GROWTH * max(abs(before[0]), 1e-12) or before.max() >= 1e4
        ):
            return  # it grew: the growth rules tell that story
        yield self.evidence(
            "unstable_loss_function",
            0.5,
            f"{brk.name} turned inf, not NaN, with no growth before it{where(brk.line, brk.step)}: "
            "a loss that cannot be computed (log(0), a division by zero) gives inf",
            brk.line,
            brk.step,
        )
        if not len(before):
            return  # from the first record: SH04 weighs the inputs already
        yield self.evidence(
            "bad_input_data",
            0.3,
            "one sample the loss cannot handle (an empty or too long target, a zero-size box "
            "or image) gives that inf too",
            brk.line,
            brk.step,
        )


class ValidationSurvivedNaN(Rule):
    """What it detects:
        The training loss turned NaN/inf, and the validation loss computed after it (the
        next one or three) is finite.

    Why it leads to NaN:
        Validation runs the weights as the NaN left them. Had a NaN gradient been applied,
        or had the step size thrown the weights off, the validation loss would be NaN or
        huge too. A finite one means the NaN never reached the weights: a float16 loss
        scaler skipped that step (nnU-Net, Lightning and Keras mixed precision do), or a
        bad batch's loss was NaN and its update skipped. A diverging run cannot do this.
        A progress bar that shows the last validation loss again is no new validation.

    Example::

        epoch 630 train_loss -0.7657 val_loss -0.7889
        epoch 631 train_loss nan val_loss -0.7908

    Stays silent on::

        epoch 630 train_loss -0.7657 val_loss -0.7889
        epoch 631 train_loss nan val_loss nan
    """

    code = "SH11"
    name = "shape.validation-survived-nan"
    causes = (
        "mixed_precision_overflow",
        "bad_input_data",
        "learning_rate_too_high",
        "exploding_gradients",
    )
    summary = "the validation loss after the training NaN is finite: the weights survived it"
    CHECKED = 3  # validation values after the break that must all be finite

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss, val = analysis.loss, analysis.curve("val_loss")
        if loss is None or val is None or analysis.loss_break is None:
            return
        position = int(loss.index[analysis.loss_break])
        after = val.after(position).values[: self.CHECKED]
        if not len(after) or not np.isfinite(after).all():
            return
        earlier = val.before(position).values
        if len(earlier) and after[0] == earlier[-1]:
            return  # the last validation shown again (Lightning's bar), not a new one
        line, step = loss.place(analysis.loss_break)
        yield self.evidence(
            "mixed_precision_overflow",
            0.5,
            f"the training loss turned {fmt(float(loss.values[analysis.loss_break]))}"
            f"{where(line, step)} yet the validation loss after it is {fmt(float(after[0]))}: "
            "the weights survived, so the step was skipped, as a float16 loss scaler does",
            line,
            step,
        )
        yield self.evidence(
            "bad_input_data",
            0.35,
            "a bad batch whose NaN loss was not applied to the weights leaves them finite too",
            line,
            step,
        )
        for cause in ("learning_rate_too_high", "exploding_gradients"):
            yield self.against(
                cause, 0.5, "a diverging run leaves no finite validation loss behind it", line
            )


class TrainingWentOn(Rule):
    """What it detects:
        After the first NaN loss (a printed NaN, or the trainer's own message that it got
        one), training goes on: every later loss is finite and at the level it had before,
        for several records. The run broke once and was not broken by it.

    Why it leads to NaN:
        The NaN came from one batch's forward pass through weights that still work, and the
        trainer did not apply it (it skipped the batch or set its loss to 0). So the batch
        is the cause: a sample with NaN or extreme values, an empty or fully masked target,
        a CTC input shorter than its transcript, or a loss undefined on it (log(0)). A rate
        too high or exploding gradients would have broken the weights, and every batch
        after them. Under float16 the same shape is a loss scaler skipping an overflowing
        step, which the precision rules tell.

    Example::

        Epoch: [1][4690/6051]   Loss 45.0176 (73.3756)
        Epoch: [1][4691/6051]   Loss 40.6438 (73.3686)
        WARNING: received a nan loss, setting loss value to 0
        Epoch: [1][4692/6051]   Loss 0.0000 (73.3530)
        Epoch: [1][4693/6051]   Loss 40.4348 (73.3460)
        Epoch: [1][4694/6051]   Loss 53.1464 (73.3417)
        Epoch: [1][4695/6051]   Loss 46.1473 (73.3359)

    Stays silent on::

        step 1 loss 2.5
        step 2 loss 2.3
        step 3 loss nan
        step 4 loss nan
        step 5 loss nan
    """

    code = "SH12"
    name = "shape.training-went-on"
    causes = (
        "bad_input_data",
        "unstable_loss_function",
        "learning_rate_too_high",
        "exploding_gradients",
    )
    summary = "after one NaN the loss goes on finite at its level: one bad batch, not the weights"
    AFTER = 3  # finite records after the NaN
    LEVEL = 10.0  # times the largest loss before it, at most

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None or analysis.first_event("half_precision") is not None:
            return
        found = self._break(analysis, loss)
        if found is None:
            return
        line, first_after = found
        before = loss.values[:first_after]
        before = before[np.isfinite(before) & (before != 0.0)]
        after = loss.values[first_after:]
        after = after[after != 0.0]  # the NaN batch's loss set to 0
        if len(before) < 2 or len(after) < self.AFTER or not np.isfinite(after).all():
            return
        if np.abs(after).max() > self.LEVEL * np.abs(before).max():
            return
        yield self.evidence(
            "bad_input_data",
            0.55,
            f"training went on after the NaN at line {line}: {len(after)} later losses are finite "
            f"and at their earlier level, so one batch gave the NaN through weights that still work",
            line,
        )
        yield self.evidence(
            "unstable_loss_function",
            0.35,
            "a loss undefined on some batches (log(0) on an empty target, CTC on an input "
            "shorter than its transcript) breaks once like this",
            line,
        )
        for cause in ("learning_rate_too_high", "exploding_gradients"):
            yield self.against(
                cause, 0.5, "a diverging run does not print ordinary losses after its NaN", line
            )

    @staticmethod
    def _break(analysis: Analysis, loss: Curve) -> tuple[int, int] | None:
        """The line of the first NaN loss (a record or a message) and the index of the first
        loss record after it; None when the NaN loss came back more than once."""
        bad = np.flatnonzero(~loss.finite)
        if len(bad) > 1:
            return None  # recurring NaN: the recovering-NaN rule's
        if len(bad) == 1:
            return loss.place(int(bad[0]))[0], int(bad[0]) + 1
        messages = [
            e for e in analysis.failure_events if e.kind in ("nonfinite_check", "invalid_loss")
        ]
        if not messages:
            return None
        line = messages[0].line
        return line, int(np.searchsorted(loss.lines, line))
