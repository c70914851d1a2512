"""The registry of log formats and format detection.

Registration is an explicit list (fast start-up, no plugin discovery). The
order breaks ties: more specific formats come first, ``plain`` is the fallback.
"""

from __future__ import annotations

from nanlog.errors import NanlogError
from nanlog.formats.base import LogFormat
from nanlog.formats.hf_trainer import HFTrainerFormat
from nanlog.formats.keras import KerasFormat
from nanlog.formats.lightning import LightningFormat
from nanlog.formats.plain import PlainFormat

FORMATS: tuple[LogFormat, ...] = (
    KerasFormat(),
    LightningFormat(),
    HFTrainerFormat(),
    PlainFormat(),
)
BY_ID: dict[str, LogFormat] = {fmt.id: fmt for fmt in FORMATS}
FALLBACK = BY_ID["plain"]


def get_format(format_id: str) -> LogFormat:
    """The format named by ``--input-format``; an unknown id is the user's error."""
    try:
        return BY_ID[format_id]
    except KeyError:
        raise NanlogError(
            f"unknown input format {format_id!r}; choose one of: {', '.join(BY_ID)}"
        ) from None


def detect(head: str) -> LogFormat:
    """The format that scores ``head`` highest; ties go to the earlier (more specific) one."""
    best, best_score = FALLBACK, 0.0
    for fmt in FORMATS:
        try:
            score = fmt.sniff(head)
        except Exception:  # a sniffer must be total; a bug in one must not stop the others
            score = 0.0
        if score > best_score:
            best, best_score = fmt, score
    return best
