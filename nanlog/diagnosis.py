"""Diagnose several inputs: every readable one is reported, unreadable ones become errors.

Several files are diagnosed in parallel processes (one per core): parsing is
CPU-bound Python, so threads would not help.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

from nanlog.engine import Report, diagnose_run
from nanlog.errors import NanlogError
from nanlog.io import Source, resolve_inputs
from nanlog.parsing import parse_source


def _diagnose_source(source: Source, input_format: str | None, progress: bool = False) -> Report:
    try:
        return diagnose_run(parse_source(source, input_format, progress=progress))
    except NanlogError as exc:
        return Report(source=source.name, format="", records=0, error=str(exc))
    except (MemoryError, RecursionError) as exc:
        return _failed(source, exc)


def _failed(source: Source, exc: BaseException) -> Report:
    """One input that nanlog could not diagnose; the other inputs are still reported."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Report(
        source=source.name, format="", records=0, error=f"could not be diagnosed ({detail})"
    )


def diagnose_inputs(
    names: list[str], input_format: str | None, progress: bool = False
) -> tuple[list[Report], list[str]]:
    """One report per input file (a directory gives several) and the error lines to show.

    ``progress``: show a progress bar on stderr while a long input is read in this process.
    """
    planned: list[Source | Report] = []
    for name in names:
        try:
            planned.extend(resolve_inputs([name]))
        except NanlogError as exc:
            planned.append(Report(source=name, format="", records=0, error=str(exc)))
    files = [item for item in planned if isinstance(item, Source) and not item.is_stdin]
    done: dict[int, Report] = {}
    workers = min(len(files), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {
                id(source): (source, pool.submit(_diagnose_source, source, input_format))
                for source in files
            }
            for key, (source, future) in futures.items():
                try:
                    done[key] = future.result()
                except Exception as exc:  # a killed worker, a bug: this input only
                    done[key] = _failed(source, exc)
    reports: list[Report] = []
    for item in planned:
        if isinstance(item, Report):
            reports.append(item)
        elif id(item) in done:
            reports.append(done[id(item)])
        else:
            try:
                reports.append(_diagnose_source(item, input_format, progress))
            except Exception as exc:
                if len(planned) == 1:
                    raise  # one input: the CLI's own last guard says it in one line
                reports.append(_failed(item, exc))
    errors = [report.error for report in reports if report.error]
    return reports, errors
