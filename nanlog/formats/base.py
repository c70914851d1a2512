"""What a log format is, and the helpers every format shares.

A format has an ``id`` (the JSON ``"format"`` and the ``--input-format``
value), a ``title``, real ``samples`` that must parse, a total ``sniff`` that
scores a head of text in [0, 1] and never raises, and a ``parser()`` that is
fed whole chunks and appends to a :class:`~nanlog.model.SeriesBuilder`.
Parsers run regexes over whole chunks (C speed) and do Python work only per
match, never per line of input.

Two kinds of format:

* *line formats* (Keras bars, Lightning bars, HF dict lines, ...) claim the
  pieces of text they read: ``feed`` returns the claimed spans, and what no
  line format claims goes to the generic reader. A file mixing framework
  output, tqdm bars and print lines is normal. ``hints`` are literal strings
  one of which a chunk must contain for the format to be tried at all;
* *file formats* (metrics.csv, trainer_state.json, CSV exports) own a whole
  file; they are chosen from its head.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import ClassVar

from nanlog.io import Chunk
from nanlog.model import Event, SeriesBuilder
from nanlog.names import canonical_name
from nanlog.numbers import END, VALUE, to_float


class LineCounter:
    """Turns increasing offsets in a chunk into 1-based line numbers cheaply."""

    __slots__ = ("_line", "_pos", "_text")

    def __init__(self, chunk: Chunk) -> None:
        self._text = chunk.text
        self._pos = 0
        self._line = chunk.first_line

    def at(self, pos: int) -> int:
        if pos < self._pos:  # rare: a second pass over the chunk
            self._pos, self._line = 0, self._line - self._text.count("\n", 0, self._pos)
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line


# Character spans ``(start, end)`` of a chunk's text that a line format read.
Spans = list[tuple[int, int]]


class EpochSteps:
    """The global step of a bar that counts batches within an epoch: the batches of the
    earlier epochs plus the batch in this one.

    An epoch whose bar the reader did not see (a long log read in samples, an excerpt that
    skips epochs) counts as a full epoch of the last total the bar showed (``n/N``).
    """

    def __init__(self) -> None:
        self.epoch: int | None = None
        self.offset = 0
        self.last_n = 0
        self.total = 0

    def start(self, epoch: int) -> bool:
        """Enter ``epoch``; False when it is the current one."""
        if epoch == self.epoch:
            return False
        if self.epoch is not None:
            gap = max(0, epoch - self.epoch - 1)
            self.offset += (self.last_n or self.total) + gap * self.total
        self.epoch, self.last_n = epoch, 0
        return True

    def seen(self, n: int, total: str) -> None:
        self.last_n = max(self.last_n, n)
        if total.isdigit():
            self.total = int(total)

    def step(self, n: int) -> int:
        return self.offset + n


class Parser(ABC):
    """Stateful reader of one log; ``feed`` is called with every chunk in order."""

    def __init__(self, out: SeriesBuilder) -> None:
        self.out = out
        self.variant: str | None = None

    @abstractmethod
    def feed(self, chunk: Chunk) -> Spans | None:
        """Read a chunk; a line format returns the spans it claimed."""

    def finish(self) -> None:  # noqa: B027 - most formats need no final step
        """Called once after the last chunk."""

    @property
    def format_id(self) -> str | None:
        """The format the records were read as (None: the parser's own format)."""
        return None

    @property
    def tried(self) -> list[str]:
        """The formats that really looked at the text, for error messages."""
        return []


class LogFormat(ABC):
    """One kind of log. Subclasses are registered in :mod:`nanlog.formats`."""

    id: ClassVar[str]
    title: ClassVar[str]
    # Literal strings one of which a chunk must contain for a line format to be tried.
    hints: ClassVar[tuple[str, ...]] = ()
    # Real lines the format must read, each with (canonical metric, value) it must find.
    samples: ClassVar[tuple[tuple[str, dict[str, float]], ...]]

    @abstractmethod
    def sniff(self, head: str) -> float:
        """How sure the format is that ``head`` is its kind, in [0, 1]. Never raises."""

    def owns_file(self, head: str) -> bool:
        """Whether ``head`` begins a file this format reads whole (metrics.csv, a JSON state)."""
        return False

    @abstractmethod
    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        """A fresh parser; ``head`` lets a format pick a variant (e.g. CSV vs console)."""


# key: value pairs as frameworks print them. Keys may contain / . @ and (B).
KEY = r"[A-Za-z_][\w/.@()\-]{0,63}"
COLON_PAIR = re.compile(r"(?<![\w/.@])(" + KEY + r"):\s*(" + VALUE + r")" + END)
EQUALS_PAIR = re.compile(r"(?<![\w/.@])(" + KEY + r")=(" + VALUE + r")" + END)


def add_row(
    out: SeriesBuilder,
    line: int,
    values: list[tuple[str, float]],
    step: int | None,
    epoch: float | None,
) -> None:
    """One row of a table or CSV as one group; ``val_*`` names are the validation phase."""
    if not values:
        return
    out.start_group()
    for name, value in values:
        phase = "val" if canonical_name(name).startswith("val_") else "train"
        out.add(line, name, value, step=step, epoch=epoch, phase=phase)


def pairs(pattern: re.Pattern[str], text: str) -> list[tuple[str, float]]:
    """Every ``key<sep>value`` in ``text`` whose value reads as a number."""
    return pairs_to(pattern, text)[0]


def pairs_to(pattern: re.Pattern[str], text: str) -> tuple[list[tuple[str, float]], int]:
    """Like :func:`pairs`, plus where the last pair read ends (0 when none was read)."""
    found = []
    end = 0
    for match in pattern.finditer(text):
        value = to_float(match.group(2))
        if value is not None:
            found.append((match.group(1), value))
            end = match.end()
    return found, end


# Diagnostic lines worth keeping for the rules, whatever the format. Each
# alternative is anchored on literal text, so scanning stays linear.
_EVENT_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "label_out_of_range",
        r"Received a label value of -?\d+(?: which is outside the valid range[^\r\n]{0,80})?",
    ),
    ("label_out_of_range", r"indices\[[\d,]{1,40}\] = -?\d+ is not in \[0, \d+\)"),
    ("label_out_of_range", r"Target -?\d+ is out of bounds[^\r\n]{0,40}"),
    ("label_out_of_range", r"device-side assert triggered"),
    ("label_out_of_range", r"t >= 0 && t < n_classes"),
    (
        "label_out_of_range",
        r"(?:labels?|targets?) (?:must be|should be) in (?:the )?range[^\r\n]{0,80}",
    ),
    ("anomaly", r"Function '\w+' returned nan values in its \d+\w* output[^\r\n]{0,40}"),
    ("overflow", r"Gradient overflow\.\s+Skipping step[^\r\n]{0,120}"),
    ("overflow", r"OVERFLOW! Rank \d+ Skipping step[^\r\n]{0,120}"),
    (
        "overflow",
        r"(?:Attempted loss scale|loss scale)[^\r\n]{0,40}reducing (?:loss scale )?to[^\r\n]{0,40}",
    ),
    ("overflow", r"[Ss]kipping step, loss scaler \d+ reducing loss scale to[^\r\n]{0,40}"),
    ("overflow", r"Loss scaler reducing loss scale to[^\r\n]{0,40}"),
    # PaddleNLP's Trainer: ``optimizer not run, scale_before: 0.25, scale_after: 0.125``
    (
        "overflow",
        r"optimizer not run, scale_before:\s{0,3}[-+.\deE]{1,30}, scale_after:\s{0,3}[-+.\deE]{1,30}",
    ),
    ("overflow", r"overflow detected, setting loss scale to:?\s{0,3}[-+.\deE]{1,30}"),
    # PaddlePaddle's AMP scaler: ``Found inf or nan, current scale is: 0.0019, decrease to: ...``
    ("overflow", r"Found inf or nan, current scale is:?\s{0,3}[-+.\deE]{1,30}[^\r\n]{0,60}"),
    # icefall/k2's trainer when its AMP scale falls under 1e-5: ``Grad scale is small: 0.0``
    ("overflow", r"Grad scale is small:?\s{0,3}[-+.\deE]{1,30}"),
    (
        "loss_scale_min",
        r"Minimum loss scale reached[^\r\n]{0,60}"
        r"|Current loss scale already at minimum[^\r\n]{0,60}"
        # GPT-NeoX's overflow monitor: ``Skipped 50 iterations in a row due to Overflow``
        r"|Skipped \d{1,9} iterations in a row due to [Oo]verflow[^\r\n]{0,60}",
    ),
    ("diverged", r"Model diverged with loss = (?:NaN|nan|inf|Inf)[^\r\n]{0,40}"),
    ("diverged", r"NanLossDuringTrainingError[^\r\n]{0,80}"),
    ("nonfinite_check", r"Moving average ignored a value of -?(?:inf|nan)"),
    ("nonfinite_check", r"grad norm is (?:nan|inf)[^\r\n]{0,60}"),
    ("nonfinite_check", r"number of nan iterations:\s{0,6}[1-9]\d{0,9}"),
    ("nan_histogram", r"Nan in summary histogram[^\r\n]{0,80}"),
    # numpy computing the loss or its targets: ``RuntimeWarning: divide by zero encountered
    # in log``, ``overflow encountered in exp``, ``invalid value encountered in log`` (the
    # rule, FW04, says which ops it reads)
    (
        "numpy_warning",
        r"RuntimeWarning: (?:divide by zero|overflow|invalid value) encountered in "
        r"(?:scalar )?\w{1,30}",
    ),
    ("invalid_loss", r"Batch \d+: Invalid loss, terminating training"),
    ("invalid_loss", r"Invalid loss, terminating training"),
    ("nonfinite_monitor", r"Monitored metric \S+ = -?(?:nan|inf) is not finite[^\r\n]{0,80}"),
    (
        "nonfinite_norm",
        r"The total norm of order [\d.]+ for gradients from `parameters` is non-finite",
    ),
    # ``Loss is nan``, NeuralHydrology's ``Loss was NaN for 1 times in a row``, a trainer's
    # ``Loss in not finite. Skip this training step.`` (sic)
    (
        "nonfinite_check",
        r"(?:Loss|loss) (?:is|was|in|became) (?:NaN|nan|inf|not finite|infinite|non-finite)"
        r"[^\r\n]{0,80}",
    ),
    # deepspeech.pytorch's ``WARNING: received a nan loss, setting loss value to 0``, Coqui
    # (Mozilla) TTS's ``[!] NaN loss with decoder_loss.``, AllenNLP's ``nan loss encountered``
    (
        "nonfinite_check",
        r"(?:received|got|encountered|skipp?ing|detected) (?:an? )?(?:nan|NaN|inf|Inf) loss"
        r"[^\r\n]{0,80}|(?<![\w-])(?:NaN|nan|Inf|inf) loss (?:with |encountered|detected)"
        r"[^\r\n]{0,80}",
    ),
    # an exception a loop raises on its loss: DDSP-SVC's ``ValueError:  [x] nan loss``
    (
        "nonfinite_check",
        r"\b[A-Z]\w{0,40}(?:Error|Exception):[ \t][^\r\n]{0,40}?(?<![\w-])(?:NaN|nan|Inf|inf)"
        r" loss\b"
        r"[^\r\n]{0,60}",
    ),
    # fastText's ``what():  Encountered NaN.`` (a C++ exception), Ray Train's guard
    # ``[NaN/Inf detected] Loss 'seg_dice' is invalid. Setting to zero.``
    ("nonfinite_check", r"Encountered (?:NaN|nan|Inf|inf)\b[^\r\n]{0,60}"),
    ("nonfinite_check", r"\[(?:NaN|nan)/(?:Inf|inf) detected\][^\r\n]{0,80}"),
    # Spark's breeze line search, when the objective returned NaN/inf at a trial step
    ("nonfinite_check", r"Encountered bad values in function evaluation[^\r\n]{0,80}"),
    # SpeechBrain's check: ``speechbrain.core - WARNING - Parameter is not finite``
    ("nonfinite_check", r"(?:Parameter|Gradient)s? (?:is|are) not finite[^\r\n]{0,60}"),
    # a custom loop's own stop: ``NaN or Inf detected in model parameters after step 2361``
    (
        "nonfinite_check",
        r"(?:NaN|nan)(?: or (?:Inf|inf))? (?:detected|found) in (?:the )?"
        r"(?:model|parameters|weights|gradients|loss)[^\r\n]{0,80}",
    ),
    # PyTorch Ignite's TerminateOnNan handler (its tensor is printed over the lines after)
    ("nonfinite_check", r"TerminateOnNan: Output[^\r\n]{0,80}"),
    ("nonfinite_check", r"Loss became infinite or NaN[^\r\n]{0,60}"),
    # ujson/srsly refusing to write a NaN score (spaCy's training loop aborts on it)
    ("nonfinite_check", r"Invalid (?:Nan|Inf) value when e[^\r\n]{0,40}"),
    ("nonfinite_check", r"(?:LossTensor|Tensor) is inf or nan|Tensor had (?:NaN|Inf) values"),
    ("nonfinite_check", r"loss \(=-?(?:inf|nan)\) is not correct"),
    ("nonfinite_check", r"(?:[Dd]etected|[Ff]ound) (?:NaN|nan|inf|Inf|non-finite)[^\r\n]{0,80}"),
    # a loop's own check, alone on its line: ``NaN detected`` (not ``ERROR: nan detected in
    # the input pipeline``, which says where, and is a message about data)
    (
        "nonfinite_check",
        r"(?m:^)[ \t]{0,8}(?:NaN|nan|NAN)s? (?:detected|found)[.!]?[ \t]{0,8}(?m:$)",
    ),
    # Hugging Face's DebugUnderflowOverflow: its frame table, and a frame whose absolute max
    # sits at float16's ceiling (65504), the last finite value before inf.
    ("overflow_debugger", r"abs min\s{1,4}abs max\s{1,4}metadata"),
    (
        "half_ceiling",
        r"(?<![\w.])\d\.\d\de[-+]\d\d\s{1,8}(?:[3-6]\.\d\de\+04)\s{1,4}\S[^\r\n]{0,80}",
    ),
    (
        "half_precision",
        r"(?<![bB\w])(?:mixed_float16|float16|fp16)(?!\w)|16-mixed|16-true|DT_HALF|GradScaler"
        r"|torch\.half\b|half precision backend|[Pp]recision(?: is set to)?[ =:]{1,3}['\"]?16\b"
        # automatic mixed precision: OpenMMLab's ``-amp-`` config names and AmpOptimWrapper,
        # ``--amp``, ``use_amp`` (not ``use_amp=False``), ``torch.cuda.amp``, ``autocast`` (not
        # TF 2's float64-to-float32 warning: ``disable autocasting by passing autocast=False``)
        r"|AmpOptimWrapper|(?<![\w-])--amp\b|[-_]amp[-_]|torch\.(?:cuda\.)?amp\b"
        r"|\bautocast\b(?![\"']?\s{0,3}[=:]\s{0,3}(?:False|false|0)\b)"
        r"|\buse_amp\b(?![\"']?\s{0,3}[=:]\s{0,3}(?:False|false|0)\b)",
    ),
    (
        "bfloat16",
        r"(?<![\w])(?:bfloat16|bf16)(?:-mixed|-true)?(?![\w])",
    ),
    ("traceback", r"Traceback \(most recent call last\):"),
    (
        "error",
        r"(?<![\w.])(?:[a-z_]\w{0,30}\.){0,6}[A-Z]\w{0,60}(?:Error|Exception): [^\r\n]{1,200}",
    ),
)
# Two passes, so that a specific message inside an error line
# (``IndexError: Target 8000 is out of bounds``) is kept as well as the error.
_SPECIFIC = [(kind, p) for kind, p in _EVENT_PATTERNS if kind not in ("traceback", "error")]
_GENERIC = [(kind, p) for kind, p in _EVENT_PATTERNS if kind in ("traceback", "error")]
_EVENT_PASSES = [
    (
        re.compile("|".join(f"(?P<e{i}>{p})" for i, (_, p) in enumerate(group))),
        {f"e{i}": kind for i, (kind, _) in enumerate(group)},
    )
    for group in (_SPECIFIC, _GENERIC)
]
# Literal words one of which every event contains: ``in`` runs at memory speed, while an
# alternation regex over a whole chunk does not.
_EVENT_HINTS = (
    "label value",
    "out of bounds",
    "device-side",
    "n_classes",
    "range",
    "returned nan",
    "verflow",
    "OVERFLOW",
    "inimum",
    "diverged",
    "NanLoss",
    "ignored a value",
    "norm is",
    "nan iterations",
    "is not in [0",
    "loss scale",
    "cale is small",
    "scale_after",
    "TerminateOnNan",
    "Nan in summary",
    "Invalid loss",
    "Invalid Nan",
    "Invalid Inf",
    "not finite",
    "non-finite",
    "Traceback",
    "encountered in",
    "Error: ",
    "Exception: ",
    "oss is",
    "oss was",
    "oss in",
    "oss became",
    "NaN loss",
    "nan loss",
    "inf loss",
    "Inf loss",
    "bad values",
    "Encountered",
    "etected",
    "ound",
    "float16",
    "fp16",
    "16-mixed",
    "DT_HALF",
    "GradScaler",
    "half",
    "became infinite",
    "inf or nan",
    "had NaN",
    "had Inf",
    "is not correct",
    "abs max",
    "e+04 ",
    "recision",
    "bf16",
    "bfloat16",
    "amp",
    "Amp",
    "autocast",
)
MAX_EVENTS = 10_000
# A traceback echoes the source line that raised: ``raise RuntimeError(f"Loss was NaN ...")``
# quotes the message the next line prints; it is code, not a second message.
_QUOTING_CODE = re.compile(
    r"[ \t]*(?:raise |print\(|assert |(?:self\.)?(?:logger|logging|log|warnings)\.\w+\()"
)


def scan_events(chunk: Chunk, events: list[Event]) -> None:
    """Append the diagnostic lines of a chunk to ``events``."""
    text = chunk.text
    if len(events) >= MAX_EVENTS or not any(hint in text for hint in _EVENT_HINTS):
        return
    found: list[Event] = []
    for pattern, kinds in _EVENT_PASSES:
        lines = LineCounter(chunk)
        for match in pattern.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            if _QUOTING_CODE.match(text, line_start, match.start()):
                continue
            found.append(
                Event(
                    lines.at(match.start()),
                    kinds[match.lastgroup or ""],
                    match.group().strip()[:300],
                )
            )
    found.sort(key=lambda event: event.line)
    events.extend(found[: MAX_EVENTS - len(events)])
