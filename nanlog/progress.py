"""A progress bar on stderr while a long input is read, for people at a terminal.

It appears only after ``DELAY`` seconds (a short log never shows it), only when stderr is a
terminal, and it is transient: it leaves nothing behind in the terminal or in a redirected
report.
"""

from __future__ import annotations

import sys
import time
from typing import Any

DELAY = 1.0


class ReadProgress:
    """Called with the number of bytes read so far; draws once the read takes a while."""

    def __init__(self, name: str, total: int | None) -> None:
        self.name = name
        self.total = total
        self._started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int) -> None:
        if self._bar is None:
            if time.monotonic() - self._started < DELAY:
                return
            self._open()
        self._bar.update(self._task, completed=done)

    def _open(self) -> None:
        from rich.progress import DownloadColumn, TextColumn

        from nanlog.safety import shown

        self._bar = _transient_bar(TextColumn("reading {task.description}"), DownloadColumn())
        self._bar.start()
        self._task = self._bar.add_task(shown(self.name)[:60], total=self.total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _transient_bar(label: Any, count: Any) -> Any:
    """A bar on stderr that disappears when it stops: label, bar, count, time left."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TimeRemainingColumn

    return Progress(
        label,
        BarColumn(),
        count,
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    )


def wanted() -> bool:
    """Whether a person is watching stderr."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class ScanProgress:
    """Logs diagnosed so far, for ``nanlog scan`` at a terminal (after DELAY seconds)."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        self._on = wanted()

    def update(self, done: int, total: int) -> None:
        if not self._on:
            return
        if self._bar is None:
            if time.monotonic() - self._started < DELAY:
                return
            from rich.progress import MofNCompleteColumn, TextColumn

            self._bar = _transient_bar(TextColumn("diagnosing logs"), MofNCompleteColumn())
            self._bar.start()
            self._task = self._bar.add_task("scan", total=total)
        self._bar.update(self._task, completed=done, total=total)

    def __enter__(self) -> ScanProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
