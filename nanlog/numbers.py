"""The single place that turns printed numbers into floats.

Frameworks spell non-finite values in many ways (``nan``, ``-nan``, ``NaN``,
``nan.0``, ``inf.``, ``Infinity``, ``np.float64(nan)``, ``tensor(nan)``,
``'nan'``, PaddleOCR's ``nanxxx``, Python's zero padding (``f"{x:07.3f}"``: ``0000nan``,
``-0000inf``), YAML's ``.nan`` and ``-.inf``, and the Windows C
runtime's ``1.#QNAN``, ``-1.#IND``, ``1.#INF``). Every parser builds its patterns from :data:`VALUE` and converts
with :func:`to_float`, so a spelling is added here once. Only whole value
tokens count: ``INFO``, ``Infinity-war`` or ``nanny`` are never numbers.
"""

from __future__ import annotations

import math
import re

# A bare number or non-finite word. ``inf.`` and ``nan.0`` come from Lightning's
# tqdm formatter, ``1.23e+4`` from tqdm, ``Infinity`` from JSON, ``nanxxx`` from PaddleOCR
# (``{:x<6f}`` fills a value shorter than six characters with x), ``0000nan`` from Python's
# zero-padded formats (``f"{x:07.3f}"``).
_BARE = (
    r"[-+]?(?:"
    r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
    r"|0{0,16}(?:nan|NaN|NAN|Nan)(?:\.0|x{1,3})?"
    r"|0{0,16}(?:inf|Inf|INF)(?:inity|INITY)?(?:\.0?|x{1,3})?"
    r"|1\.#(?:QNAN|SNAN|IND|INF)\d*"  # the Windows C runtime: 1.#QNAN, -1.#IND, 1.#INF00
    r"|\.(?:nan|NaN|NAN|inf|Inf|INF)"  # YAML (a result dict printed by yaml.dump): .nan, -.inf
    r")"
)

# What may follow a value token: end, space, a delimiter (full-width ones of
# Chinese text too), a quote or a percent sign. A letter or digit means the
# token is part of a word (``nanny``, ``Infinity-war``, ``1.0Kit/s``); a slash
# means a ratio (``9900/10000``), not a metric value. A colon or a full stop ends a value only
# when a space or the line's end follows (torchtune's ``Loss: 1.23:``, ParallelWaveGAN's
# ``train/generator_loss = nan.``), never in a time (``12:30``).
# ``(`` too: MXNet-style loggers glue the running mean to the value (``loss: 2.31(2.40)``).
# (a value's spread after it ends it too: llama.cpp's ``loss=3.02974±0.00998``)
END = r"(?=$|[\s,;|()\]}'\"%，；）】、±]|[:.](?:\s|$))"

# A value token as printed, optionally wrapped (numpy >= 2 scalars, torch
# tensors, whose extra arguments are bounded and stay on the line) or quoted
# (HF Trainer >= 5, fairseq JSON). Every repetition is bounded: an unbounded
# one here makes scanning a long line quadratic.
VALUE = (
    r"(?:(?:np\.float(?:16|32|64)|tensor)\(['\"]?" + _BARE + r"['\"]?(?:,[^)\r\n]{0,160})?\)"
    r"|['\"]?" + _BARE + r"['\"]?)"
)

_VALUE_FULL = re.compile(
    r"\s*(?:(?:np\.float(?:16|32|64)|tensor)\()?['\"]?(" + _BARE + r")['\"]?(?:,[^)]{0,160})?\)?\s*"
)


def to_float(token: str) -> float | None:
    """Convert one printed value token to a float, or None when it is no number."""
    try:  # the common case: float() reads 1.5, 3e-05, nan, inf, -inf, Infinity
        return float(token.strip("'\""))
    except ValueError:
        pass
    match = _VALUE_FULL.fullmatch(token)  # the whole token: "Infinity-war" is no number
    if match is None:
        return None
    core = match.group(1)
    lowered = core.lower()
    sign = -1.0 if lowered.startswith("-") else 1.0
    body = lowered.lstrip("+-").removeprefix(".").lstrip("0")
    if body.startswith("nan") or body.startswith(("1.#qnan", "1.#snan", "1.#ind")):
        return math.nan
    if body.startswith("1.#inf"):
        return sign * math.inf
    if body.startswith("inf"):
        return sign * math.inf
    try:
        return float(core)
    except ValueError:
        return None


def spell(value: float) -> str:
    """The contract's spelling of a non-finite value: ``nan``, ``inf`` or ``-inf``."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)
