"""Metric names: the many spellings frameworks print, mapped to a few canonical ones.

The canonical names (``loss``, ``val_loss``, ``lr``, ``grad_norm``,
``accuracy``, ``val_accuracy``, ``loss_scale``) are what rules ask for; the
printed name is always kept beside it. Names with no canonical form are kept
as printed, lower-cased.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VAL_PREFIX = re.compile(r"^(?:val|valid|validation|eval|test|dev)[_/ .-]+")
_TOKENS = re.compile(r"[_/ .\-]+")
# Words that qualify a loss or an accuracy without changing what it is: ``total_loss``,
# ``avg loss``, ``train_loss_step``, ``lm loss``, ``loss/train``, ``Loss_total``.
_MODIFIERS = frozenset(
    [
        "total",
        "avg",
        "average",
        "mean",
        "running",
        "overall",
        "sum",
        "main",
        "lm",
        "batch",
        "step",
        "iter",
        "train",
        "training",
        "tr",
        "trn",
        "smoothed",
    ]
)
_VAL_WORDS = frozenset(["val", "valid", "validation", "eval", "test", "dev"])
_LR_SUFFIX = re.compile(r"(?:^|[_/.-])lr\d{0,2}$")  # x/lr0 (ultralytics), optim0_lr0 (ESPnet)
_KINDS = {"loss": "loss", "losses": "loss", "acc": "accuracy", "accuracy": "accuracy"}
_TRAIN_PREFIX = re.compile(r"^(?:train|training|tr)[_/ .-]+")
_STEP_SUFFIX = re.compile(r"[_/ .-]+(?:step|iter|batch)$")

_CHINESE = {
    "损失": "loss",
    "损失值": "loss",
    "训练损失": "loss",
    "验证损失": "val_loss",
    "测试损失": "val_loss",
    "学习率": "lr",
    "准确率": "accuracy",
    "正确率": "accuracy",
    "精度": "accuracy",
    "训练准确率": "accuracy",
    "验证准确率": "val_accuracy",
    "梯度范数": "grad_norm",
    "困惑度": "perplexity",
}

_BASE = {
    "loss": "loss",
    "lm loss": "loss",
    "lm_loss": "loss",
    "total_loss": "loss",
    "loss_value": "loss",
    "objective": "loss",
    # the loss in other languages' hand-written loops
    "pérdida": "loss",
    "perdida": "loss",
    "perda": "loss",
    "perte": "loss",
    "verlust": "loss",
    "потери": "loss",
    "потеря": "loss",
    "lr": "lr",
    "learning_rate": "lr",
    "learning rate": "lr",
    "learningrate": "lr",
    "base_lr": "lr",
    "lr0": "lr",
    "grad_norm": "grad_norm",
    "grad norm": "grad_norm",
    "gradnorm": "grad_norm",
    "gradient_norm": "grad_norm",
    "gradient norm": "grad_norm",
    "total_norm": "grad_norm",
    "grad": "grad_norm",  # SCNet's and similar summaries: ``Loss=0.1673 | Grad=inf``
    "acc": "accuracy",
    "accuracy": "accuracy",
    "sparse_categorical_accuracy": "accuracy",
    "categorical_accuracy": "accuracy",
    "binary_accuracy": "accuracy",
    "top1": "accuracy",
    "acc1": "accuracy",
    "acc@1": "accuracy",
    "loss_scale": "loss_scale",
    "loss scale": "loss_scale",
    "grad_scale": "loss_scale",  # icefall/k2: the AMP scaler's scale
    "grad scale": "loss_scale",
    "loss-scale": "loss_scale",
    "lossscale": "loss_scale",
    "scale": "loss_scale",
    "ppl": "perplexity",
    "perplexity": "perplexity",
    "xent": "loss",  # OpenNMT prints the cross-entropy as xent
    "gnorm": "grad_norm",  # fairseq
    "norm": "grad_norm",  # llm.c, nanoGPT-style loops
}


@lru_cache(maxsize=4096)
def canonical_name(printed: str) -> str:
    """Map a printed metric name to its canonical name (``val_loss``, ``lr`` ...)."""
    name = printed.strip().strip("'\"").strip()
    if name in _CHINESE:
        return _CHINESE[name]
    if name and name[-1] > "\u2e80":
        return _chinese(name) or name
    name = name.lower().rstrip(".:")
    qualified = _qualified(name)
    if qualified is not None:
        return qualified
    prefix = ""
    stripped = _VAL_PREFIX.sub("", name)
    if stripped != name:
        prefix, name = "val_", stripped
    else:
        name = _TRAIN_PREFIX.sub("", name)
    name = _STEP_SUFFIX.sub("", name)
    if name.startswith(("lr-", "lr/", "lr_", "lr(")) or _LR_SUFFIX.search(name):
        name = "lr"  # Lightning's lr-Adam, lr-AdamW/pg1; lr/pg0; ultralytics x/lr0
    base = _BASE.get(name, name)
    return prefix + base


def _qualified(name: str) -> str | None:
    """``total_val_loss`` is a validation loss, ``loss_total`` and ``Train Loss`` the loss."""
    tokens = [t for t in _TOKENS.split(name) if t]
    kinds = [t for t in tokens if t in _KINDS]
    if len(kinds) != 1 or len(tokens) < 2:
        return None
    others = [t for t in tokens if t not in _KINDS]
    if not all(t in _MODIFIERS or t in _VAL_WORDS for t in others):
        return None
    base = _KINDS[kinds[0]]
    return ("val_" if any(t in _VAL_WORDS for t in others) else "") + base


_CJK_SUFFIX = (
    ("损失", "loss"),
    ("損失", "loss"),  # Japanese, traditional Chinese
    ("손실", "loss"),  # Korean
    ("정확도", "accuracy"),
    ("학습률", "lr"),
    ("学习率", "lr"),
    ("准确率", "accuracy"),
    ("正确率", "accuracy"),
    ("精度", "accuracy"),
    ("梯度范数", "grad_norm"),
    ("困惑度", "perplexity"),
)


def _chinese(name: str) -> str | None:
    """``平均损失`` is a loss, ``验证准确率`` a validation accuracy."""
    for suffix, base in _CJK_SUFFIX:
        if name.endswith(suffix):
            validation = ("验证", "测试", "検証", "검증", "테스트")
            return ("val_" if any(word in name for word in validation) else "") + base
    return None


# Detection trainers print loss terms without the word "loss" (``rpn_cls``, ``rcnn_box``).
_DETECTION_TERM = re.compile(r"^(?:rpn|rcnn)[_ ](?:cls|box|bbox|loc|reg)$")
# IoU-based terms (giou_loss) are left out: they divide by predicted areas, so any
# divergence breaks them first, whatever the annotations.
# MXNet's R-CNN examples print RPNL1Loss / RCNNL1Loss (boxes) beside RPNLogLoss (classes).
_BOX_TERM = re.compile(
    r"^(?!.*iou)(?:.*(?:bbox|box)|(?:.*[_. ])?loc(?:$|[_. ])|.*(?:rpn|rcnn)[_ ]?(?:smooth)?l1)"
)
_CLASS_TERM = re.compile(r"cls|class|conf|(?:^|[_. ])obj|(?:rpn|rcnn)[_ ]?log[_ ]?loss")


def is_loss_term(printed: str) -> bool:
    """A part of the loss printed beside the total (``loss_cls``, ``rpn_box``), not the total."""
    lowered = printed.lower()
    if canonical_name(printed) in ("loss", "val_loss"):
        return False
    return "loss" in lowered or _DETECTION_TERM.search(lowered) is not None


def term_kind(printed: str) -> str | None:
    """``box`` for a box-regression term, ``class`` for a classification term, else None."""
    lowered = printed.lower()
    if _BOX_TERM.search(lowered):
        return "box"
    if _CLASS_TERM.search(lowered):
        return "class"
    return None


@lru_cache(maxsize=4096)
def is_validation(printed: str) -> bool:
    """A validation metric: ``val_loss``, and infix spellings such as ``giou_val_loss``."""
    if canonical_name(printed).startswith("val_"):
        return True
    return any(t in _VAL_WORDS for t in _TOKENS.split(printed.lower()))


# A score of one class in an evaluation: mmsegmentation's ``IoU.road``, ``Acc.road``,
# ``Fscore.road`` (and the rows of its per-class table). NaN there means the class never
# occurs in the evaluation's ground truth, not that training broke.
_PER_CLASS_SCORE = re.compile(r"(?i)^(?:iou|acc|dice|fscore|f1|precision|recall|ap)\.[^.\s][^\s]*$")


def is_per_class_score(printed: str) -> bool:
    return _PER_CLASS_SCORE.match(printed) is not None
