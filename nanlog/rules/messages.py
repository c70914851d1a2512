"""Rules that read what the framework said: error messages and warnings."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nanlog.analysis import Analysis
from nanlog.rules.base import Evidence, Rule

_UNSTABLE_OPS = {
    "Log": "log(0)",
    "Log1p": "log(0)",
    "Xlogy": "log(0)",
    "Sqrt": "sqrt at 0",
    "Rsqrt": "sqrt at 0",
    "Div": "division by zero",
    "Reciprocal": "division by zero",
    "Pow": "a power of 0 or a negative",
    "Exp": "exp overflow",
    "Acos": "acos outside [-1, 1]",
    "Asin": "asin outside [-1, 1]",
    "Atan2": "atan2(0, 0)",
    "Norm": "the gradient of a norm at 0",
    "LinalgVectorNorm": "the gradient of a norm at 0",
}
_FUNCTION = re.compile(r"Function '(\w+?)(?:Backward\d*)?'")


class LabelErrorMessage(Rule):
    """What it detects:
        The framework reports a target label outside the valid class range.

    Why it leads to NaN:
        A label >= num_classes (or negative) indexes outside the output. TensorFlow and
        PyTorch raise an error on CPU; on GPU the same bug may give NaN or a device-side assert.

    Example::

        step 1 loss 1.61
        IndexError: Target 8000 is out of bounds.

    Stays silent on::

        step 1 loss 1.61
        step 2 loss 1.42
    """

    code = "FW01"
    name = "framework.label-error"
    causes = ("label_out_of_range",)
    summary = "the framework reports a label outside [0, num_classes)"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        event = analysis.first_event("label_out_of_range")
        if event is None:
            return
        yield self.evidence(
            "label_out_of_range",
            0.95,
            f"the framework says: {event.text[:160]} (line {event.line})",
            event.line,
        )


class AnomalyOperation(Rule):
    """What it detects:
        Anomaly detection names the backward function that produced NaN
        ("Function 'LogBackward0' returned nan values in its 0th output").

    Why it leads to NaN:
        The named operation is where the NaN was born: Log means log(0), Sqrt the gradient of
        sqrt at 0, Div a division by zero. That points at the loss (or a layer), not at the data.

    Example::

        step 1 loss 0.4
        RuntimeError: Function 'LogBackward0' returned nan values in its 0th output.

    Stays silent on::

        step 1 loss 0.4
        RuntimeError: CUDA out of memory.
    """

    code = "FW02"
    name = "framework.anomaly-operation"
    causes = ("unstable_loss_function", "bad_input_data")
    summary = "anomaly detection names the operation that returned NaN"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        event = analysis.first_event("anomaly")
        if event is None:
            return
        match = _FUNCTION.search(event.text)
        op = match.group(1) if match else "?"
        meaning = _UNSTABLE_OPS.get(op)
        if meaning:
            yield self.evidence(
                "unstable_loss_function",
                0.9,
                f"anomaly detection: {op}Backward returned NaN, i.e. {meaning} (line {event.line})",
                event.line,
            )
        else:
            yield self.evidence(
                "bad_input_data",
                0.4,
                f"anomaly detection: {op}Backward returned NaN; NaN reached it from its inputs "
                f"(line {event.line})",
                event.line,
            )


class NanWeightsMessage(Rule):
    """What it detects:
        TensorFlow reports "Nan in summary histogram": a weight tensor already holds NaN.

    Why it leads to NaN:
        Weights become NaN after an update with a NaN or inf gradient, most often from
        exploding gradients or a learning rate far too high.

    Example::

        step 1 loss 0.9
        InvalidArgumentError: Nan in summary histogram for: dense/kernel_0

    Stays silent on::

        step 1 loss 0.9
        step 2 loss 0.8
    """

    code = "FW03"
    name = "framework.nan-weights"
    causes = ("exploding_gradients", "learning_rate_too_high")
    summary = "TensorFlow reports NaN in a weight histogram"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        event = analysis.first_event("nan_histogram")
        if event is None:
            return
        for cause in self.causes:
            yield self.evidence(
                cause,
                0.3,
                f"NaN reached the weights: {event.text[:100]} (line {event.line})",
                event.line,
            )


# What numpy was computing when it warned, for the ops that make a NaN or inf themselves.
_NUMPY_OPS = {
    "log": "log(0)",
    "log2": "log(0)",
    "log10": "log(0)",
    "log1p": "log(0)",
    "divide": "a division by zero",
    "true_divide": "a division by zero",
    "double_scalars": "a division by zero",  # numpy < 1.25's name for a scalar op
    "scalar divide": "a division by zero",
    "reciprocal": "a division by zero",
    "exp": "exp overflow",
    "power": "a power overflow",
    "scalar power": "a power overflow",
}
# ``invalid value`` (a NaN made by the op itself: numpy does not warn on a NaN operand) for
# the ops where it means a value outside the op's domain. Not for scalar divisions (the mean
# of an empty list in bookkeeping), sqrt or power (a schedule's sqrt of a negative step).
_NUMPY_INVALID_OPS = {
    "log": "the log of a negative number",
    "log2": "the log of a negative number",
    "log10": "the log of a negative number",
    "divide": "0/0",
    "true_divide": "0/0",
}
_NUMPY_WARNING = re.compile(
    r"(divide by zero|overflow|invalid value) encountered in ((?:scalar )?\w+)"
)


class NumpyWarning(Rule):
    """What it detects:
        numpy warns that it computed log(0), a division by zero or an overflowing exp
        (``RuntimeWarning: divide by zero encountered in log``), or made a NaN itself: the log
        of a negative number, 0/0 (``invalid value encountered in log`` / ``in true_divide``).

    Why it leads to NaN:
        The program computes part of its loss or its targets in numpy (a box-regression
        target ``np.log(gt_h / anchor_h)``, a normalisation ``x / x.std()``), and that part
        already produced -inf or NaN: the loss that uses it follows. The zero usually comes
        from the data (a box of zero height, a constant feature), and an epsilon in the
        formula is the fix. numpy does not warn on a NaN it was given, so ``invalid value``
        is a NaN born in that op; it is read for log (a quantity that must be positive was not:
        a box's negative width, a negative target, so the data first) and for an array
        division (0/0, as a division by zero). Not for sqrt and power (a schedule's sqrt of a
        negative step) nor a scalar division (the mean of an empty list in bookkeeping).

    Example::

        bbox_transform.py:99: RuntimeWarning: divide by zero encountered in log
        step 310 total_losses: 0.379
        step 320 total_losses: nan

    Stays silent on::

        model.py:40: RuntimeWarning: invalid value encountered in sqrt
        step 310 total_losses: 0.379
        step 320 total_losses: nan
    """

    code = "FW04"
    name = "framework.numpy-warning"
    causes = ("unstable_loss_function", "bad_input_data")
    summary = "numpy warns of log(0), a division by zero, an overflow or a NaN it made"

    def check(self, analysis: Analysis) -> Iterator[Evidence]:
        if not analysis.is_problem:
            return
        for event in analysis.events("numpy_warning"):
            match = _NUMPY_WARNING.search(event.text)
            if match is None:
                continue
            invalid = match.group(1) == "invalid value"
            meaning = (_NUMPY_INVALID_OPS if invalid else _NUMPY_OPS).get(match.group(2))
            if meaning is None:
                continue
            said = f"numpy warned: {match.group(0)} (line {event.line})"
            if invalid and meaning.startswith("the log"):
                yield self.evidence(
                    "bad_input_data",
                    0.6,  # numpy's logs are mostly target encodings: log(gt_w / anchor_w)
                    f"{said}: {meaning}, usually a target or box that should be positive",
                    event.line,
                )
                yield self.evidence(
                    "unstable_loss_function",
                    0.4,
                    "a log with no guard on its argument (clamp it, or use a stable form)",
                    event.line,
                )
                return
            yield self.evidence(
                "unstable_loss_function",
                0.8,  # an observation of the op, as anomaly detection's (FW02) is
                f"{said}: {meaning} in what the program computes, before the loss broke",
                event.line,
            )
            yield self.evidence(
                "bad_input_data",
                0.3,
                "the zero or the huge value usually comes from a sample (a box of zero size, a "
                "constant feature)",
                event.line,
            )
            return
