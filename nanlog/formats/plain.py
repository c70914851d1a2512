"""Everything else people print: hand-written loops, ``logging`` lines, Caffe, detectron2.

``epoch 1 step 100 loss 0.5321 lr 0.001``, ``iter=100, loss=0.53``,
``Epoch [1/10], Step [100/600], Loss: 0.5321``, ``Iteration 100, loss = 0.53``,
``损失: 0.53``. Only keys that name a training metric are read (loss, accuracy,
learning rate, grad norm, loss scale, perplexity, in English or Chinese), so
``time: 0.25`` or ``memory: 9182`` are not mistaken for metrics. Step and epoch
come from the same line (or ``\\r`` segment); an ``Epoch N`` line with no
metrics sets the epoch for the lines after it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nanlog.formats.base import LineCounter, LogFormat, Parser
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder
from nanlog.names import canonical_name
from nanlog.numbers import END, VALUE, to_float

# A key is any word-like token (one optional second word for "val loss", "learning rate",
# "lm loss", "grad norm", "loss scale"); whether it names a metric is decided in Python,
# once per distinct key. Nested or lazy quantifiers here would make the scan quadratic.
_SECOND_WORD = r"(?: (?i:loss|rate|norm|scale|acc|accuracy))?"
_KEY = r"[A-Za-z_][\w./@-]{0,62}" + _SECOND_WORD + r"|[\u4e00-\u9fff]{1,8}"
_SEP = r"(?:\s{0,4}[:=：]\s{0,4}|\s{1,4})"
_PAIR = r"(?<![\w./@-])['\"]?(?P<key>" + _KEY + r")['\"]?" + _SEP + r"(?P<val>" + VALUE + r")" + END
_EPOCH_MARK = r"(?<![\w])(?:[Ee]poch|EPOCH)\s{0,4}[:=：]?\s{0,4}\[?\s{0,4}(?P<mark>\d{1,9})|第\s{0,2}(?P<cjk_mark>\d{1,9})\s{0,2}轮"
_METRIC_WORDS = re.compile(
    r"loss|acc|ppl|perplexity|^(?:lr|base_lr|lr0)$|^lr[-/(]|learning[ _]?rate|grad(?:ient)?[ _]?norm|"
    r"^total_norm$|^(?:loss[ _])?scale$|损失|学习率|准确率|正确率|精度|梯度范数|困惑度"
)


@lru_cache(maxsize=4096)
def is_metric_key(key: str) -> bool:
    """Whether a printed key names a training metric (loss, accuracy, lr, grad norm, ...)."""
    return _METRIC_WORDS.search(key.lower()) is not None


_SCAN = re.compile(_PAIR + "|" + _EPOCH_MARK)

_STEP = re.compile(
    r"(?i:(?<![\w])(?:global[_ ]step|step|iter(?:ation)?|it|步数?|迭代次?数?)"
    r"\s{0,4}[:=：#]?\s{0,4}\[?\s{0,4}(\d{1,12})(?:\s{0,4}/\s{0,4}\d{1,12})?\]?(?![\w.]))"
    r"|第\s{0,2}(\d{1,12})\s{0,2}步"
)
_BATCH = re.compile(
    r"(?i:(?<![\w])batch(?:[_ ]idx)?\s{0,4}[:=：#]?\s{0,4}\[?\s{0,4}(\d{1,12})(?:\s{0,4}/\s{0,4}\d{1,12})?\]?(?![\w.]))"
)
_EPOCH = re.compile(
    r"(?i:(?<![\w])epoch\s{0,4}[:=：]?\s{0,4}\[?\s{0,4}(\d{1,9})(?![\w.]))"
    r"|第\s{0,2}(\d{1,9})\s{0,2}轮|轮次?\s{0,2}[:=：]?\s{0,2}(\d{1,9})"
)
_VAL_CONTEXT = re.compile(
    r"(?i:(?<![\w])(?:test|val|valid|validation|eval|evaluation)(?![a-z]))|验证|测试"
)


def _first_int(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    if match is None:
        return None
    return int(next(g for g in match.groups() if g is not None))


_SEGMENT_END = re.compile(r"[\r\n]")


def _segment_end(text: str, pos: int) -> int:
    match = _SEGMENT_END.search(text, pos)
    return match.start() if match else len(text)


class PlainParser(Parser):
    def __init__(self, out: SeriesBuilder) -> None:
        super().__init__(out)
        self.epoch: int | None = None

    def feed(self, chunk: Chunk) -> None:
        text = chunk.text
        lines = LineCounter(chunk)
        out = self.out
        segment_start = line_start = 0
        segment_end = 0
        segment = ""
        line = 0
        step: int | None = None
        batch: int | None = None
        epoch: int | None = None
        val_context = False
        for match in _SCAN.finditer(text):
            mark = match.group("mark") or match.group("cjk_mark")
            if mark is not None:
                self.epoch = int(mark)
                continue
            pos = match.start()
            if pos >= segment_end:  # a new segment; searches stay within it (linear time)
                newline = text.rfind("\n", segment_end, pos)
                line_start = newline + 1 if newline != -1 else line_start
                cr = text.rfind("\r", line_start, pos)
                segment_start = cr + 1 if cr != -1 else line_start
                segment_end = _segment_end(text, pos)
                segment = text[segment_start:segment_end]
                line = lines.at(pos)
                step = _first_int(_STEP, segment)
                batch = _first_int(_BATCH, segment)
                epoch = _first_int(_EPOCH, segment)
                if epoch is None:
                    epoch = self.epoch
                val_context = _VAL_CONTEXT.search(segment) is not None
                out.start_group()
            key = match.group("key")
            if not is_metric_key(key):
                if key.lower() == "epoch":
                    value = to_float(match.group("val"))
                    if value is not None and value == value:
                        self.epoch = int(value)
                continue
            value = to_float(match.group("val"))
            if value is None:
                continue
            canon = canonical_name(key)
            phase = (
                "val"
                if canon.startswith("val_") or (val_context and canon in ("loss", "accuracy"))
                else "train"
            )
            out.add(line, key, value, step=step, epoch=epoch, batch=batch, phase=phase)


class PlainFormat(LogFormat):
    id = "plain"
    title = (
        "Plain text: print loops, logging lines, Caffe, detectron2/mmcv, key=value, Chinese keys"
    )
    samples = (
        ("epoch 1 step 100 loss 0.5321 lr 0.001", {"loss": 0.5321, "lr": 0.001}),
        ("iter=100, loss=0.53", {"loss": 0.53}),
        ("Loss: nan", {"loss": float("nan")}),
        (
            "[2024-06-11 12:28:01] INFO train.py:42 - step=7 loss=0.53 grad_norm=inf",
            {"loss": 0.53, "grad_norm": float("inf")},
        ),
        ("I0613 10:21:26.202908   202 solver.cpp:218] Iteration 100, loss = 0.53", {"loss": 0.53}),
        ("I0613 10:21:26.202908   202 sgd_solver.cpp:105] Iteration 100, lr = 0.01", {"lr": 0.01}),
        ("Epoch [1/10], Step [100/600], Loss: 0.5321", {"loss": 0.5321}),
        (
            "[11/24 17:17:38 d2.utils.events]:  iter: 19  total_loss: 2.1  loss_cls: 0.7  lr: 0.0002",
            {"loss": 2.1, "loss_cls": 0.7, "lr": 0.0002},
        ),
        ("epoch\t3\tloss\t-nan\tacc\t0.1", {"loss": float("nan"), "accuracy": 0.1}),
        ("[rank1]: step 20 | loss tensor(nan, grad_fn=<NllLossBackward0>)", {"loss": float("nan")}),
        ("第2轮 步数 40 损失: 0.6931 学习率: 0.001", {"loss": 0.6931, "lr": 0.001}),
    )

    def sniff(self, head: str) -> float:
        for match in _SCAN.finditer(head):
            if match.group("key") and to_float(match.group("val")) is not None:
                return 0.2
        return 0.0

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        return PlainParser(out)
