"""nanlog: find where, how and why a training loss turned NaN, from the log alone.

Python API::

    import nanlog
    run = nanlog.parse("train.log")   # -> Run (long records, events, format)
    run.frame                         # pandas DataFrame, one row per printed value
    run.wide()                        # one column per metric, indexed by step
    run.first_nonfinite()             # where the first nan/inf was printed
    report = nanlog.diagnose(run)     # -> Report (or diagnose("train.log") directly)
    report.to_dict()                  # the --format json report as Python data
    report                            # in Jupyter: shown as the markdown report
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["__version__", "diagnose", "parse", "report_schema"]

if TYPE_CHECKING:
    from pathlib import Path
    from typing import BinaryIO

    from nanlog.engine import Report
    from nanlog.model import Run


def parse(path_or_stream: str | Path | BinaryIO, input_format: str | None = None) -> Run:
    """Parse a log (path, ``-`` for stdin, or binary stream) into a Run."""
    from nanlog.parsing import parse as _parse

    return _parse(path_or_stream, input_format)


def diagnose(source: str | Path | Run, input_format: str | None = None) -> Report:
    """Diagnose a log file (``-`` for stdin) or a parsed Run: where it broke, how, why."""
    from nanlog.engine import diagnose_run
    from nanlog.model import Run
    from nanlog.parsing import parse as _parse

    if isinstance(source, Run):
        return diagnose_run(source)
    return diagnose_run(_parse(source, input_format))


def report_schema() -> dict[str, object]:
    """The JSON Schema every ``--format json`` report follows (nanlog/schemas/)."""
    import json
    from importlib.resources import files

    schema: dict[str, object] = json.loads(
        files("nanlog").joinpath("schemas/report.schema.json").read_text(encoding="utf-8")
    )
    return schema
