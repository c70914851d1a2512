"""How ``nanlog scan`` shows its table: a summary for people, or rows for dashboards."""

from __future__ import annotations

import csv
import io
import json
import posixpath
from dataclasses import asdict, fields
from pathlib import Path

from nanlog.errors import NanlogError
from nanlog.safety import markdown_text, shown
from nanlog.scan import RunResult, Scan, by_cause

COLUMNS = [f.name for f in fields(RunResult)]
SHOWN_RUNS = 20  # broken runs listed in the text summary (--all lists every run)


def _where(r: RunResult) -> str:
    if r.verdict == "unreadable":
        return shown(r.error or "unreadable")
    if r.verdict == "healthy":
        return "healthy"
    if r.value is not None:
        at = f"step {r.step}" if r.step is not None else f"line {r.line}"
        return f"{r.metric} {r.value} at {at}"
    return f"{r.metric or 'a failure'} at line {r.line}"


def common_root(runs: list[str]) -> str:
    """The folder every run is in (shown once in the title, the runs below it relative)."""
    if len(runs) < 2:
        return ""
    scheme = runs[0].split("://", 1)[0] + "://" if "://" in runs[0] else ""
    if not all(r.startswith(scheme) for r in runs):
        return ""
    paths = [r[len(scheme) :] for r in runs]
    absolute = paths[0].startswith("/")
    common = (
        posixpath.commonpath(paths) if all(p.startswith("/") == absolute for p in paths) else ""
    )
    return scheme + common if common and common != "/" else ""


def counts(result: Scan) -> str:
    tally = {
        v: sum(r.verdict == v for r in result.runs) for v in ("broken", "healthy", "unreadable")
    }
    text = f"{len(result.runs)} runs ({result.files} logs): {tally['broken']} broke, {tally['healthy']} healthy"
    if tally["unreadable"]:
        text += f", {tally['unreadable']} unreadable"
    if result.from_cache:
        text += f"; {result.from_cache} logs unchanged since the last scan (cache)"
    return text


def text(result: Scan, color: bool, width: int, every_run: bool = False) -> str:
    from rich.table import Table
    from rich.text import Text

    from nanlog.reporters.text import buffered_console, drawn

    buffer = io.StringIO()
    console = buffered_console(buffer, color, width)
    root = common_root([r.run for r in result.runs])
    where = f" of {shown(root)}" if root else ""
    console.print(Text(f"nanlog scan{where}: {counts(result)}", style="bold"), overflow="fold")
    causes = by_cause(result.runs)
    if causes:
        console.print()
        table = Table(box=None, header_style="bold", pad_edge=False, title_justify="left")
        table.add_column("broken runs by most likely cause", overflow="fold")
        table.add_column("runs", justify="right")
        broken = sum(n for _, n in causes)
        for cause, n in causes:
            table.add_row(cause, f"{n} ({n / broken:.0%})")
        console.print(table)
    listed = result.runs if every_run else [r for r in result.runs if r.verdict != "healthy"]
    if listed:
        console.print()
        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("run", overflow="fold", ratio=3)
        table.add_column("broke at", overflow="fold", ratio=2)
        table.add_column("most likely", no_wrap=True)
        for r in listed[: None if every_run else SHOWN_RUNS]:
            top = f"{r.top_cause} {r.score:.2f}" if r.top_cause and r.score is not None else ""
            style = {"broken": "red", "unreadable": "yellow"}.get(r.verdict, "green")
            name = r.run[len(root) :].lstrip("/") if root else r.run
            table.add_row(shown(name or "."), Text(_where(r), style=style), top)
        console.print(table)
        if not every_run and len(listed) > SHOWN_RUNS:
            more = len(listed) - SHOWN_RUNS
            console.print(Text(f"... and {more} more (--all lists every run)", style="dim"))
    return drawn(buffer)


def jsonl(result: Scan) -> str:
    return "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in result.runs)


def csv_table(result: Scan) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(r) for r in result.runs)
    return out.getvalue()


def markdown(result: Scan) -> str:
    lines = ["## nanlog scan", "", markdown_text(counts(result)), ""]
    causes = by_cause(result.runs)
    if causes:
        lines += ["| most likely cause | broken runs |", "|---|---:|"]
        lines += [f"| `{cause}` | {n} |" for cause, n in causes]
        lines.append("")
    broken = [r for r in result.runs if r.verdict != "healthy"]
    if broken:
        lines += ["| run | broke at | most likely |", "|---|---|---|"]
        for r in broken:
            top = f"`{r.top_cause}` {r.score:.2f}" if r.top_cause and r.score is not None else ""
            lines.append(f"| {markdown_text(r.run)} | {markdown_text(_where(r))} | {top} |")
        lines.append("")
    return "\n".join(lines)


def write_parquet(result: Scan, path: Path) -> None:
    """The per-run table as Parquet (pandas with pyarrow, the ``nanlog[parquet]`` extra)."""
    import pandas as pd

    frame = pd.DataFrame([asdict(r) for r in result.runs], columns=COLUMNS)
    for column in ("step", "epoch", "line"):
        frame[column] = frame[column].astype("Int64")
    try:
        frame.to_parquet(path, index=False)
    except ImportError:
        raise NanlogError("--parquet needs pyarrow: pip install 'nanlog[parquet]'") from None
    except OSError as exc:
        raise NanlogError(f"cannot write {path}: {exc.strerror or exc}") from None


RENDERERS = {"jsonl": jsonl, "csv": csv_table, "markdown": markdown}
