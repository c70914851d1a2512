"""What the rules look at: the curves of a run, where it broke, and whether it diverged.

Built once per run from the long records (never from a wide table, so a value
that was not logged is never taken for a NaN). Curves keep the log's order:
the position of a record in the log is what "before the break" means.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from nanlog.domain import guess_domain
from nanlog.formats.plain import is_metric_key
from nanlog.model import NO_INT, PHASES, Event, Run, SeriesBuilder, epoch_value
from nanlog.names import canonical_name, is_loss_term, is_per_class_score, is_validation

TRAIN = PHASES.index("train")
SUMMARY = PHASES.index("summary")
# A loss this large is divergence even without a NaN and without a start to compare with
# (an excerpt of a log): real losses are O(0.01-1000), sums over large images O(1e4).
ABSURD = 1e8
DIVERGENCE_FACTOR = 1e3  # times the loss at the start of training
# A dynamic loss scale this small means float16 overflowed at nearly every step.
SCALE_COLLAPSE = 1e-2
HALVING_STREAK = 4  # overflow messages in a row, each lowering the scale ...
SCALE_FLOOR = 8.0  # ... down to this: three halvings from the usual minimum of 1
OVERFLOW_STORM = 20  # overflow messages: a few at start-up are the scaler finding its level
# Messages that say the run failed even when no number was printed as NaN.
PROBLEM_EVENTS = frozenset(
    {
        "label_out_of_range",
        "anomaly",
        "invalid_loss",
        "nan_histogram",
        "nonfinite_monitor",
        "nonfinite_norm",
        "nonfinite_check",
        "diverged",
        "loss_scale_min",
    }
)
_SCALE_TO = re.compile(
    r"(?:reducing (?:loss scale )?to|setting loss scale to:?|current scale is:?|[Ss]cale is small:?"
    r"|scale_after:)"
    r"\s{0,3}([-+.\deE]{1,30})"
)


@dataclass(frozen=True)
class Columns:
    """The run's record columns as numpy views of the parser's arrays (no copies)."""

    lines: np.ndarray
    steps: np.ndarray  # NO_INT where not printed
    epochs: np.ndarray  # NaN where not printed
    batches: np.ndarray | None  # None: the log printed no batch index at all


@dataclass(frozen=True)
class Curve:
    """One metric's values in log order, with where each was printed.

    Only the values are copied out of the run; lines, steps, epochs and batches are
    looked up through ``index`` when asked for, so a long log is not held twice.
    """

    metric: str
    index: np.ndarray  # position of each record among all records of the run
    values: np.ndarray
    columns: Columns

    def __len__(self) -> int:
        return len(self.values)

    @property
    def lines(self) -> np.ndarray:
        found: np.ndarray = self.columns.lines[self.index]
        return found

    @property
    def steps(self) -> np.ndarray:
        found: np.ndarray = self.columns.steps[self.index]
        return found

    @property
    def epochs(self) -> np.ndarray:
        found: np.ndarray = self.columns.epochs[self.index]
        return found

    @property
    def batches(self) -> np.ndarray:
        if self.columns.batches is None:
            return np.full(len(self.index), NO_INT, dtype=np.int32)
        found: np.ndarray = self.columns.batches[self.index]
        return found

    def place(self, i: int) -> tuple[int, int | None]:
        """(line, step) of the i-th value, looked up alone (not the whole column)."""
        return int(self.columns.lines[self.index[i]]), self.step_of(i)

    def before(self, position: int) -> Curve:
        """The part of the curve printed before record ``position`` of the run."""
        cut = int(np.searchsorted(self.index, position))
        return Curve(self.metric, self.index[:cut], self.values[:cut], self.columns)

    def after(self, position: int) -> Curve:
        cut = int(np.searchsorted(self.index, position))
        return Curve(self.metric, self.index[cut:], self.values[cut:], self.columns)

    @property
    def finite(self) -> np.ndarray:
        mask: np.ndarray = np.isfinite(self.values)
        return mask

    def first_nonfinite(self) -> int | None:
        bad = np.flatnonzero(~self.finite)
        return int(bad[0]) if len(bad) else None

    def step_of(self, i: int) -> int | None:
        step = int(self.columns.steps[self.index[i]])
        return None if step == NO_INT else step

    def epoch_of(self, i: int) -> float | None:
        return epoch_value(float(self.columns.epochs[self.index[i]]))


@dataclass(frozen=True)
class Break:
    """The first non-finite value that counts: where and what the run broke with."""

    metric: str
    name: str
    value: float
    position: int  # index among all records
    line: int
    step: int | None
    epoch: float | None
    batch: int | None
    phase: str
    last_finite: float | None
    hidden: bool  # the loss was printed finite (a filter or a scaler hid the NaN)


@dataclass(frozen=True)
class Divergence:
    """A loss that grew by orders of magnitude without ever printing NaN/inf."""

    metric: str
    value: float
    line: int
    step: int | None
    factor: float
    kind: str = "growth"  # or "collapse": a loss that fell to exactly 0 at once and stayed
    before: float | None = None  # the value just before a collapse
    position: int | None = None  # the record where a collapse starts


@dataclass
class Analysis:
    run: Run
    framework: str
    curves: dict[str, Curve]
    brk: Break | None
    divergence: Divergence | None
    notes: list[str] = field(default_factory=list)
    # Where the healthy part of the run ends, for the shape rules: the break, or earlier
    # when the printed loss dropped to exactly 0 (a filter hiding NaN, not convergence).
    cut: int | None = None
    domain: str | None = None  # the task the log trains (nanlog.domain): it sets the priors

    def apart(self, first_line: int, last_line: int) -> bool:
        """Whether text left out of a long log lies between two lines (their records are not
        neighbours, whatever their positions in a curve)."""
        gaps = self.run.gaps
        if not gaps:
            return False
        i = bisect.bisect_right(gaps, first_line)
        return i < len(gaps) and gaps[i] <= last_line

    def curve(self, metric: str) -> Curve | None:
        curve = self.curves.get(metric)
        return curve if curve is not None and len(curve) else None

    @cached_property
    def loss(self) -> Curve | None:
        """The training loss (per-step values where the log has them)."""
        return self.curve("loss")

    def loss_before_break(self) -> Curve | None:
        if self.loss is None:
            return None
        return self.loss.before(self.cut) if self.cut is not None else self.loss

    def events(self, kind: str) -> list[Event]:
        return [e for e in self.run.events if e.kind == kind]

    def first_event(self, kind: str) -> Event | None:
        return next((e for e in self.run.events if e.kind == kind), None)

    @property
    def is_problem(self) -> bool:
        return (
            self.brk is not None
            or self.divergence is not None
            or bool(self.failure_events)
            or self.scale_collapse is not None
        )

    @cached_property
    def failure_events(self) -> list[Event]:
        """Messages that show a failure: the framework's own, a collapsed loss scale, a storm."""
        found = [e for e in self.run.events if e.kind in PROBLEM_EVENTS]
        overflows = self.events("overflow")
        scales = [(e, scale_in(e.text)) for e in overflows]
        collapsed = [e for e, scale in scales if scale is not None and scale <= SCALE_COLLAPSE]
        if not collapsed:
            streak = _halving_streak([(v, e.line) for e, v in scales if v is not None])
            collapsed = [e for e in overflows if streak is not None and e.line == streak[1]]
        found += collapsed[:1]
        if len(overflows) >= OVERFLOW_STORM:  # a storm shows from its first overflow on
            found.append(overflows[0])
        return sorted(found, key=lambda e: e.line)

    @cached_property
    def loss_break(self) -> int | None:
        """Where the training loss itself first turned non-finite (index into the loss curve)."""
        return None if self.loss is None else self.loss.first_nonfinite()

    @cached_property
    def scale_collapse(self) -> tuple[float, int] | None:
        """The smallest loss scale the log shows, and its line, when it collapsed."""
        found: list[tuple[float, int]] = []
        for event in self.events("overflow"):
            scale = scale_in(event.text)
            if scale is not None:
                found.append((scale, event.line))
        curve = self.curve("loss_scale")
        if curve is not None:
            finite = np.flatnonzero(np.isfinite(curve.values))
            if len(finite):
                i = int(finite[np.argmin(curve.values[finite])])
                found.append((float(curve.values[i]), curve.place(i)[0]))
        low = min(found, default=None)
        if low is not None and low[0] <= SCALE_COLLAPSE:
            return low
        return _halving_streak(found)


def _halving_streak(scales: list[tuple[float, int]]) -> tuple[float, int] | None:
    """Where overflow after overflow lowered the scale, with no recovery between, down to
    near the floor of a dynamic scaler (DeepSpeed's default minimum is 1): a collapse in
    progress even though the excerpt ends before the scaler gives up. At a scale of 8 a
    gradient overflows float16 only past about 8,000, so overflow step after step means the
    gradients are non-finite at any scale. A scaler finding its level at start-up halves a
    few times from 2**16 and stays in the hundreds or thousands. The same scale twice in a
    row is one halving printed by two ranks, not a recovery."""
    streak = 1
    for (before, _), (after, line) in itertools.pairwise(scales):
        if after != before:
            streak = streak + 1 if after < before else 1
        if streak >= HALVING_STREAK and after <= SCALE_FLOOR:
            return after, line
    return None


def scale_in(text: str) -> float | None:
    """The loss scale an overflow message sets (``reducing to 0``, ``setting loss scale to: 0.5``)."""
    match = _SCALE_TO.search(text)
    if match is None:
        return None
    try:
        return float(match.group(1).rstrip("."))
    except ValueError:
        return None


# The metrics the rules read; other metrics get a curve only when they break first.
RULE_METRICS = frozenset(
    {"loss", "val_loss", "lr", "grad_norm", "accuracy", "val_accuracy", "loss_scale", "perplexity"}
)


def _curves(run: Run, wanted: frozenset[str] = RULE_METRICS) -> dict[str, Curve]:
    s = run.series
    if not len(s):
        return {}
    name_ids = np.frombuffer(s.name_id, dtype=s.name_id.typecode)
    phases = np.frombuffer(s.phase, dtype=np.int8)
    canon = [canonical_name(n) for n in s.names]
    metrics = sorted(set(canon))
    number_of = {
        metric: number for number, metric in enumerate(metrics)
    }  # not list.index: 80k names
    metric_ids = np.array(
        [number_of[c] for c in canon], dtype=np.int16 if len(metrics) < 2**15 else np.int32
    )
    metric_of = metric_ids[name_ids]  # an int per record, not an object array
    values = np.frombuffer(s.value, dtype=np.float64)
    columns = Columns(
        np.frombuffer(s.line, dtype=s.line.typecode),
        np.frombuffer(s.step, dtype=s.step.typecode),
        np.frombuffer(s.epoch, dtype=s.epoch.typecode),
        np.frombuffer(s.batch, dtype=s.batch.typecode) if s.has_batch else None,
    )
    curves = {}
    stand_in = None if "loss" in number_of else _objective(metrics, metric_of, phases)
    chosen = wanted & number_of.keys() | ({stand_in} if stand_in is not None else set())
    for metric in sorted(chosen):
        number = number_of[metric]
        # val_* are printed in the train phase's frames by some formats; keep them by name.
        mask = (metric_of == number) & ((phases == TRAIN) | np.array(metric.startswith("val_")))
        if not mask.any():  # a log that prints only epoch summaries (``Averaged stats: ...``)
            mask = (metric_of == number) & (phases == SUMMARY)
        index = np.flatnonzero(mask).astype(np.int32 if len(values) < 2**31 else np.int64)
        del mask
        if metric == "loss":
            index = _plain_loss_first(s.names, name_ids, columns.lines, index)
        if len(index):
            curves["loss" if metric == stand_in else metric] = Curve(
                metric, index, values[index], columns
            )
    return curves


def _plain_loss_first(
    names: list[str], name_ids: np.ndarray, lines: np.ndarray, index: np.ndarray
) -> np.ndarray:
    """On a line that prints ``loss`` itself and another name read as the loss (``loss 3.28
    |hm_loss 2.8 |lm_loss 3.13``: a landmark loss, not a language model's), the curve keeps
    ``loss``; interleaving both would draw a loss that jumps every record."""
    ids = name_ids[index]
    present = np.unique(ids)
    if len(present) < 2:
        return index
    plain = [number for number in present if names[number].lower() == "loss"]
    if not plain:
        return index
    is_plain = np.isin(ids, plain)
    shared = np.isin(lines[index], lines[index[is_plain]])
    return index[is_plain | ~shared]


# What a run optimises when it prints no plain ``loss``: a GAN's ``d_loss``, a regression's
# ``rmse``, a named loss (``ctc_loss``, ``Discriminator Loss``).
_OBJECTIVE = re.compile(
    r"loss|cost$|cross[_ -]?entropy|smooth[_ -]?l1|(?:^|[_ ./-])(?:r?mse|mae|nll|xent)(?:$|[_ ./-])"
)


def _objective(metrics: list[str], metric_of: np.ndarray, phases: np.ndarray) -> str | None:
    """The metric that stands in for the loss in a log without one: the training metric
    named like a loss that is printed most often (the first such on a tie)."""
    counts = np.bincount(metric_of[phases == TRAIN], minlength=len(metrics))
    candidates = [
        (int(counts[number]), -number, metric)
        for number, metric in enumerate(metrics)
        if _OBJECTIVE.search(metric) and not is_validation(metric) and counts[number]
    ]
    return max(candidates)[2] if candidates else None


# What a log says about the trainer that wrote it, most specific first: a detectron2 log
# mentions torch too, but its remedies are SOLVER.BASE_LR, not torch.optim.
_FRAMEWORK_HINTS = (
    (
        "detectron2",
        re.compile(
            r"detectron2|\bd2\.(?:engine|utils|data|checkpoint)"
            r"|Loss became infinite or NaN at iteration="  # its trainer's own check
        ),
    ),
    (
        "mmdet",
        re.compile(r" - mm(?:det|ocr|seg|cls|pose|rotate|engine|action|pretrain) - |mmengine|mmcv"),
    ),
    ("yolo", re.compile(r"ultralytics|yolov5|YOLOv5|YOLOv8|Ultralytics")),
    ("fairseq", re.compile(r"fairseq|\btrain_inner\b|num_updates")),
    ("deepspeed", re.compile(r"\[deepspeed\]|deepspeed|DeepSpeed")),
    ("megatron", re.compile(r"[Mm]egatron|consumed samples:")),
    ("hf", re.compile(r"transformers|Trainer\b|trainer_state")),
    ("lightning", re.compile(r"lightning|LOCAL_RANK|GPU available")),
    ("keras", re.compile(r"keras|tensorflow|tf\.")),
    ("pytorch", re.compile(r"torch|grad_fn|cuda|Tensor")),
)


def guess_framework(run: Run) -> str:
    """Which framework's words the remedies should use."""
    by_format = {
        "keras": "keras",
        "lightning": "lightning",
        "hf_trainer": "hf",
        "ultralytics": "yolo",
    }
    text = run.hint_text()
    for framework, pattern in _FRAMEWORK_HINTS[:6]:  # trainers that a format id cannot name
        if pattern.search(text):
            return framework
    if run.format in by_format:
        return by_format[run.format]
    for framework, pattern in _FRAMEWORK_HINTS[6:]:
        if pattern.search(text):
            return framework
    return "generic"


def _is_benign_grad_norm(curves: dict[str, Curve]) -> bool:
    """A few non-finite grad norms that the loss shrugs off: the fp16 loss scaler backing off.

    Either the loss goes on finite (and not a filter's 0) for several records, or the grad
    norm itself is finite again later while the loss never broke.
    """
    grad = curves.get("grad_norm")
    loss = curves.get("loss")
    if grad is None or loss is None:
        return False
    bad = np.flatnonzero(~grad.finite)
    if len(bad) > 3 or not np.isfinite(loss.values).all():
        return False
    later_loss = loss.after(grad.index[bad[-1]] + 1).values
    later_grad = grad.values[bad[-1] + 1 :]
    recovered = len(later_grad) >= 1 and bool(np.isfinite(later_grad).all())
    loss_goes_on = len(later_loss) >= 1 and bool((later_loss != 0.0).all())
    return bool(
        (len(later_loss) >= 3 and (later_loss != 0.0).any()) or (recovered and loss_goes_on)
    )


def _without_averaged_skips(
    s: SeriesBuilder, candidates: np.ndarray, notes: list[str]
) -> np.ndarray:
    """Drop an epoch summary's non-finite grad norm whose averaged loss beside it is finite.

    A finite average of the loss means no step's loss was NaN: the steps whose gradients
    overflowed were skipped (an fp16 loss scaler), as MetricLogger's ``Averaged stats: loss:
    3.3059  grad_norm: inf`` shows after every AMP epoch that had one.
    """
    kept = []
    for candidate in candidates:
        position = int(candidate)
        name = canonical_name(s.names[s.name_id[position]])
        if name == "grad_norm" and s.phase[position] == SUMMARY:
            line = s.line[position]
            beside = [
                s.value[i]
                for i in range(max(0, position - 50), min(len(s), position + 50))
                if s.line[i] == line and canonical_name(s.names[s.name_id[i]]) == "loss"
            ]
            if beside and all(math.isfinite(v) for v in beside):
                notes.append(
                    f"the averaged grad norm is {s.value[position]} at line {line} while the "
                    "averaged loss beside it is finite: steps skipped by the loss scaler, "
                    "not a failure"
                )
                continue
        kept.append(position)
    return np.array(kept, dtype=np.int64)


def _find_break(run: Run, curves: dict[str, Curve], notes: list[str]) -> Break | None:
    s = run.series
    values = np.frombuffer(s.value, dtype=np.float64)
    phases = np.frombuffer(s.phase, dtype=np.int8)
    candidates = np.flatnonzero(~np.isfinite(values) & (phases != SUMMARY))
    if not len(candidates):
        candidates = _without_averaged_skips(s, np.flatnonzero(~np.isfinite(values)), notes)
    grad = curves.get("grad_norm")
    first_bad = grad.first_nonfinite() if grad is not None else None
    skip_grad = grad is not None and first_bad is not None and _is_benign_grad_norm(curves)
    if grad is not None and first_bad is not None and skip_grad:
        notes.append(
            f"a non-finite grad norm at line {grad.place(first_bad)[0]} was followed by a finite, "
            "converging loss: the loss scaler backing off, not a failure"
        )
    candidates = candidates[:10_000]
    # A class's evaluation score is NaN when the class is absent from the ground truth: the
    # break only when nothing else broke.
    per_class = np.array(
        [is_per_class_score(s.names[s.name_id[int(c)]]) for c in candidates], dtype=bool
    )
    if per_class.any():
        candidates = np.concatenate([candidates[~per_class], candidates[per_class]])
    contained = _contained_terms(run, candidates)
    for name_id in contained:
        notes.append(
            f"{s.names[name_id]} is non-finite while the other loss terms stay finite after it: "
            "it does not reach the weights (a term over an empty selection?), not a failure"
        )
    recovered: dict[str, bool] = {}  # counted scores that are finite again after a NaN
    for number, candidate in enumerate(candidates):
        position = int(candidate)
        if s.name_id[position] in contained:
            continue
        name = s.names[s.name_id[position]]
        metric = canonical_name(name)
        if metric == "grad_norm" and skip_grad:
            continue
        if metric != "loss":  # a line that prints loss_w and then total nan broke in its loss
            position = _loss_on_same_line(s, candidates[number:], position)
            name = s.names[s.name_id[position]]
            metric = canonical_name(name)
        if recovered.get(metric):
            continue
        same = curves.get(metric) or _curves(run, frozenset({metric})).get(metric)
        # once per metric (a long log has many NaN candidates), then skipped above
        if metric in _COUNTED_SCORES and same is not None and metric not in recovered:
            recovered[metric] = _recovers(same)
            if recovered[metric]:
                notes.append(
                    f"{name} was non-finite at line {int(s.line[position])} and finite again "
                    "after a NaN: a score over no samples (0/0), not the training breaking"
                )
                continue
        last_finite = None
        if same is not None:
            earlier = same.before(position).values
            finite = earlier[np.isfinite(earlier)]
            last_finite = float(finite[-1]) if len(finite) else None
        loss = curves.get("loss")
        hidden = False
        # Only a printed total hides a NaN; a stand-in (one term of several) is just finite.
        if (
            metric != "loss"
            and loss is not None
            and loss.metric == "loss"
            and not is_per_class_score(name)
        ):
            around = loss.after(position).values[:3]
            hidden = bool(len(around) and np.isfinite(around).all())
        return Break(
            metric=metric,
            name=name,
            value=float(values[position]),
            position=position,
            line=int(s.line[position]),
            step=None if s.step[position] == NO_INT else int(s.step[position]),
            epoch=epoch_value(s.epoch[position]),
            batch=None if s.batch_at(position) == NO_INT else int(s.batch_at(position)),
            phase=PHASES[s.phase[position]],
            last_finite=last_finite,
            hidden=hidden,
        )
    return None


# Scores that count correct samples: NaN weights make them wrong, never NaN (an argmax of
# NaNs is a class), so a NaN one is a division by a count of zero (MXNet's epoch-end
# ``Train-accuracy=nan`` after the metric was reset), unless it stays NaN.
_COUNTED_SCORES = frozenset({"accuracy", "val_accuracy"})


def _recovers(curve: Curve) -> bool:
    """Whether the curve is finite again after one of its non-finite values."""
    bad = np.flatnonzero(~curve.finite)
    good = np.flatnonzero(curve.finite)
    return bool(len(bad) and len(good) and good[-1] > bad[0])


CONTAINED_AFTER = 3  # finite records of the other loss terms that show a NaN did not spread


def _contained_terms(run: Run, candidates: np.ndarray) -> set[int]:
    """Loss terms whose NaN did not spread: the other terms stay finite in the records after it.

    NaN weights make every output NaN within a step, so a term that is NaN while the rest of
    the loss goes on finite never reached the optimizer (a mean over no selected pixels).
    """
    s = run.series
    name_ids = np.frombuffer(s.name_id, dtype=s.name_id.typecode)
    values = np.frombuffer(s.value, dtype=np.float64)
    terms = [canonical_name(n) == "loss" or is_loss_term(n) for n in s.names]
    found: set[int] = set()
    for name_id in {int(i) for i in name_ids[candidates]}:
        if not is_loss_term(s.names[name_id]):
            continue
        first = int(candidates[np.argmax(name_ids[candidates] == name_id)])
        if s.phase[first] != TRAIN:
            continue  # a validation NaN never reaches the weights, yet it is a symptom
        later = [
            i
            for i in range(first + 1, min(len(s), first + 4096))
            if terms[name_ids[i]] and name_ids[i] != name_id and s.phase[i] == TRAIN
        ][: 4 * CONTAINED_AFTER]
        steps = {int(s.step[i]) for i in later}
        if len(steps) >= CONTAINED_AFTER and np.isfinite(values[later]).all():
            found.add(name_id)
    return found


def _loss_on_same_line(s: SeriesBuilder, candidates: np.ndarray, position: int) -> int:
    """The training loss among the non-finite values printed at the same place (line and step)."""
    line, step = s.line[position], s.step[position]
    for other in candidates[:64]:
        other = int(other)
        if s.line[other] != line or s.step[other] != step:
            break
        if canonical_name(s.names[s.name_id[other]]) == "loss":
            return other
    return position


def _find_divergence(curves: dict[str, Curve]) -> Divergence | None:
    for metric in ("loss", "val_loss"):
        curve = curves.get(metric)
        if curve is None or not len(curve):
            continue
        values = np.abs(curve.values)
        # Measured against where training started (its first positive values), not against
        # its lowest point: a loss that fell to 0 or touched 1e-7 and came back is not diverging.
        positive = values[values > 0][:5]
        start = float(np.median(positive)) if len(positive) else 0.0
        factor = values / start if start > 0 else np.zeros_like(values)
        grew = (factor >= DIVERGENCE_FACTOR) & (values >= 1.0) & (values > values[0])
        hits = np.flatnonzero((values >= ABSURD) | (grew if len(values) >= 2 else False))
        if len(hits):
            i = int(hits[0])
            # Absurd from where the log starts: its size says it, not a factor over its start.
            grown = float(factor[i]) if factor[i] >= DIVERGENCE_FACTOR else 0.0
            return Divergence(metric, float(curve.values[i]), *curve.place(i), grown)
    # A perplexity is exp(cross-entropy): above 1e8 the model is worse than a uniform guess
    # over any vocabulary, whatever a summed loss beside it reads.
    curve = curves.get("perplexity")
    if curve is not None and len(curve):
        hits = np.flatnonzero(np.abs(curve.values) >= ABSURD)
        if len(hits):
            i = int(hits[0])
            return Divergence("perplexity", float(curve.values[i]), *curve.place(i), 0.0)
    return None


ZERO_AFTER = 1e-3  # a loss this large does not fall to exactly 0 by converging
COLLAPSE_FROM = 0.5  # a loss this large does not reach exactly 0 in one logged step
PERFECT_ACCURACY = 0.99


def drop_to_zero(curves: dict[str, Curve]) -> int | None:
    """Where the loss first falls from a clearly non-zero value to exactly 0 in one logged
    step (index into the loss curve), unless a perfect accuracy stands beside the 0 (a
    classifier that really predicts every sample, as with a dataset of one class)."""
    loss = curves.get("loss")
    if loss is None or len(loss) < 2:
        return None
    values = loss.values
    start = np.flatnonzero((values[1:] == 0.0) & (np.abs(values[:-1]) >= COLLAPSE_FROM))
    if not len(start):
        return None
    i = int(start[0]) + 1
    accuracy = curves.get("accuracy")
    if accuracy is not None:
        after = accuracy.after(int(loss.index[i])).values
        after = after[np.isfinite(after)]
        top = float(after.max()) if len(after) else 0.0
        if len(after) and top >= PERFECT_ACCURACY * (100 if top > 1.5 else 1):
            return None
    return i


def _find_collapse(curves: dict[str, Curve]) -> Divergence | None:
    """A loss that drops to exactly 0 at once and stays there: a NaN the trainer printed as
    0, or a loss that is no longer computed."""
    loss = curves.get("loss")
    i = drop_to_zero(curves)
    if loss is None or i is None or len(loss) - i < 2 or (loss.values[i:] != 0.0).any():
        return None
    line, step = loss.place(i)
    return Divergence(
        "loss", 0.0, line, step, 0.0, "collapse", float(loss.values[i - 1]), int(loss.index[i])
    )


def _hidden_zero(curves: dict[str, Curve], brk: Break) -> int | None:
    """The first printed loss of exactly 0 that follows a clearly non-zero loss, before the break."""
    loss = curves.get("loss")
    if loss is None or brk.metric == "loss":
        return None
    before = loss.before(brk.position)
    zero = np.flatnonzero((before.values == 0.0)[1:] & (np.abs(before.values[:-1]) > ZERO_AFTER))
    return int(before.index[zero[0] + 1]) if len(zero) else None


def hiding_mechanism(framework: str) -> str:
    """What hides a NaN loss behind a finite number, in the framework's own terms."""
    if framework == "hf":
        return "the Trainer's logging_nan_inf_filter, on by default"
    if framework in ("fairseq", "deepspeed", "megatron", "mmdet", "detectron2"):
        return "an fp16 loss scaler skipping the step, or a running average that ignores NaN"
    return "a logger that filters or averages away non-finite values, or a skipped step"


def _blind_before(curve: Curve | None, brk: Break) -> bool:
    """Whether a curve shows nothing finite before the break."""
    return curve is None or not np.isfinite(curve.before(brk.position).values).any()


def analyse(run: Run) -> Analysis:
    curves = _curves(run)
    notes: list[str] = []
    brk = _find_break(run, curves, notes)
    named = any(is_metric_key(name) for name in run.series.names)
    if brk is not None and not named and "loss" not in curves:
        # A value the user printed to watch (``CrossE[nan]``) is all there is: read its
        # shape as the loss's, under the note below.
        watched = _curves(run, frozenset({brk.metric})).get(brk.metric)
        if watched is not None:
            curves["loss"] = watched
    if (
        brk is not None
        and brk.metric != "loss"
        and (_OBJECTIVE.search(brk.metric) or is_loss_term(brk.name))
        and _blind_before(curves.get("loss"), brk)
    ):
        # The loss is printed only at or after the break (a VRNN's ``Average loss: nan``
        # per epoch, ``KLD Loss`` per batch): the term that broke shows how the run got there.
        broke = _curves(run, frozenset({brk.metric})).get(brk.metric)
        if broke is not None and not _blind_before(broke, brk):
            curves["loss"] = broke
    divergence = None if brk else (_find_divergence(curves) or _find_collapse(curves))
    framework = guess_framework(run)
    analysis = Analysis(run, framework, curves, brk, divergence, notes)
    analysis.domain = guess_domain(run, framework)
    if brk is None and not named and len(run.series):
        shown = ", ".join(run.series.names[:4])
        notes.append(
            f"the log names no training metric nanlog knows; {shown} were read as the run's "
            "metrics because the training loop printed them again and again"
        )
    if divergence is not None and divergence.position is not None:
        analysis.cut = divergence.position
    if brk is not None:
        analysis.cut = brk.position
        if not named:
            notes.append(
                f"the log names no training metric; {brk.name} was read only because it turned "
                f"{'nan' if math.isnan(brk.value) else 'inf'}: the causes below are those of a NaN "
                "in training, check that it is one"
            )
        zero = _hidden_zero(curves, brk)
        if zero is not None:
            analysis.cut = zero
        if zero is not None and run.series.line[zero] != brk.line:
            notes.append(
                f"the printed loss dropped to exactly 0 at line {run.series.line[zero]}, before "
                f"{brk.name} turned {'nan' if math.isnan(brk.value) else brk.value}: the loss was hidden "
                f"({hiding_mechanism(analysis.framework)}), it did not converge"
            )
    return analysis
