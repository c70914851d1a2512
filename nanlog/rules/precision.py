"""Rules about mixed precision: fp16 overflow and the loss scaler."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import numpy as np

from nanlog.analysis import Analysis
from nanlog.rules.base import Evidence, Rule, fmt, where

BENIGN_OVERFLOWS = 3


class LossScaleCollapse(Rule):
    """What it detects:
        The printed loss scale of a mixed-precision run keeps shrinking to 1 or below.

    Why it leads to NaN:
        A dynamic loss scaler halves the scale at each step with an inf/NaN gradient. A scale
        that collapses means nearly every step overflows float16: values exceed 65504.

    Example::

        step 1 loss 9.5 scale 65536.0
        step 2 loss 9.1 scale 256.0
        step 3 loss 8.7 scale 1.0
        step 4 loss inf scale 0.0078125

    Stays silent on::

        step 1 loss 9.5 scale 65536.0
        step 2 loss 9.1 scale 32768.0
        step 3 loss 8.7 scale 32768.0
        step 4 loss 8.5 scale 65536.0
    """

    code = "MP01"
    name = "precision.loss-scale-collapse"
    causes = ("mixed_precision_overflow",)
    summary = "the loss scale collapses (to 1 or below, or its minimum)"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        minimum = analysis.first_event("loss_scale_min")
        if minimum is not None:
            yield self.evidence(
                "mixed_precision_overflow",
                0.9,
                f"the loss scaler says so (line {minimum.line}): {minimum.text[:80]}",
                minimum.line,
            )
            return
        collapse = analysis.scale_collapse
        if collapse is not None:
            yield self.evidence(
                "mixed_precision_overflow",
                0.9,
                f"the fp16 loss scale collapsed to {fmt(collapse[0])} (line {collapse[1]}): "
                "nearly every step overflowed float16",
                collapse[1],
            )
            return
        scale = analysis.curve("loss_scale")
        if scale is None:
            return
        values = scale.values[np.isfinite(scale.values)]
        if len(values) < 2 or values.min() > 1.0 or values.max() < 8 * values.min():
            return
        i = int(np.flatnonzero(scale.values == values.min())[0])
        yield self.evidence(
            "mixed_precision_overflow",
            0.85,
            f"the loss scale fell from {fmt(float(values.max()))} to {fmt(float(values.min()))}"
            f"{where(*scale.place(i))}",
            *scale.place(i),
        )


class OverflowMessages(Rule):
    """What it detects:
        The loss scaler reports overflow ("Gradient overflow. Skipping step", "reducing loss
        scale") more than a few times, or right before the break.

    Why it leads to NaN:
        A few overflows at the start are the scaler finding its level and are harmless; many,
        or overflows that do not stop, mean float16 cannot hold the values.

    Example::

        Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0
        step 1 loss 9.5
        Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 16384.0
        Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 8192.0
        Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 4096.0
        step 2 loss nan

    Stays silent on::

        Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0
        step 1 loss 9.5
        step 2 loss 9.1
        step 3 loss 8.8
        step 4 loss 8.6
        step 5 loss 8.5
        step 6 loss 8.3
    """

    code = "MP02"
    name = "precision.overflow-messages"
    causes = ("mixed_precision_overflow",)
    summary = "repeated loss-scaler overflow messages (a few early ones that recover are benign)"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        events = analysis.events("overflow")
        if not events:
            return
        loss = analysis.loss
        recovered = False
        if loss is not None and len(events) <= BENIGN_OVERFLOWS:
            later = loss.values[loss.lines > events[-1].line]
            recovered = len(later) >= 5 and bool(np.isfinite(later).all())
        if recovered:
            return
        yield self.evidence(
            "mixed_precision_overflow",
            0.75 if len(events) > BENIGN_OVERFLOWS else 0.55,
            f"{len(events)} loss-scaler overflow message(s), the first at line {events[0].line}: "
            f"{events[0].text[:80]}",
            events[0].line,
        )


class InfUnderHalfPrecision(Rule):
    """What it detects:
        The first non-finite value is an overflow to +/-inf (not NaN) in a run that mentions
        float16 / mixed precision.

    Why it leads to NaN:
        float16 tops out at 65504. An activation or loss above it becomes inf first; inf - inf
        or 0 * inf then gives NaN.

    Example::

        Using mixed_float16 policy
        step 1 loss 60000.0
        step 2 loss 61000.0
        step 3 loss inf

    Stays silent on::

        step 1 loss 60000.0
        step 2 loss 61000.0
        step 3 loss inf
    """

    code = "MP03"
    name = "precision.inf-under-fp16"
    causes = ("mixed_precision_overflow",)
    summary = "overflow to inf (not NaN) in a run that uses float16"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        brk = analysis.brk
        hint = analysis.first_event("half_precision")
        if brk is None or hint is None or not math.isinf(brk.value):
            return
        yield self.evidence(
            "mixed_precision_overflow",
            0.75,
            f"{brk.metric} overflowed to {fmt(brk.value)}{where(brk.line, brk.step)} in a float16 run "
            f"(line {hint.line}: {hint.text[:60]})",
            brk.line,
            brk.step,
        )


class SkippedOverflowSteps(Rule):
    """What it detects:
        The loss overflows to inf (never NaN) and training goes on with finite values between
        the overflows.

    Why it leads to NaN:
        This is a dynamic loss scaler at work: a step whose values overflow float16 is skipped
        and the scale lowered, so the weights stay finite and the next steps print finite
        losses. In float32 an overflowing run does not recover like this: its weights turn NaN.

    Example::

        step 1 loss 52000.0
        step 2 loss inf
        step 3 loss 51000.0
        step 4 loss inf
        step 5 loss 50500.0
        step 6 loss inf

    Stays silent on::

        step 1 loss 52000.0
        step 2 loss inf
        step 3 loss nan
        step 4 loss nan
    """

    code = "MP04"
    name = "precision.skipped-overflow-steps"
    causes = ("mixed_precision_overflow",)
    summary = "inf losses alternate with finite ones: a loss scaler skipping overflowing steps"
    MIN_RECOVERIES = 2

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        loss = analysis.loss
        if loss is None:
            return
        values = loss.values
        bad = ~np.isfinite(values)
        if not bad.any() or np.isnan(values).any():
            return
        recoveries = int(np.sum(bad[:-1] & ~bad[1:]))
        if recoveries < self.MIN_RECOVERIES:
            return
        first = int(np.argmax(bad))
        yield self.evidence(
            "mixed_precision_overflow",
            0.7,
            f"the loss overflowed to inf{where(*loss.place(first))} and came back "
            f"finite {recoveries} times: steps skipped by a loss scaler, i.e. float16 overflow",
            *loss.place(first),
        )


class HalfPrecisionInUse(Rule):
    """What it detects:
        A run that broke mentions float16 or mixed precision anywhere (a config line, a
        banner such as ``Using auto half precision backend``, ``precision=16``, bf16).

    Why it leads to NaN:
        float16 holds values up to 65504: activations, logits or a loss above that overflow
        to inf and then NaN, and a dynamic loss scaler can collapse. Many real NaN threads
        end with "train in fp32 / bf16". bfloat16 has float32's range, so it is weaker
        evidence (its low precision still breaks some losses).

    Example::

        Using auto half precision backend
        step 1 loss 2.3
        step 2 loss nan

    Stays silent on::

        step 1 loss 2.3
        step 2 loss nan
    """

    code = "MP05"
    name = "precision.half-precision-in-use"
    causes = ("mixed_precision_overflow",)
    summary = "the broken run uses float16 or mixed precision (from its config or banner)"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        half, bf16 = analysis.first_event("half_precision"), analysis.first_event("bfloat16")
        if half is not None:
            yield self.evidence(
                "mixed_precision_overflow",
                0.5,
                f"the run uses float16 (line {half.line}: {half.text[:60]})",
                half.line,
            )
        elif bf16 is not None:
            yield self.evidence(
                "mixed_precision_overflow",
                0.4,
                f"the run uses bfloat16 mixed precision (line {bf16.line}: {bf16.text[:60]})",
                bf16.line,
            )


class ActivationAtHalfCeiling(Rule):
    """What it detects:
        Hugging Face's underflow/overflow debugger (``DebugUnderflowOverflow``, the
        ``--debug underflow_overflow`` option) printed its frames, and one activation's
        absolute max sits at float16's ceiling (65504) before a frame turns inf.

    Why it leads to NaN:
        The debugger exists to find where float16 overflows; a value of 3e4-6.5e4 is the last
        finite float16 before inf, so the frame that follows overflowed. Without such a value,
        the report alone still says the run was being debugged for an overflow.

    Example::

        Detected inf/nan during batch_number=0
        abs min  abs max  metadata
        3.18e-04 6.27e+04 output
        0.00e+00      inf output

    Stays silent on::

        Detected inf/nan during batch_number=0
        step 1 loss nan
    """

    code = "MP06"
    name = "precision.activation-at-half-ceiling"
    causes = ("mixed_precision_overflow",)
    summary = "an activation at float16's ceiling (65504) in the overflow debugger's frames"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        ceiling = analysis.first_event("half_ceiling")
        if ceiling is not None:
            yield self.evidence(
                "mixed_precision_overflow",
                0.75,
                f"an activation reached float16's ceiling (65504) before inf (line "
                f"{ceiling.line}: {ceiling.text.strip()[:60]})",
                ceiling.line,
            )
            return
        debugger = analysis.first_event("overflow_debugger")
        if debugger is not None:
            yield self.evidence(
                "mixed_precision_overflow",
                0.45,
                f"the underflow/overflow debugger's frames (line {debugger.line}): it is run to "
                "find where float16 overflows",
                debugger.line,
            )


def significant_digits(value: float) -> int:
    """How many significant digits a value has (``2e-05``: 1, ``1.0533245556287031e-07``:
    17): a configured rate is a round number, a schedule's value part-way is not."""
    mantissa = repr(abs(value)).lower().split("e")[0].replace(".", "")
    return len(mantissa.strip("0"))


class FrozenSchedule(Rule):
    """What it detects:
        The learning rate is printed unchanged over several records of a broken run, at a
        value with many significant digits (``1.0533245556287031e-07``): a schedule's value
        part-way through, not a configured constant such as ``2e-05``.

    Why it leads to NaN:
        Trainers step the schedule only when the optimizer step ran (the Hugging Face
        Trainer and accelerate skip ``lr_scheduler.step()`` when the float16 grad scaler
        skipped the step). A rate stuck mid-warm-up means every step was skipped: the
        scaled gradients overflow each time, the float16 run has stopped learning, and the
        printed loss (0.0 or NaN) shows it. Only a rate printed in full counts: an
        epoch-wise schedule printed rounded (``LR: 2.133e-02``) repeats within each epoch.

    Example::

        {'loss': 0.0, 'learning_rate': 1.0533245556287031e-07, 'epoch': 0.01}
        {'loss': 0.0, 'learning_rate': 1.0533245556287031e-07, 'epoch': 0.01}
        {'loss': 0.0, 'learning_rate': 1.0533245556287031e-07, 'epoch': 0.01}
        {'loss': 0.0, 'learning_rate': 1.0533245556287031e-07, 'epoch': 0.01}
        {'eval_loss': nan, 'epoch': 0.01}

    Stays silent on::

        {'loss': 0.0, 'learning_rate': 2e-05, 'epoch': 0.01}
        {'loss': 0.0, 'learning_rate': 2e-05, 'epoch': 0.01}
        {'loss': 0.0, 'learning_rate': 2e-05, 'epoch': 0.01}
        {'loss': 0.0, 'learning_rate': 2e-05, 'epoch': 0.01}
        {'eval_loss': nan, 'epoch': 0.01}
    """

    code = "MP07"
    name = "precision.frozen-schedule"
    causes = ("mixed_precision_overflow",)
    summary = "the learning rate is stuck at a value part-way through its schedule"
    MIN_RECORDS = 4
    MIN_DIGITS = 6

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        lr = analysis.curve("lr")
        if lr is None or (analysis.brk is None and analysis.divergence is None):
            return
        values = lr.values[np.isfinite(lr.values)]
        if len(values) < self.MIN_RECORDS:
            return
        last = float(values[-1])
        stuck = int(np.argmax(values[::-1] != last)) if (values != last).any() else len(values)
        if stuck < self.MIN_RECORDS or last <= 0 or significant_digits(last) < self.MIN_DIGITS:
            return
        yield self.evidence(
            "mixed_precision_overflow",
            0.55,
            f"the learning rate stayed at {last!r} over the last {stuck} records, a value "
            "part-way through its schedule: the schedule moves only when an optimizer step "
            "runs, so every step was skipped, as a float16 grad scaler does on overflow",
            *lr.place(len(lr.values) - 1),
        )


class SkippedNonFiniteGradients(Rule):
    """What it detects:
        The gradient norm is NaN/inf on records where the printed loss stays finite and keeps
        moving (mmcv/mmengine, DeepSpeed, fairseq, Hugging Face all print both).

    Why it leads to NaN:
        Without a loss scaler a NaN gradient reaches the weights, and the next loss is NaN. A
        loss that goes on means the update was skipped: a float16 loss scaler skips steps whose
        scaled gradients overflowed. (Not in the Hugging Face Trainer, whose printed loss
        filters NaN out.) Many in a row, late in training, is float16 failing, not
        the scaler finding its level (a few at start-up, which are not a failure at all).

    Example::

        Epoch [12][700/3953] lr: 3.6e-06, loss: 4.3531, grad_norm: nan
        Epoch [12][750/3953] lr: 3.6e-06, loss: 4.5390, grad_norm: nan
        Epoch [12][800/3953] lr: 3.6e-06, loss: 4.3324, grad_norm: nan

    Stays silent on::

        Epoch [12][700/3953] lr: 3.6e-06, loss: 4.3531, grad_norm: nan
        Epoch [12][750/3953] lr: 3.6e-06, loss: nan, grad_norm: nan
        Epoch [12][800/3953] lr: 3.6e-06, loss: nan, grad_norm: nan
    """

    code = "MP08"
    name = "precision.skipped-non-finite-gradients"
    causes = ("mixed_precision_overflow",)
    summary = "the grad norm is NaN/inf while the loss stays finite and moving: skipped steps"
    MIN_RECORDS = 2

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        brk, loss = analysis.brk, analysis.loss
        if brk is None or brk.metric != "grad_norm" or loss is None or loss.metric != "loss":
            return
        if analysis.framework == "hf":
            return  # the Trainer's logging_nan_inf_filter keeps the printed loss finite anyway
        after = loss.after(brk.position).values
        if len(after) < self.MIN_RECORDS or not np.isfinite(after).all():
            return
        if len(np.unique(after)) < 2:
            return  # a filter's constant (0.0), not a loss that goes on
        yield self.evidence(
            "mixed_precision_overflow",
            0.7,
            f"{brk.name} is {fmt(brk.value)} while the loss goes on finite over the next "
            f"{len(after)} records{where(brk.line, brk.step)}: the updates were skipped, as a "
            "float16 loss scaler does when the scaled gradients overflow",
            brk.line,
            brk.step,
        )


class KerasWithoutHalfPrecision(Rule):
    """What it detects:
        A broken Keras or TensorFlow run whose log shows no sign of float16: no
        ``mixed_float16`` policy, no ``Mixed precision compatibility check``, no loss scale.

    Why it leads to NaN:
        It argues against float16 overflow. Keras trains in float32 unless a mixed-precision
        policy is set, and its loss scaler exists only under that policy. In public threads
        the Keras and TensorFlow logs that broke almost never did so in float16 (1 of about 60
        labelled ones), while PyTorch trainers turn AMP on by a flag the log need not show. A
        NaN that recovers in such a run is a bad batch, not a skipped step.

    Example::

        Epoch 1/5
        24/24 [==============================] - 0s 18ms/step - loss: nan - val_loss: 63.42

    Stays silent on::

        Mixed precision compatibility check (mixed_float16): OK
        Epoch 1/5
        24/24 [==============================] - 0s 18ms/step - loss: nan - val_loss: 63.42
    """

    code = "MP09"
    name = "precision.keras-without-half-precision"
    causes = ("mixed_precision_overflow",)
    summary = "a Keras/TensorFlow run with no sign of float16 (Keras trains in float32 by default)"
    # Keras's own marks (a name, its progress bar, a verbose=2 line's ``- 65s - loss``), not
    # only a ``N/M - loss:`` line; a torch mention makes the log a PyTorch one that printed
    # TensorFlow's start-up lines.
    _KERAS = re.compile(r"(?i:keras|tensorflow)|\btf\.|\[={3,}|- \d+m?s - ")
    _TORCH = re.compile(r"torch")

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        if analysis.framework != "keras" or not analysis.is_problem:
            return
        if analysis.first_event("half_precision") or analysis.first_event("bfloat16"):
            return
        if analysis.scale_collapse is not None or analysis.events("overflow"):
            return
        hints = analysis.run.hint_text()
        if not self._KERAS.search(hints) or self._TORCH.search(hints):
            return
        yield self.against(
            "mixed_precision_overflow",
            0.7,
            "a Keras/TensorFlow run that shows no mixed_float16 policy trains in float32, with "
            "no loss scaler",
        )
