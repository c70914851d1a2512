"""Exit codes and the one error type the command line turns into exit code 2."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the CLI, as fixed by the contract (like a linter)."""

    OK = 0
    PROBLEM = 1
    ERROR = 2
    INTERRUPTED = 130


class NanlogError(Exception):
    """A problem with the user's input or options: one clear line, exit code 2.

    The message is the whole line shown to the user, so it names the problem
    and, where possible, what to do about it.
    """

    exit_code = ExitCode.ERROR


class NoMetricsError(NanlogError):
    """The input was readable but no format found any training metrics in it."""
