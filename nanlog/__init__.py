"""nanlog: find where, how and why a training loss turned NaN, from the log alone.

Python API::

    import nanlog
    run = nanlog.parse("train.log")   # -> Run (long records, events, format)
    run.frame                         # pandas DataFrame, one row per printed value
    run.first_nonfinite()             # where the first nan/inf was printed
    report = nanlog.diagnose("train.log")  # -> Report: where, how, ranked causes, remedies
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["__version__", "diagnose", "parse"]

if TYPE_CHECKING:
    from pathlib import Path
    from typing import BinaryIO

    from nanlog.engine import Report
    from nanlog.model import Run


def parse(path_or_stream: str | Path | BinaryIO, input_format: str | None = None) -> Run:
    """Parse a log (path, ``-`` for stdin, or binary stream) into a Run."""
    from nanlog.parsing import parse as _parse

    return _parse(path_or_stream, input_format)


def diagnose(path: str | Path, input_format: str | None = None) -> Report:
    """Diagnose a log file (``-`` for stdin): where it broke, how, ranked causes, remedies."""
    from nanlog.engine import diagnose_run
    from nanlog.parsing import parse as _parse

    return diagnose_run(_parse(path, input_format))
