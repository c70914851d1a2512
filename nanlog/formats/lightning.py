"""PyTorch Lightning: the console progress bar (tqdm or rich) and CSVLogger's metrics.csv.

The tqdm bar redraws with ``\\r`` twice per batch; its postfix holds what was
logged with ``prog_bar=True`` (``loss=0.693, v_num=0, train_loss_step=0.69``).
Epochs are 0-based and only the ``Epoch N`` bar carries training values.
``metrics.csv`` is sparse: a row holds only the keys logged at that step, and
an empty cell is "not logged", never NaN. Lightning rewrites the header when
new keys appear, so a header row may come again.
"""

from __future__ import annotations

import re

from nanlog.formats.base import (
    COLON_PAIR,
    EQUALS_PAIR,
    EpochSteps,
    LineCounter,
    LogFormat,
    Parser,
    Spans,
    pairs,
)
from nanlog.formats.csv_table import CsvParser
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder
from nanlog.names import canonical_name

_TQDM = re.compile(
    r"(?<![\w])Epoch (?P<ep>\d{1,9}):[ \t]{0,10}\d{1,3}%\|[^|\r\n]{0,400}\|[ \t]{0,10}"
    r"(?P<n>\d{1,12})/(?P<N>\d{1,12}|\?)[ \t]{0,10}(?:\[(?P<info>[^\]\r\n]{0,2000}))?"
)
_RICH = re.compile(
    r"(?<![\w])Epoch (?P<ep>\d{1,9})/(?:-?\d{1,9}|\?)[ \t]{1,10}[━╸─╺ ]{0,400}[ \t]{0,10}"
    r"(?P<n>\d{1,12})/(?P<N>\d{1,12}|\?|--)[ \t](?P<info>[^\r\n]{0,2000})"
)
_NOT_METRICS = {"v_num"}
# CSVLogger's header: its sorted keys, always with both ``epoch`` and ``step``.
_CSV_HEADER = re.compile(
    r"\A(?=[^\n]*(?:^|,)epoch(?:,|\r?\n))(?=[^\n]*(?:^|,)step(?:,|\r?\n))[^\n]*\n"
)


class LightningConsoleParser(Parser):
    """The tqdm bar (``k=v`` postfix) and the rich bar (``k: v``), whichever the log shows."""

    def __init__(self, out: SeriesBuilder) -> None:
        super().__init__(out)
        self.steps = EpochSteps()

    def feed(self, chunk: Chunk) -> Spans:
        text = chunk.text
        matches: list[tuple[re.Match[str], re.Pattern[str]]] = []
        if "%|" in text:
            matches += [(m, EQUALS_PAIR) for m in _TQDM.finditer(text)]
        if "━" in text or "╸" in text or ("Epoch " in text and "it/s" in text):
            matches += [(m, COLON_PAIR) for m in _RICH.finditer(text)]
            matches.sort(key=lambda found: found[0].start())
        lines = LineCounter(chunk)
        out = self.out
        claimed: Spans = []
        for match, pair in matches:
            epoch, n = int(match.group("ep")), int(match.group("n"))
            self.steps.start(epoch)
            self.steps.seen(n, match.group("N"))
            claimed.append(match.span())
            found = [
                (k, v) for k, v in pairs(pair, match.group("info") or "") if k not in _NOT_METRICS
            ]
            if not found or n == 0:
                continue  # the frame drawn before the first batch holds stale values
            line = lines.at(match.start())
            out.start_group(("lightning", epoch, n))
            for key, value in found:
                phase = "val" if canonical_name(key).startswith("val_") else "train"
                out.add(
                    line, key, value, step=self.steps.step(n), epoch=epoch, batch=n, phase=phase
                )
        return claimed


class MetricsCsvParser(CsvParser):
    """CSVLogger's metrics.csv; the ``step`` column is Lightning's 0-based global step."""

    def __init__(self, out: SeriesBuilder) -> None:
        super().__init__(out)
        self.variant = "metrics_csv"


class LightningFormat(LogFormat):
    id = "lightning"
    title = "PyTorch Lightning console (tqdm or rich progress bar) and CSVLogger metrics.csv"
    hints = ("%|", "━", "╸")
    samples = (
        (
            "Epoch 3:  45%|████▌     | 45/100 [00:01<00:02, 30.00it/s, loss=0.693, v_num=0, "
            "train_loss_step=0.69]",
            {"loss": 0.69},
        ),
        (
            "Epoch 1: 100%|██████████| 20/20 [00:00<00:00, 95.24it/s, v_num=0, train_loss_step=nan.0, "
            "val_loss=inf.0]",
            {"loss": float("nan"), "val_loss": float("inf")},
        ),
        (
            "Epoch 0/4  ━━━━━━━━━━━━━━━━━━━━ 20/20 0:00:01 • 0:00:00 32.01it/s v_num: 0 "
            "train_loss_step: 0.690",
            {"loss": 0.69},
        ),
        (
            "epoch,lr-Adam,step,train_loss_epoch,train_loss_step,val_loss\n0,0.001,0,,2.3,\n",
            {"lr": 0.001, "loss": 2.3},
        ),
    )

    def sniff(self, head: str) -> float:
        if _CSV_HEADER.match(head.lstrip("\ufeff")):
            return 0.95
        if _TQDM.search(head) or _RICH.search(head):
            return 0.9
        if "lightning" in head.lower() and ("LOCAL_RANK" in head or "GPU available" in head):
            return 0.5
        return 0.0

    def owns_file(self, head: str) -> bool:
        return _CSV_HEADER.match(head.lstrip("\ufeff")) is not None

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        if self.owns_file(head):
            return MetricsCsvParser(out)
        parser = LightningConsoleParser(out)
        if _RICH.search(head) and not _TQDM.search(head):
            parser.variant = "rich"
        return parser
