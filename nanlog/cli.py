"""The command line: a thin click layer over the API.

Click's own errors exit with 1 or 2 and print usage blocks; here every error
is one line on stderr with exit code 2 (1 means "a problem was found in the
log"), Ctrl-C exits 130 and a closed pipe ends quietly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from nanlog import __version__
from nanlog.errors import ExitCode, NanlogError

FORMAT_IDS = ("keras", "lightning", "hf_trainer", "plain")
# click >= 8.2 names it NoArgsIsHelpError; older releases have no such class.
_NO_ARGS_IS_HELP: type[click.UsageError] = getattr(
    click.exceptions,
    "NoArgsIsHelpError",
    getattr(click.exceptions, "NoArgsIsHelp", click.UsageError),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="nanlog")
def cli() -> None:
    """Find where, how and why a training loss turned NaN, from the log alone.

    \b
    Examples:
      nanlog parse train.log                  the time series nanlog read, as CSV
      nanlog parse --format json run.log      the same as JSON, with diagnostic lines
      python train.py 2>&1 | nanlog parse -   read standard input

    Logs of Keras / tf.keras, PyTorch Lightning (console and metrics.csv),
    Hugging Face Trainer (console and trainer_state.json) and plain print or
    logging loops are recognised by their content.
    """


@cli.command("parse")
@click.argument("input", metavar="INPUT", type=str)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="Output format of the series.",
)
@click.option(
    "--input-format",
    type=click.Choice(FORMAT_IDS),
    default=None,
    help="Skip detection and read INPUT as this log format.",
)
def parse_command(input: str, output_format: str, input_format: str | None) -> None:
    """Print the normalised time series read from INPUT (a file, or - for stdin).

    One row per value the log printed: line (1-based), step, epoch, batch,
    phase (train/val/eval/summary), metric (canonical name), name (as printed)
    and value. A value that was not printed has no row; a printed NaN is
    written as nan (inf, -inf likewise), never as an empty cell.

    \b
    Load it in pandas:
      nanlog parse train.log > series.csv
      python -c "import pandas; print(pandas.read_csv('series.csv'))"
    """
    from nanlog.io import resolve_inputs
    from nanlog.output import write_series_csv, write_series_json
    from nanlog.parsing import parse_source

    sources = resolve_inputs([input])
    if len(sources) != 1:
        raise NanlogError(f"{input} holds {len(sources)} logs; parse takes one file (name it)")
    run = parse_source(sources[0], input_format)
    writer = write_series_csv if output_format == "csv" else write_series_json
    with _output():
        writer(run, sys.stdout)
        sys.stdout.flush()


class _OutputClosed(Exception):
    """stdout's reader went away; not an OSError, so click does not turn it into exit 1."""


@contextmanager
def _output() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise _OutputClosed from None


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: run the CLI and map every outcome to the contract's exit codes."""
    try:
        code = cli.main(args=argv, prog_name="nanlog", standalone_mode=False)
        sys.stdout.flush()
    except NanlogError as exc:
        _fail(str(exc), exc.exit_code)
    except _NO_ARGS_IS_HELP as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        raise SystemExit(ExitCode.OK) from None
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(f"{exc.format_message()}{hint}", ExitCode.ERROR)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except (click.Abort, KeyboardInterrupt):
        _fail("interrupted", ExitCode.INTERRUPTED)
    except (BrokenPipeError, _OutputClosed):
        _quiet_broken_pipe()
    except click.ClickException as exc:
        _fail(exc.format_message(), ExitCode.ERROR)
    except Exception as exc:  # the last guard: one line, never a traceback
        if os.environ.get("NANLOG_DEBUG"):
            raise
        _fail(
            f"internal error: {type(exc).__name__}: {exc} (set NANLOG_DEBUG=1 for details)",
            ExitCode.ERROR,
        )
    raise SystemExit(code if isinstance(code, int) else ExitCode.OK)


def _fail(message: str, code: int) -> NoReturn:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    click.echo(
        f"nanlog: error: {message}" if code == ExitCode.ERROR else f"nanlog: {message}", err=True
    )
    raise SystemExit(code)


def _quiet_broken_pipe() -> NoReturn:
    """The reader went away (``| head``): stop writing, say nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(ExitCode.OK)
