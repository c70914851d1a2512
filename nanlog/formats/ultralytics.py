"""YOLOv5 / YOLOv6 / YOLOv7 / ultralytics (YOLOv8+) training rows: fixed columns under a header.

``     Epoch   gpu_mem       box       obj       cls     total    labels  img_size``, then per
batch (tqdm redraws the line with ``\\r``)
``     0/299     18.5G    0.1126     2.552    0.4747     3.139       540       768:   6%|...| 15/234``.
The loss columns lie between the GPU memory and the label (instance) count; their names come
from the header (``box obj cls total``, ``box_loss obj_loss cls_loss``, ``box_loss cls_loss
dfl_loss``). Each value is the epoch's running mean, as in Keras: a NaN stays to the epoch's end.
"""

from __future__ import annotations

import re

from nanlog.formats.base import EpochSteps, LineCounter, LogFormat, Parser, Spans
from nanlog.io import Chunk
from nanlog.model import SeriesBuilder
from nanlog.numbers import VALUE, to_float

_HEADER = re.compile(
    r"(?m)^[ \t]{0,20}Epoch[ \t]+(?:gpu_mem|GPU_mem|GPU Mem)[ \t]+(?P<names>(?:[A-Za-z_]+[ \t]+){1,8}?)"
    r"(?:labels|Instances|targets)[ \t]+(?:img_size|Size)\b"
)
_ROW = re.compile(
    r"(?<![\w/.])(?P<ep>\d{1,6})/(?P<eps>\d{1,6})[ \t]+(?P<mem>\d{1,4}(?:\.\d{1,3})?G)"
    r"(?P<values>(?:[ \t]+" + VALUE + r"){1,8}?)[ \t]+(?P<count>\d{1,9})[ \t]+(?P<size>\d{2,5})"
    r"(?::?[ \t]+\d{1,3}%\|[^|\r\n]{0,200}\|[ \t]*(?P<n>\d{1,9})/(?P<total>\d{1,9}))?"
)
# YOLOv6 prints no memory, label or size column: ``     Epoch  iou_loss  dfl_loss  cls_loss``
# then ``      0/99    0.8452         0    0.5756: 100%|██████████| 106/106 [00:17<00:00,``.
_V6_HEADER = re.compile(
    r"(?m)^[ \t]{0,20}Epoch(?P<names>(?:[ \t]{1,20}[A-Za-z]{1,20}_loss){1,8})[ \t]*\r?$"
)
_V6_ROW = re.compile(
    r"(?<![\w/.])(?P<ep>\d{1,6})/(?P<eps>\d{1,6})(?P<values>(?:[ \t]+" + VALUE + r"){1,8}?)"
    r":?[ \t]+\d{1,3}%\|[^|\r\n]{0,200}\|[ \t]*(?P<n>\d{1,9})/(?P<total>\d{1,9})"
)
# The short names older versions print, as the loss terms they are.
_NAMES = {"box": "box_loss", "obj": "obj_loss", "cls": "cls_loss", "total": "loss"}
# YOLOv5/v7's ``results.txt`` has the same rows and no header: four loss columns, then the
# label count, the image size and the validation metrics.
_RESULTS_TXT_NAMES = ["box_loss", "obj_loss", "cls_loss", "loss"]


class UltralyticsParser(Parser):
    def __init__(self, out: SeriesBuilder) -> None:
        super().__init__(out)
        self.names: list[str] = []
        self.v6_names: list[str] = []
        self.steps = EpochSteps()

    def feed(self, chunk: Chunk) -> Spans:
        text = chunk.text
        lines = LineCounter(chunk)
        claimed: Spans = []
        for header in _HEADER.finditer(text):
            self.names = [_NAMES.get(n, n) for n in header.group("names").split()]
            claimed.append(header.span())
        for header in _V6_HEADER.finditer(text):
            self.v6_names = header.group("names").split()
            claimed.append(header.span())
        rows = list(_ROW.finditer(text))
        if self.v6_names:
            rows = sorted([*rows, *_V6_ROW.finditer(text)], key=lambda m: m.start())
        for match in rows:
            cells = match.group("values").split()
            v6 = match.re is _V6_ROW
            names = self.v6_names if v6 else self.names or _RESULTS_TXT_NAMES
            if len(cells) != len(names):
                continue
            values = []
            for name, cell in zip(names, cells, strict=True):
                value = to_float(cell)
                if value is not None:
                    values.append((name, value, "train"))
            if not values:
                continue
            claimed.append(match.span())
            epoch = int(match.group("ep"))
            self.steps.start(epoch)
            n = match.group("n")
            step = None
            if n is not None:
                self.steps.seen(int(n), match.group("total"))
                step = self.steps.step(int(n))
            self.out.start_group(("yolo", epoch, n))
            self.out.add_values(
                lines.at(match.start()),
                values,
                step=step,
                epoch=float(epoch),
                batch=None if n is None else int(n),
            )
        return claimed


class UltralyticsFormat(LogFormat):
    id = "ultralytics"
    title = (
        "YOLOv5 / YOLOv7 / ultralytics training rows (Epoch GPU_mem box_loss ... Instances Size)"
    )
    hints = ("Epoch", "G   ")  # the header, or a row's memory column (``18.5G    0.1126``)
    samples = (
        (
            "     Epoch   gpu_mem       box       obj       cls     total    labels  img_size\n"
            "     0/299     18.5G       nan     2.028       nan       nan       521       768:"
            "   6%|###    | 15/234 [00:23<04:56,  1.36s/it]",
            {"loss": float("nan"), "obj_loss": 2.028},
        ),
        (
            "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size\n"
            "      1/100      2.61G      1.219      1.641      1.133         33        640: "
            "100%|██████████| 8/8 [00:02<00:00,  3.41it/s]",
            {"box_loss": 1.219, "dfl_loss": 1.133},
        ),
        (
            "     Epoch  iou_loss  dfl_loss  cls_loss\n"
            "      0/99    0.8452         0       nan: 100%|██████████| 106/106 [00:17<00:00,",
            {"iou_loss": 0.8452, "cls_loss": float("nan")},
        ),
    )

    def sniff(self, head: str) -> float:
        return 0.9 if _HEADER.search(head) or _V6_HEADER.search(head) else 0.0

    def parser(self, out: SeriesBuilder, head: str) -> Parser:
        return UltralyticsParser(out)
