"""``--format json`` (one object, or an array for several inputs) and ``--format jsonl``."""

from __future__ import annotations

import json
import math
from typing import Any

from nanlog.engine import Report
from nanlog.reporters.base import Reporter, report_to_dict


def strict(value: Any) -> Any:
    """A value JSON can hold: non-finite floats spelled, strings valid UTF-8."""
    return _clean(value)


def _clean(value: Any) -> Any:
    """JSON has no NaN/inf: spell them as the contract does."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):  # a file name with bytes that are not UTF-8: escaped, valid JSON
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


class JsonReporter(Reporter):
    def render(self, reports: list[Report]) -> str:
        data = [_clean(report_to_dict(r)) for r in reports]
        document: Any = data[0] if len(data) == 1 else data
        return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


class JsonLinesReporter(Reporter):
    def render(self, reports: list[Report]) -> str:
        return "".join(
            json.dumps(_clean(report_to_dict(r)), ensure_ascii=False, allow_nan=False) + "\n"
            for r in reports
        )
