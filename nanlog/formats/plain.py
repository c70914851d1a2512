"""The generic reader: whatever no specific format claims.

Hand-written loops, ``logging`` lines, Caffe, detectron2, mmcv, fairseq,
Megatron, litgpt, Paddle, TF custom loops, JSON lines, tables. Three shapes:

* ``name <sep> value`` anywhere on a line: ``k=v``, ``k: v``, ``k v``,
  ``'k': v``, ``"k": v``, ``k[v]``, pipes (``| loss 2.31 | lr 0.0005 |``, and
  stable-baselines' key | value tables: ``| value_loss   | nan   |``), two-word
  names (``total loss``, ``lm loss``, ``Train Loss``), a label then several
  pairs (``loss: x 1692.9, y 1690.9, total nan`` reads ``loss_x`` ...,
  ``loss_total``), ``Loss 2.0198 (2.0198)`` (the value, then a running mean).
  Only names of training metrics are read (loss, cost, cross-entropy, accuracy,
  learning rate, grad norm, loss scale, perplexity, reward, in English or Chinese), so ``time: 0.25``
  or ``memory: 9182`` are not mistaken for metrics;
* tables: a header row then numeric rows (nolearn/Lasagne, Keras 1 tables,
  pandas prints, CSV inside a log, YOLOv5 ``results.txt``); rows without a
  header are read when two or more follow each other (first integer column the
  step, first decimal column the loss); DeepXDE's rows of bracketed loss terms under a
  ``Step`` header (each column's total); mmsegmentation's per-class table (``IoU.lane``);
* the position a line prints, in the trainer's own notation: ``Epoch: [0][10/5005]``,
  ``Epoch [1][100/62598]``, ``iter: 19``, ``iteration 100/ 5000``,
  ``num_updates 700``, ``Iteration 100``, ``9856:``, ``step 100/1000``,
  ``[epoch  1][iter  0/2892]``, ``第2轮``. A counter with a total printed beside an
  epoch counts batches within the epoch; the global step is then derived.

An ``Epoch N`` line with no metrics sets the epoch for the lines after it.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from nanlog.formats.base import LineCounter, LogFormat, Parser, add_row
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder
from nanlog.names import canonical_name, is_validation
from nanlog.numbers import END, VALUE, to_float

# A key is any word-like token; whether it names a metric is decided in Python, once per
# distinct key. Nested or lazy quantifiers here would make the scan quadratic.
_KEY = r"[A-Za-z_\u0400-\u04ff][\w./@-]{0,62}|[\u4e00-\u9fff\uac00-\ud7a3]{1,8}"
# Second words of two-word names (``val loss``, ``learning rate``, ``lm loss``, ``grad norm``,
# ``loss scale``, ``Train Loss``): joined to the word before them in Python, which is cheaper
# than an optional group after every key in the scan.
_WORD = re.compile(r"[A-Za-z][\w./@-]{0,30}")
_SECOND_WORDS = frozenset(
    {
        "loss",
        "rate",
        "norm",
        "scale",
        "acc",
        "acc.",
        "accuracy",
        "cost",
        "reward",
        "return",
        "error",
    }
)
# Words of a sentence, not of a name: ``Model diverged with loss = NaN`` prints ``loss``.
_NOT_FIRST_WORDS = frozenset(
    {"nan", "inf", "with", "the", "a", "an", "of", "and", "or", "is", "was", "to", "for", "in"}
    | {"on", "at", "by", "from", "got", "has", "had", "my", "our", "your", "its", "this", "that"}
    # a sentence's conjunctions: ``Stopping epoch because loss is NaN``
    | {"because", "since", "when", "while", "if", "as", "but", "so", "then", "until", "once"}
)
# A bare space or tab separates a name from its value only within a line (``Infinity-war`` at
# one line's end is not the name of the number that starts the next).
# ``loss: v`` (timm pads a NaN: ``Loss:       nan``; Hugging Face's metrics blocks pad the
# name: ``eval_loss                 =     nan``), ``loss v``, ``loss[v]``, a key-value row
# padded wide (rlpyt's ``| loss/Average          nan``: more than WIDE_GAP blanks only when
# the value ends the line), a row of a
# key | value table (stable-baselines: ``| value_loss         | nan      |``), and the
# position in between: ``Loss at step 100 : v``, ``train_batch_loss[ 6510 ]:  v``, and
# Deeplearning4j's ``Score at iteration 60 is NaN``; a sentence that says a value broke
# (OpenNN's ``Gradient norm is inf.``, InsightFace's ``total loss is 15.06``).
_SEP = (
    r"(?:(?:\s{0,4}|[ \t]{5,40})[:=：](?:[ \t]{0,16}|\s{0,4})\[?|[ \t]{1,40}|[ \t]{0,40}\|[ \t]{1,16}|\["
    r"|[ \t]is[ \t]{1,4}"
    r"|\s{1,4}(?:at|@)\s{1,4}"
    r"(?i:step|iter(?:ation)?|epoch|batch)\s{0,4}\d{1,12}\s{0,4}(?:[:=]|is(?=\s))\s{0,4}"
    r"|\[\s{0,4}\d{1,12}\s{0,4}\]\s{0,4}[:=][ \t]{0,16})"
)
# Not inside an ASCII word; a CJK character may come right before (``测试集上的Loss: 2.6``).
# A key may be quoted, or bracketed before its value (``| [Loss] nan | [step]  1574 |``).
_PAIR = (
    r"(?<![A-Za-z0-9_./@-])(?:['\"]|\[(?=[A-Za-z]))?(?P<key>"
    + _KEY
    + r")(?![\w./@-])(?:['\"]|\](?=[ \t]))?"  # a whole word: no backtracking into shorter keys
    + _SEP
    + r"(?P<val>"
    + VALUE
    + r")"
    + END
)
# ``loss: x 1692.9, y 1690.9`` / ``loss train: 2.06, val: n/a`` / spaCy v2's
# ``Losses {'ner': 25461.35}``: a label for the pairs after it.
_LABEL = (
    r"(?<![\w./@-])(?P<label>[Ll]oss(?:es)?|LOSS)"
    r"(?::\s{1,3}|\s(?=[A-Za-z]\w{0,15}:)|\s\{(?=['\"][A-Za-z]\w{0,15}['\"]:))(?!(?i:nan|inf))"
    r"(?=['\"]?[A-Za-z]\w{0,15}['\"]?:?\s{1,3}['\"]?[-+\d.nNiI])"
    # a metric's statistics after its name: ``Reward: mean=3.06, min=1.92, max=10.06``
    r"|(?<![\w./@-])(?P<stats_of>[A-Za-z]\w{0,30}):[ \t]{1,4}"
    r"(?=(?:mean|avg|min|max|std|median)[ \t]{0,2}[=:])"
)
_EPOCH_MARK = r"(?<![\w])(?:[Ee]poch|EPOCH)\s{0,4}[:=：]?\s{0,4}\[?\s{0,4}(?P<mark>\d{1,9})|第\s{0,2}(?P<cjk_mark>\d{1,9})\s{0,2}轮"
# yolov3-tf2 and similar loops print an unnamed loss after ``{epoch}_train_{batch}``.
_UNNAMED = (
    r"(?<![\w.])(?P<u_ep>\d{1,9})_(?P<u_phase>train|val)_(?P<u_n>\d{1,12}),\s{1,3}"
    r"(?P<u_val>" + VALUE + r")" + END
)
# The PyTorch tutorials print their loss unnamed after the iteration, a percentage and the
# time: ``35000 35% (1m 4s) nan Nam / Russian`` (char-rnn classification) and
# ``0m 5s (- 2m 1s) (5000 5%) 2.8732`` (seq2seq translation).
_TUTORIAL = (
    r"(?<![\w.])(?P<t_step>\d{1,12}) \d{1,3}% \(\d{1,5}m \d{1,2}s\) (?P<t_val>"
    + VALUE
    + r")"
    + END
    + r"|(?<![\w.])\d{1,5}m \d{1,2}s \(- ?-?\d{1,5}m \d{1,2}s\) \((?P<t_step2>\d{1,12}) \d{1,3}%\) "
    r"(?P<t_val2>" + VALUE + r")" + END
)
# Kaldi nnet3's objective (a log-likelihood, the loss negated): ``Average objective function
# for 'output' for minibatches 40-49 is -35.0044 over 19538 frames.``
_OBJECTIVE = (
    r"(?<![\w])[Oo]bjective function for '[\w-]{1,40}'[^\r\n'=:]{0,60}? is (?P<o_val>"
    + VALUE
    + r")"
    + END
)
_METRIC_WORDS = re.compile(
    r"loss|acc|ppl|perplexity|cross[_ -]?entropy|smooth[_ -]?l1|(?:^|[_ ./-])nll(?:$|[_ ./-])|"
    r"reward|^(?:(?:train|training|val|valid|test|eval|avg|average|mean|total|batch)[_ -])?cost$|"
    # a phase's error (XGBoost and cxxnet's ``train-error:0.03``, OpenNN's ``Training error:``)
    r"^(?:train|training|val|valid|validation|test|eval|dev)[-_ ]error$|^objective$|(?:^|[_ ./-])xent(?:$|[_ ./-])|gnorm|^norm$|^(?:lr|base_lr|lr0)$|"
    r"^lr[-/(_]|(?:^|[_/.-])lr\d{0,2}$|learning[ _]?rate|"
    r"(?:^|[_ ./-])r?mse(?:$|[_ ./-])|(?:^|[_ ./-])mae(?:$|[_ ./-])|"
    r"grad(?:ient)?[ _]?norm|^total_norm$|^grad$|^(?:rpn|rcnn)[_ ](?:cls|box|bbox|loc|reg)$|^(?:loss[ _])?scale$|损失|学习率|准确率|正确率|精度|梯度范数|困惑度"
    # the loss, accuracy and rate in Japanese, Korean, Spanish, Portuguese, French, German, Russian
    r"|損失|손실|정확도|학습률|^p[ée]rdida$|^perda$|^perte$|^verlust$|^потер[ия]$"
    # pix2pix / CycleGAN's loss names: ``D_A: 0.201 G_A: 0.297 cycle_A: 4.741 idt_A: 0.712``
    r"|^(?:[dg]_(?:a|b|gan|l1|real|fake)|cycle_[ab]|idt_[ab])$"
    # a class's evaluation score, mmsegmentation's ``IoU.road`` (nanlog.names.is_per_class_score)
    r"|^(?:iou|dice|fscore|f1|precision|recall)\.\S"
    # icefall/k2's AMP ``grad_scale: 2.0``; a KL term or PPO's ``approx_kl``; baselines'
    # ``EpRewMean`` (an episode's mean reward)
    r"|grad[ _]scale|(?:^|[_ ./-])kl(?:$|[_ ./-])|^ep_?rew_?mean$"
    # an RL episode's return: ``Average Episodic Return``, ``episode_return``, ``ep_ret``
    r"|(?:^|[_ ./-])(?:ep|episode|episodic)[_ ]?ret(?:urn)?(?:$|[_ ./-])"
)


@lru_cache(maxsize=4096)
def is_metric_key(key: str) -> bool:
    """Whether a printed key names a training metric (loss, accuracy, lr, grad norm, ...).

    A source file and its line (``loss_scaler.py:183``, ``sparse_xent_op.cc:103``) is not, nor
    an exception's name (``NanLossDuringTrainingError: NaN loss during training.``).
    """
    lowered = key.lower()
    return (
        _METRIC_WORDS.search(lowered) is not None
        and _SOURCE_FILE.search(lowered) is None
        and _EXCEPTION_NAME.search(key) is None
    )


_EXCEPTION_NAME = re.compile(r"(?:^|\.)[A-Z]\w*(?:Error|Exception|Warning)$")


_SOURCE_FILE = re.compile(r"\.(?:py|pyx|cc|cpp|cxx|c|h|hpp|cu|cuh|java|rs|go|js|ts|lua)$")


# The leading look-ahead lets the engine skip, at C speed, positions no alternative can start at.
_SCAN = re.compile(
    "(?<![A-Za-z0-9_./@-])(?=['\"A-Za-z_\\d\u4e00-\u9fff\u0400-\u04ff\uac00-\ud7a3]|\\[[A-Za-z])(?:"
    + _PAIR
    + "|"
    + _LABEL
    + "|"
    + _UNNAMED
    + "|"
    + _TUTORIAL
    + "|"
    + _OBJECTIVE
    + "|"
    + _EPOCH_MARK
    + ")"
)

# Where a line is in training, in the notations trainers print.
# The leading look-ahead skips, at C speed, positions no alternative can start at. Each
# alternative is wrapped in a named group, so ``match.lastgroup`` says which one matched.
_POSITION = re.compile(
    r"(?<![A-Za-z0-9_])(?=[EeTtGgNnUuSsIiBb\d第步迭训轮\[])(?:"
    # PyTorch's DCGAN example and the loops copied from it: ``[0/25][100/782] Loss_D: ...``
    r"(?P<pair>\[\s{0,6}(?P<p_ep>\d{1,9})\s{0,3}/\s{0,3}\d{1,9}\s{0,3}\]\s{0,2}"
    r"\[\s{0,8}(?P<p_n>\d{1,12})\s{0,3}/\s{0,3}(?P<p_tot>\d{1,12})\s{0,3}\])|"
    r"(?P<bracket>(?:(?i:epoch)(?:\(train\))?|[Tt]rain):?\s{0,3}\[\s{0,6}(?P<b_ep>\d{1,9})"
    r"(?:/\d{1,9})?\s{0,3}\]\s{0,2}\[\s{0,8}(?P<b_n>\d{1,12})\s{0,3}/\s{0,3}(?P<b_tot>\d{1,12})\s{0,3}\])"
    r"|(?P<timm>(?<![\w])Train:\s{1,3}(?P<t_ep>\d{1,9})\s{1,3}\[\s{0,8}(?P<t_n>\d{1,12})/(?P<t_tot>\d{1,12}))"
    r"|(?P<epoch_float>(?<![\w])(?i:epoch)['\"]?\s{0,4}[:=]\s{0,4}['\"]?(?P<ep_f>\d{1,9}\.\d{1,9}))"
    r"|(?P<counter>(?<![\w])(?P<kind>[Gg]lobal[_ ][Ss]tep|GLOBAL[_ ]STEP|num_updates|[Uu]pdates?|"
    r"[Ss]tep|STEP|[Ii]ter(?:ation)?s?|ITER(?:ATION)?|it|[Bb]atch(?:[_ ]idx)?|BATCH|[Ee]poch|EPOCH|ep|Ep\.|Up\.)['\"]?\s{0,12}[:=#]?\s{0,12}['\"]?\[?\s{0,8}(?P<n>\d{1,12})"
    r"(?:\s{0,3}/\s{0,3}(?P<tot>\d{1,12}))?\]?(?![\w]|\.\w))"  # ``at epoch 10.`` ends a sentence
    r"|(?P<epoch_int>(?<![\w])(?P<ep_pre>\d{1,9})epoch(?![a-z])"
    r"|第\s{0,2}(?P<cjk_ep>\d{1,9})\s{0,2}轮|轮次?\s{0,2}[:=：]\s{0,2}(?P<cjk_ep2>\d{1,9}))"
    r"|(?P<step_cjk>第\s{0,2}(?P<cjk_step>\d{1,12})\s{0,2}步"
    r"|(?:步数?|迭代次?数?|训练次数)\s{0,2}[:=：]?\s{0,2}(?P<cjk_step2>\d{1,12}))"
    r")"
)
# At the start of a line only: ``9856:`` (darknet-style loops), ``100000 |`` (llama2.c),
# ``1|10|`` (torchtune's epoch|step).
_LEAD = re.compile(
    r"\s{0,4}(?:(?P<tt_ep>\d{1,6})\|(?P<tt_step>\d{1,12})\||(?P<lead>\d{1,12})(?::\s|\s{1,3}\|))"
)
_STEP_KINDS = {
    "global step": 0,
    "global_step": 0,
    "num_updates": 0,
    "updates": 1,
    "update": 1,
    "up.": 1,
}
# A tuple of names then a tuple of values: ``train loss (min, avg, max): (-0.276, nan, 1152.6)``
# (the average is the metric itself), ``val (loss, acc): (0.52, 0.81)``. Found from the
# ``): (`` between the tuples, then read backwards and forwards within the line.
_TUPLE_JOIN = re.compile(r"\)[ \t]{0,3}[:=][ \t]{0,3}\(")
_TUPLE_NAMES = re.compile(r"[A-Za-z]\w{0,15}(?:,[ \t]{0,3}[A-Za-z]\w{0,15}){1,7}")
_TUPLE_OWNER = re.compile(
    r"(?:^|[^\w ])[ ]?(?P<name>[A-Za-z]\w{0,30}(?: [A-Za-z]\w{0,30}){0,3})?[ \t]{0,3}$"
)
_AVERAGE_WORDS = frozenset({"avg", "average", "mean"})
_AVERAGED = "Averaged stats:"
_VAL_CONTEXT = re.compile(
    r"(?i:(?<![\w])(?:test|val|valid|validation|eval|evaluation)(?![a-z]))|验证|测试"
)


class Position(NamedTuple):
    step: int | None
    epoch: float | None
    batch: int | None
    batches_per_epoch: int | None  # the total printed beside a batch counter


def position(segment: str) -> Position:
    """Where a line or redraw segment says training is."""
    return position_of(_LEAD.match(segment), _POSITION.finditer(segment))


_EPOCH_BATCH_GROUPS = {
    "bracket": ("b_ep", "b_n", "b_tot"),
    "timm": ("t_ep", "t_n", "t_tot"),
    "pair": ("p_ep", "p_n", "p_tot"),
}


def position_of(lead: re.Match[str] | None, matches: Iterable[re.Match[str]]) -> Position:
    """The position from a segment's ``_LEAD`` match and its ``_POSITION`` matches."""
    step: int | None = None
    step_rank = 9
    step_total: int | None = None
    epoch: float | None = None
    batch: int | None = None
    batch_total: int | None = None
    if lead is not None:
        if lead.group("tt_ep") is not None:
            epoch, step, step_rank = float(lead.group("tt_ep")), int(lead.group("tt_step")), 1
        else:
            step, step_rank = int(lead.group("lead")), 3
    for match in matches:
        which = match.lastgroup
        if which == "counter":
            kind = match.group("kind").lower()
            n = int(match.group("n"))
            if kind in ("epoch", "ep", "ep."):  # ``Ep. 2 : Up. 116760`` (Marian)
                epoch = float(n) if epoch is None else epoch
            elif kind.startswith("batch"):
                if batch is None:
                    tot = match.group("tot")
                    batch, batch_total = n, int(tot) if tot else None
            else:
                rank = _STEP_KINDS.get(kind, 2)
                if rank < step_rank:
                    tot = match.group("tot")
                    step, step_rank, step_total = n, rank, int(tot) if tot else None
        elif which in ("bracket", "timm", "pair"):
            ep, n_, tot_ = match.group(*_EPOCH_BATCH_GROUPS[which])
            epoch = float(ep) if epoch is None else epoch
            if batch is None:
                batch, batch_total = int(n_), int(tot_)
        elif which == "epoch_float":
            epoch = float(match.group("ep_f")) if epoch is None else epoch
        elif which == "epoch_int":
            found = match.group("ep_pre") or match.group("cjk_ep") or match.group("cjk_ep2")
            epoch = float(found) if epoch is None else epoch
        elif step is None:
            step, step_rank = int(match.group("cjk_step") or match.group("cjk_step2")), 2
    if epoch is not None and step is not None and step_total is not None and step_rank >= 2:
        # ``epoch:49 step: 0/19``: a counter within the epoch, not a global step
        if batch is None:
            batch, batch_total = step, step_total
        step = None
    return Position(step, epoch, batch, batch_total if epoch is not None else None)


_SEGMENT_END = re.compile(r"[\r\n]")


def _segment_end(text: str, pos: int, has_cr: bool = True) -> int:
    if not has_cr:  # most logs: a plain find is cheaper than a regex
        end = text.find("\n", pos)
        return end if end != -1 else len(text)
    match = _SEGMENT_END.search(text, pos)
    return match.start() if match else len(text)


# A table row: numbers (a unit such as ``1.04s`` allowed) separated by spaces, tabs, commas,
# semicolons or pipes, and nothing else on the line.
_NUMBER = (
    r"[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?:%|s|ms)?"
    r"|(?:nan|NaN|NAN|inf|Inf|INF)(?:\.0)?|1\.#\w{2,6})"
)
# The first cell may be a counter with a colon (``10: 0.53 0.61``, ``print(f"{i}: {loss}")``);
# a cell may be a one-element numpy array (``print(sess.run(W), sess.run(b))``: ``[ nan] [ nan]``).
# fastai's tables end each row with the epoch's wall time (``00:07``), a cell that is no value.
# fastai v1 prints it in parentheses: ``(00:13)``. Cells and separators share no character
# (whitespace belongs to the separator, or follows a ``[``), so a long row that fails to
# match fails in linear time: overlapping whitespace made a row of DeepXDE's lists take 48 s.
# A cell may open or close a numpy array's brackets (``[[-0.078  0.966]]``, a 2-D weight).
_CELL = r"(?:\[{1,2}[ \t]{0,8})?(?:" + _NUMBER + r"|\(?\d{1,3}:\d\d(?::\d\d)?\)?(?![\d.]))\]{0,2}"
# A tqdm bar a row is glued to: the loop printed it without tqdm.write, so it lands on the
# bar's line (``  2%|▏  | 10/600 [01:36<1:28:20,  8.98s/it]9, 5.158``).
_BAR_BEFORE_ROW = r"(?:[ \t]{0,8}\d{1,3}%\|[^|\n]{0,120}\|[^\[\n|]{0,60}\[[^\]\n]{0,120}\])?"
_ROW = re.compile(
    r"(?m)^"
    + _BAR_BEFORE_ROW
    + r"(?P<row>[ \t|]{0,40}(?:\d{1,12}:|"
    + _CELL
    + r")(?:(?:[ \t]{0,40}[,;|][ \t]{0,40}|[ \t]{1,40})(?:"
    + _CELL
    + r"))+"
    r"[ \t,;|]{0,40})\r?$"
)
# A line that ends in a position word, its counter and two or more unnamed values: a CSV row
# written through ``logging`` (``INFO:run, 2022-03-10 18:35:12,212, epoch, 0040, 0.0159,
# 0.0170``), ``batch: 387 nan 0.6595617 0.72703314``. The counter is the epoch or step; the
# values are read as a headerless row's.
_TAIL_SEP = r"(?:[ \t]{0,2},[ \t]{0,2}|[ \t]{1,8})"
_TAIL_ROW = re.compile(
    r"(?m)(?<![\w])(?P<word>[Ee]poch|EPOCH|[Ss]tep|STEP|[Ii]ter(?:ation)?|ITER|[Bb]atch|BATCH)"
    r"(?:[ \t]{0,2}[,:][ \t]{0,2}|[ \t]{1,4})(?P<n>\d{1,9})"
    r"(?P<values>(?:" + _TAIL_SEP + r"(?:" + _NUMBER + r")){2,40})[ \t,]{0,4}\r?$"
)
# mmsegmentation's per-class table: a header ``| Class | IoU | Acc |`` then one row per class
# (``|  lane  |  nan  |  nan  |``); each cell is read as ``IoU.lane``, as its log line names it.
_CLASS_HEADER = re.compile(
    r"(?m)^\|[ \t]*(?:Class|class|Category|category)[ \t]*\|(?P<names>(?:[^|\n]*\|){1,12})"
    r"[ \t]*\r?$"
)
_CLASS_ROW = re.compile(r"\|(?P<label>[^|\n]*)\|(?P<cells>(?:[^|\n]*\|){1,12})[ \t]*")
# DeepXDE's table: a header ``Step  Train loss  Test loss  Test metric`` and rows of a step
# then one bracketed list per column (``1000  [1.16e+02, 7.83e+02]  [7.88e+01, 5.48e+02]  []``):
# a list holds the loss's terms, and its total is their sum.
_LIST_TABLE = re.compile(
    r"(?m)^(?P<header>Step(?:[ \t]{2,200}\S{1,40}(?: \S{1,40}){0,4}){2,8})[ \t]{0,200}\r?$"
    r"|^[ \t]{0,8}(?P<step>\d{1,12})(?P<lists>(?:[ \t]{1,40}\[[^\]\n]{0,4000}\]){2,8})[ \t]{0,200}\r?$"
)
_LIST = re.compile(r"\[([^\]\n]*)\]")
_CLOCK = re.compile(r"\d{1,3}:\d\d(?::\d\d)?")
_DECIMAL = re.compile(r"[.eE]|nan|NaN|NAN|inf|Inf|INF|#")
_RULE_LINE = re.compile(r"^[\s\-=+|:]*$")
_BLANK = re.compile(r"\s*")
_CELL_SPLIT = re.compile(r"[ \t]*[,;|\t][ \t]*|[ \t]+")
# ``WARNING: Infinity is not a number here`` is a message, not a value named WARNING.
_LOG_LEVEL = re.compile(r"(?i)^(?:warn(?:ing)?|info|error|debug|critical|fatal|notice|note|trace)$")
_LONE_ERROR_WORDS = frozenset({"Error", "Exception", "Warning"})  # not an exception's name
_EITHER = re.compile(r"\s{1,4}or\s")  # ``inf or nan``: a check's wording, not a value
FOREIGN_BETWEEN_ROWS = 2  # lines that may come between two rows of one table
WIDE_GAP = 8  # blanks between a name and its value that only a key-value row's padding has
REPEATED_LOOSE = 3  # a name printed this often in a training loop is one of its metrics
LOOSE_PAIRS = 5000  # non-metric pairs kept at most, while a log has shown no metric ...
LOOSE_NONFINITE = 5000  # ... and non-finite ones after those: a late NaN is still found
_TIME_WORDS = re.compile(r"(?i)^(?:dur|time|wall[ _]?time|timestamp|elapsed|eta|sec|s)$")
_POSITION_WORDS = {"epoch": "epoch", "epochs": "epoch", "step": "step", "iter": "step"}
_POSITION_WORDS |= {"iteration": "step", "global_step": "step", "batch": "step", "it": "step"}


# ``print(loss)`` / ``print(loss.item())`` in a hand-written loop: a scalar tensor's repr
# or a bare decimal alone on its line, ``tensor(2.3026, grad_fn=<NllLossBackward0>)``,
# ``tensor(nan, device='cuda:0')``, ``2.3026``, ``nan`` (a bare integer is a counter).
_LONE_VALUE = re.compile(
    r"(?m)^[ \t]{0,8}(?P<val>tensor\([-+.\w]{1,40}(?:, [^()\n]{1,160})?\)|" + VALUE + r")[ \t]*\r?$"
)
_INTEGER = re.compile(r"[-+]?\d+")


def _is_line_start(text: str, pos: int) -> bool:
    """Whether only blanks come before ``pos`` on its line."""
    start = text.rfind("\n", 0, pos) + 1
    blank = _BLANK.match(text, start, pos)
    return blank is not None and blank.end() == pos


def _cells(line: str) -> list[str]:
    cells = [c.strip("[]() \t") for c in _CELL_SPLIT.split(line.strip().strip("|").strip())]
    cells = [c for c in cells if c]
    if cells and cells[0].endswith(":"):
        cells[0] = cells[0][:-1]
    return cells


def _header_cells(header: str, width: int, row: str) -> list[str] | None:
    """Split a header line into ``width`` names, the way its rows are split."""
    text = header.strip().strip("|").strip()
    if "," in row or ";" in row:
        options = [re.split(r"\s*[,;]\s*", text)]
    elif "\t" in row:
        options = [text.split("\t")]
    else:
        words = text.split()
        options = [re.split(r"\s{2,}|\s*\|\s*", text), words, _joined_names(words)]
    for names in options:
        names = [n.strip().strip("'\"") for n in names if n.strip()]
        if len(names) in (width, width - 1):  # width - 1: pandas prints an index column
            return names
    return None


def _header_names(header: str, width: int, row: str) -> list[str] | None:
    """A header's names when it is one: it names a metric or a position (``epoch``,
    ``loss``), so a log line above the rows (``INFO nanny Infinity-war``) is not."""
    names = _header_cells(header, width, row)
    if names is None:
        return None
    if any(is_metric_key(n) or n.lower() in _POSITION_WORDS for n in names):
        return names
    return None


def _joined_names(words: list[str]) -> list[str]:
    """``epoch train loss valid loss`` -> ``epoch``, ``train loss``, ``valid loss``: a second
    word (loss, rate, norm, acc) belongs to the word before it (fastai's tables)."""
    names: list[str] = []
    for word in words:
        if names and word.lower() in _SECOND_WORDS and names[-1].lower() not in _SECOND_WORDS:
            names[-1] = f"{names[-1]} {word}"
        else:
            names.append(word)
    return names


def _lines_after(text: str, start: int) -> Iterable[str]:
    """The lines of ``text`` from ``start`` on, one at a time (a table ends long before)."""
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end].rstrip("\r")
        start = end + 1


class _Table:
    """The table being read: its column names (None: headerless) and its last row's line."""

    def __init__(self, names: list[str] | None, width: int, index_column: bool) -> None:
        self.names = names
        self.width = width
        self.index_column = index_column
        self.last_line = 0
        self.pending: list[tuple[int, list[str]]] = []  # headerless rows kept until a second one


class PlainParser(Parser):
    def __init__(self, out: SeriesBuilder) -> None:
        super().__init__(out)
        self.epoch: int | None = None
        self.table: _Table | None = None
        self.first_epoch: int | None = None
        self.step: int | None = None  # the last step printed, for lines that print none
        self.list_names: list[str] = []  # the columns of a table of bracketed lists
        # Pairs whose names are not training metrics, kept while no metric has been read:
        # a log with none may still print a NaN under another name (``PSNR: nan``).
        self.loose: list[tuple[int, str, float, int | None]] = []
        self.lone_values: list[tuple[int, float]] = []  # kept while no metric has been read

    def feed(self, chunk: Chunk) -> None:
        self._pairs(chunk)
        if not len(self.out) and len(self.lone_values) < LOOSE_PAIRS + LOOSE_NONFINITE:
            self._lone_values(chunk)
        self._tables(chunk)
        if "Step " in chunk.text or self.list_names:
            self._list_tables(chunk)
        if "lass" in chunk.text or "ategory" in chunk.text:
            self._class_tables(chunk)
        if ")" in chunk.text:
            self._named_tuples(chunk)

    def _named_tuples(self, chunk: Chunk) -> None:
        """``train loss (min, avg, max): (-0.276, nan, 1152.6)``: the average is the loss;
        ``val (loss, acc): (0.52, 0.81)``: each name its value."""
        text = chunk.text
        lines = LineCounter(chunk)
        for join in _TUPLE_JOIN.finditer(text):
            closed = text.find(")", join.end(), join.end() + 300)
            if closed < 0:
                continue
            inside = text[join.end() : closed]
            if "(" in inside or "\n" in inside:
                continue
            numbers = [to_float(v.strip()) for v in inside.split(",")]
            values = [v for v in numbers if v is not None]
            window = max(0, join.start() - 240)
            line_start = text.rfind("\n", window, join.start()) + 1 or window
            opened = text.rfind("(", line_start, join.start())
            names = _TUPLE_NAMES.fullmatch(text, opened + 1, join.start()) if opened >= 0 else None
            if names is None:
                continue
            subs = [n.strip() for n in names.group().split(",")]
            if len(values) != len(subs) or len(numbers) != len(subs):
                continue
            owner = _TUPLE_OWNER.search(text[max(line_start, opened - 140) : opened])
            name = (owner.group("name") or "") if owner else ""
            row: list[tuple[str, float]] = []
            for sub, value in zip(subs, values, strict=True):
                if sub.lower() in _AVERAGE_WORDS and is_metric_key(name):
                    row.append((name, value))
                elif is_metric_key(sub):
                    row.append((f"{name} {sub}" if is_validation(name) else sub, value))
            if row:
                self._add_row(lines.at(join.start()), row, self.step, self.epoch)

    # -- name <sep> value ---------------------------------------------------------
    def _pairs(self, chunk: Chunk) -> None:
        text = chunk.text
        lines = LineCounter(chunk)
        out = self.out
        line_start = segment_start = segment_end = 0
        placed = False  # the segment's position is worked out when its first record needs it
        line = 0
        step: int | None = None
        batch: int | None = None
        epoch: float | None = None
        val_from = -1
        averaged = False
        label = ""
        has_cr = "\r" in text
        # Positions are found in one pass over the chunk, then handed to each segment.
        places = list(_POSITION.finditer(text))
        place_starts = [m.start() for m in places]
        for match in _SCAN.finditer(text):
            which = match.lastgroup
            if which == "mark" or which == "cjk_mark":
                self.epoch = int(match.group(which))
                continue
            pos = match.start()
            if pos >= segment_end:  # a new segment; searches stay within it (linear time)
                newline = text.rfind("\n", segment_end, pos)
                line_start = newline + 1 if newline != -1 else line_start
                cr = text.rfind("\r", line_start, pos)
                segment_start = cr + 1 if cr != -1 else line_start
                segment_end = _segment_end(text, pos, has_cr)
                placed = False
                label = ""
            if which == "label" or which == "stats_of":
                label = match.group(which).lower()
                continue
            if which == "t_val" or which == "t_val2":
                value = to_float(match.group(which))
                if value is not None:
                    out.start_group()
                    step = int(match.group("t_step" if which == "t_val" else "t_step2"))
                    out.add(lines.at(pos), "loss", value, step=step, phase="train")
                continue
            if which == "o_val":
                value = to_float(match.group("o_val"))
                if value is not None:
                    out.start_group()
                    out.add(lines.at(pos), "objective", value, phase="train")
                continue
            if which == "u_val":
                value = to_float(match.group("u_val"))
                if value is not None:
                    phase = "val" if match.group("u_phase") == "val" else "train"
                    out.start_group()
                    out.add(
                        lines.at(pos),
                        "loss" if phase == "train" else "val_loss",
                        value,
                        epoch=float(match.group("u_ep")),
                        batch=int(match.group("u_n")),
                        phase=phase,
                    )
                continue
            key = match.group("key")
            if key.lower() in _SECOND_WORDS and text[pos - 1 : pos] == " ":
                # ``learning rate``, ``Train Loss``, ``lm loss``: the word before belongs to it
                start = max(text.rfind(" ", segment_start, pos - 1) + 1, segment_start)
                before = text[start : pos - 1]
                if (
                    _WORD.fullmatch(before)
                    and before.lower() not in _NOT_FIRST_WORDS
                    and not before.endswith((".", ","))  # the end of a sentence before it
                ):
                    key = f"{before} {key}"
            if not is_metric_key(key):
                if label:
                    key = f"{label}_{key}"
                elif key.lower() == "epoch":
                    value = to_float(match.group("val"))
                    if value is not None and value == value and abs(value) < 2**31:
                        self.epoch = int(value)
                    continue
                else:
                    if not len(out) and len(self.loose) < LOOSE_PAIRS + LOOSE_NONFINITE:
                        # ``name: v``, ``name = v`` or ``name at step N is v``, or a line
                        # that is a name, a gap and a value (Torch7's ``err     nan``):
                        # ``Invalid Nan value`` is prose
                        sep = text[match.end("key") : match.start("val")]
                        named = (
                            ":" in sep or "=" in sep or "：" in sep or sep == "[" or " is" in sep
                        )
                        if named or (sep.isspace() and (len(sep) > 1 or sep == "\t")):
                            # (matched in place: a copy of the rest of a 9 MB line per pair
                            # made such a line quadratic)
                            ends_line = self._ends_line(text, match, segment_end)
                            if named or (ends_line and _is_line_start(text, match.start("key"))):
                                self._keep_loose(key, match.group("val"), lines.at(pos), ends_line)
                    continue
            gap = text[match.end("key") : match.start("val")]
            if (
                len(gap) > WIDE_GAP
                and gap.isspace()
                and not self._ends_line(text, match, segment_end)
            ):
                continue  # a wide blank gap names a value only in a key-value row
            value = to_float(match.group("val"))
            if value is None or (gap.strip() == "is" and _EITHER.match(text, match.end("val"))):
                continue  # TF's CheckNumerics message ``Loss is inf or nan`` names no value
            if not placed:
                placed = True
                line = lines.at(pos)
                first = bisect_left(place_starts, segment_start)
                last = bisect_left(place_starts, segment_end, first)
                step, epoch, batch, per_epoch = position_of(
                    _LEAD.match(text, segment_start, segment_end), places[first:last]
                )
                if step is None and batch is not None and per_epoch and epoch is not None:
                    step = self._derived_step(epoch, batch, per_epoch)
                if step is None:  # a continuation line (Caffe's net outputs, ``>>> loss_cls``)
                    step = self.step
                self.step = step
                if epoch is None:
                    epoch = self.epoch
                val_from = -1
                # MetricLogger's epoch line (DETR, DeiT, MAE, BLIP, LAVIS): averages, not a step
                averaged = text.find(_AVERAGED, segment_start, pos) >= 0
                lowered = text[segment_start:segment_end].lower()
                if "val" in lowered or "test" in lowered or "验证" in lowered or "测试" in lowered:
                    val = _VAL_CONTEXT.search(text, segment_start, segment_end)
                    val_from = val.start() if val else -1
                out.start_group()  # the group starts with the segment's first record
            canon = canonical_name(key)
            phase = "train"
            if is_validation(key):
                phase = "val"
            elif 0 <= val_from < pos and canon in ("loss", "accuracy"):
                phase, key = "val", f"val_{key}"  # ``[valid] loss=2.387``: a validation loss
            elif averaged:
                phase = "summary"
            out.add(line, key, value, step=step, epoch=epoch, batch=batch, phase=phase)

    @staticmethod
    def _ends_line(text: str, match: re.Match[str], segment_end: int) -> bool:
        """Whether the pair's value is the last thing on its line (``| loss/Average    nan``)."""
        blank = _BLANK.match(text, match.end("val"), segment_end)
        return blank is not None and blank.end() == segment_end

    def _keep_loose(self, key: str, token: str, line: int, ends_line: bool) -> None:
        """``ERROR: NaN detected in ...`` is a message; ``Error:  nan`` alone on its line is a
        hand-written network's error (its loss). An exception's name (``ValueError: nan loss
        encountered``) is a message's."""
        value = to_float(token)
        if value is None or _TIME_WORDS.match(key):
            return
        if _LOG_LEVEL.match(key) and not (ends_line and key.lower() == "error"):
            return
        if key.endswith(("Error", "Exception", "Warning")) and key not in _LONE_ERROR_WORDS:
            return
        if len(self.loose) < LOOSE_PAIRS or not math.isfinite(value):
            self.loose.append((line, key, value, self.epoch))

    def _lone_values(self, chunk: Chunk) -> None:
        lines = LineCounter(chunk)
        for match in _LONE_VALUE.finditer(chunk.text):
            token = match.group("val")
            value = to_float(token)
            if value is None or _INTEGER.fullmatch(token):
                continue
            if len(self.lone_values) < LOOSE_PAIRS or not math.isfinite(value):
                self.lone_values.append((lines.at(match.start("val")), value))

    def finish(self) -> None:
        """A NaN under a name that is no training metric, printed before the log's first metric
        line (or in a log with none): read the names that turned non-finite (every value they
        had), rather than refuse the log or miss the NaN. Values printed alone on their lines,
        again and again, are a loop's ``print(loss)``."""
        if not len(self.out) and (
            len(self.lone_values) >= REPEATED_LOOSE
            or any(not math.isfinite(value) for _, value in self.lone_values)
        ):
            for line, value in self.lone_values:
                self.out.start_group()
                self.out.add(line, "loss", value, step=None, epoch=None, batch=None, phase="train")
            self.loose = []
        self.lone_values = []
        if not self.loose:
            return
        had_metrics = len(self.out) > 0
        broken = {key for _, key, value, _ in self.loose if not math.isfinite(value)}
        if not broken and not had_metrics:
            # Names printed again and again after an epoch mark (``Iter[3/20], Epoch [1/1]``
            # then ``Lrec: 0.222, Ldadv: 0.815``) are the run's own loss terms.
            seen = Counter(key for _, key, _, epoch in self.loose if epoch is not None)
            broken = {key for key, n in seen.items() if n >= REPEATED_LOOSE}
        for line, key, value, epoch in self.loose:
            if key in broken:
                self.out.start_group()
                self.out.add(line, key, value, step=None, epoch=epoch, batch=None, phase="train")
        self.loose = []
        if had_metrics and broken:
            # a NaN printed before the first metric line (Torch7's ``err     nan`` lines, then
            # an epoch summary) comes before the metrics' records
            self.out.sort_since(0)

    def _derived_step(self, epoch: float, batch: int, per_epoch: int) -> int:
        """A global step for ``[epoch][batch/total]``: batches since the first epoch the log shows."""
        if self.first_epoch is None:
            self.first_epoch = int(epoch)
        return max(0, (int(epoch) - self.first_epoch) * per_epoch + batch)

    # -- tables ---------------------------------------------------------------------
    def _tables(self, chunk: Chunk) -> None:
        text = chunk.text
        self._tail_rows(chunk)
        if _ROW.search(text) is None:
            return
        lines = LineCounter(chunk)
        for match in _ROW.finditer(text):
            row = match.group("row")
            cells = _cells(row)
            if not any(_DECIMAL.search(c) for c in cells):
                continue
            line = lines.at(match.start())
            table = self.table
            if (
                table is None
                or len(cells) != table.width
                or not self._continues(table, line, text, match.start(), row)
            ):
                table = self.table = self._start_table(text, match.start(), row, len(cells))
            table.last_line = line
            self._row(table, line, cells)

    def _list_tables(self, chunk: Chunk) -> None:
        """Rows of bracketed lists under a ``Step`` header: each column's total is recorded."""
        lines = LineCounter(chunk)
        for match in _LIST_TABLE.finditer(chunk.text):
            if match.group("header"):
                self.list_names = re.split(r"[ \t]{2,}", match.group("header").strip())[1:]
                continue
            if not self.list_names:
                continue
            lists = _LIST.findall(match.group("lists"))
            if len(lists) != len(self.list_names) or all("," not in cells for cells in lists):
                continue  # one value per list: a plain numeric row, read as a table's
            values: list[tuple[str, float]] = []
            for name, cells in zip(self.list_names, lists, strict=True):
                terms = [to_float(cell) for cell in cells.split(",") if cell.strip()]
                if terms and all(term is not None for term in terms):
                    values.append((name, math.fsum(t for t in terms if t is not None)))
            self._add_row(lines.at(match.start()), values, int(match.group("step")), self.epoch)

    def _class_tables(self, chunk: Chunk) -> None:
        """Per-class evaluation tables: one row per class, read as validation scores."""
        text = chunk.text
        lines = LineCounter(chunk)
        for header in _CLASS_HEADER.finditer(text):
            names = [n.strip() for n in header.group("names").split("|")[:-1]]
            line = lines.at(header.start())
            foreign = 0  # a line printed into the table by something else (one is let pass)
            for row in _lines_after(text, header.end() + 1):
                line += 1
                if _RULE_LINE.match(row):  # a rule, or a double-spaced paste's blank line
                    continue
                match = _CLASS_ROW.fullmatch(row)
                cells = match.group("cells").split("|")[:-1] if match else []
                label = match.group("label").strip() if match else ""
                values = [to_float(cell.strip().rstrip("%")) for cell in cells]
                if (
                    len(cells) != len(names)
                    or not label
                    or to_float(label) is not None
                    or all(value is None for value in values)
                ):
                    foreign += 1
                    if foreign > 1:
                        break
                    continue
                foreign = 0
                self.out.start_group()
                for name, value in zip(names, values, strict=True):
                    if value is not None:
                        self.out.add(
                            line,
                            f"{name}.{label.replace(' ', '_')}",
                            value,
                            step=self.step,
                            epoch=self.epoch,
                            phase="val",
                        )

    def _tail_rows(self, chunk: Chunk) -> None:
        text = chunk.text
        lines: LineCounter | None = None
        for match in _TAIL_ROW.finditer(text):
            lines = lines or LineCounter(chunk)
            cells = _cells(match.group("values"))
            if not any(_DECIMAL.search(c) for c in cells):
                continue
            counter = int(match.group("n"))
            if match.group("word").lower() == "epoch":
                self.epoch = counter
                self._headerless_row(lines.at(match.start()), ["x", *cells])
            else:
                self._headerless_row(lines.at(match.start()), [str(counter), *cells])

    @staticmethod
    def _continues(table: _Table, line: int, text: str, start: int, row: str) -> bool:
        """Whether a row belongs to the table above: the next line, or one after up to
        FOREIGN_BETWEEN_ROWS foreign lines (a position line VITS prints before each row, a
        warning between two rows) none of which is a header of its own; blank lines, as a
        double-spaced paste adds them, do not count."""
        if line == table.last_line + 1:
            return True
        if not table.last_line < line <= table.last_line + 1 + 2 * FOREIGN_BETWEEN_ROWS:
            return False
        end = start - 1
        foreign = 0
        for _ in range(line - table.last_line - 1):
            begin = text.rfind("\n", 0, max(end, 0)) + 1
            between = text[begin : max(end, begin)].split("\r")[-1]
            if _header_names(between, table.width, row) is not None:
                return False
            foreign += bool(between.strip())  # a paste that doubles every newline adds blanks
            end = begin - 1
        return foreign <= FOREIGN_BETWEEN_ROWS

    def _start_table(self, text: str, start: int, row: str, width: int) -> _Table:
        """A new block of rows: its header is the line above; a rule line, one foreign line
        (a warning printed between the header and the rows) and single blank lines may come
        between."""
        end = start - 1
        foreign = 0
        blank = False
        for _ in range(6):  # three lines, and the blank lines of a double-spaced paste
            if end <= 0:
                break
            begin = text.rfind("\n", 0, end) + 1
            above = text[begin:end].split("\r")[-1]
            if not above.strip():
                if blank:
                    break  # two blank lines: nothing above belongs to this block
                blank = True
                end = begin - 1
                continue
            blank = False
            if _RULE_LINE.match(above):
                end = begin - 1
                continue
            if _ROW.match(above) is not None:
                break  # rows of another table, not a header
            names = _header_names(above, width, row)
            if names is not None and len(names) == width - 1 and _CLOCK.fullmatch(_cells(row)[-1]):
                # fastai v1: a wall-time cell ends each row, with no name in the header
                return _Table([*names, "time"], width, index_column=False)
            if names is not None:
                return _Table(names, width, index_column=len(names) == width - 1)
            foreign += 1
            if foreign > 1:
                break
            end = begin - 1
        return _Table(None, width, index_column=False)

    def _row(self, table: _Table, line: int, cells: list[str]) -> None:
        if table.index_column:
            cells = cells[1:]
        if table.names is None:
            table.pending.append((line, cells))
            if len(table.pending) < 2:
                return
            rows, table.pending = table.pending, []
            for row_line, row_cells in rows:
                self._headerless_row(row_line, row_cells)
            table.pending = []
            table.names = []  # from now on every row of the block is read at once
            return
        if not table.names:
            self._headerless_row(line, cells)
            return
        self._named_row(table.names, line, cells)

    def _named_row(self, names: list[str], line: int, cells: list[str]) -> None:
        step: int | None = None
        epoch: float | None = None
        values: list[tuple[str, float]] = []
        for name, cell in zip(names, cells, strict=False):
            value = to_float(cell.rstrip("%").removesuffix("ms").rstrip("s"))
            if value is None:
                continue
            where = _POSITION_WORDS.get(name.lower())
            if where == "step" and value == value and abs(value) < 2**31:
                step = int(value)
            elif where == "epoch" and value == value and abs(value) < 2**31:
                epoch = value
            elif not _TIME_WORDS.match(name):
                values.append((name, value))
        self._add_row(line, values, step, epoch)

    def _headerless_row(self, line: int, cells: list[str]) -> None:
        step: int | None = None
        values: list[tuple[str, float]] = []
        for i, cell in enumerate(cells):
            if cell.endswith("s") and not cell.lower().endswith(("nan", "inf")):
                continue  # a duration (``1.04s``)
            value = to_float(cell.rstrip("%"))
            if value is None:
                continue
            if i == 0 and _DECIMAL.search(cell) is None:
                step = int(value) if abs(value) < 2**31 else None
            elif not values:
                values.append(("loss", value))
            else:
                values.append((f"column_{i + 1}", value))
        self._add_row(line, values, step, self.epoch)

    def _add_row(
        self, line: int, values: list[tuple[str, float]], step: int | None, epoch: float | None
    ) -> None:
        add_row(self.out, line, values, step, epoch)


class PlainFormat(LogFormat):
    id = "plain"
    title = (
        "Generic reader: print loops, logging lines, tables, JSON lines, Caffe, detectron2, mmcv, "
        "fairseq, Megatron, Chinese keys"
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
        ("train loss (min, avg, max): (0.012, 0.5321, 2.31)", {"loss": 0.5321}),
        (
            "[11/24 17:17:38 d2.utils.events]:  iter: 19  total_loss: 2.1  loss_cls: 0.7  lr: 0.0002",
            {"loss": 2.1, "loss_cls": 0.7, "lr": 0.0002},
        ),
        ("epoch\t3\tloss\t-nan\tacc\t0.1", {"loss": float("nan"), "accuracy": 0.1}),
        ("[rank1]: step 20 | loss tensor(nan, grad_fn=<NllLossBackward0>)", {"loss": float("nan")}),
        ("第2轮 步数 40 损失: 0.6931 学习率: 0.001", {"loss": 0.6931, "lr": 0.001}),
        (
            "9856: nGT 39, recall 0, proposals 0, loss: x 1692.913574, y 1690.920166, w nan, total nan",
            {"loss_x": 1692.913574, "loss": float("nan")},
        ),
        (
            "Epoch 1 | iter 1 step 1 | loss train: 2.063, val: n/a | iter time: 1557.97 ms",
            {"loss": 2.063},
        ),
        ("| epoch 001 | loss 2.31 | lr 0.0005 | gnorm 1.2 |", {"loss": 2.31, "grad_norm": 1.2}),
        ('{"step": 10, "loss": 2.3, "lr": 1e-05}', {"loss": 2.3, "lr": 1e-05}),
        (
            "  epoch    trn loss    val loss    trn/val    valid acc  dur\n"
            "-------  ----------  ----------  ---------  -----------  -----\n"
            "      1     2.30064     2.28850    1.00531      0.11250  1.42s",
            {"loss": 2.30064, "val_loss": 2.2885},
        ),
        (
            "    241       1.62136       3.61951\n    242           nan           nan",
            {"loss": float("nan")},
        ),
    )

    def sniff(self, head: str) -> float:
        for match in _SCAN.finditer(head):
            if match.group("key") and to_float(match.group("val")) is not None:
                return 0.2
        return 0.0

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        return PlainParser(out)
