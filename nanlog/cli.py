"""The command line: a thin click layer over the API.

Click's own errors exit with 1 or 2 and print usage blocks; here every error
is one line on stderr with exit code 2 (1 means "a problem was found in the
log"), Ctrl-C exits 130 and a closed pipe ends quietly.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import click

from nanlog import __version__
from nanlog.errors import ExitCode, NanlogError
from nanlog.safety import ascii_drawing, shown

if TYPE_CHECKING:  # the CLI imports what a command needs when it runs (fast start-up)
    from nanlog.engine import Report
    from nanlog.live import LiveEvent

FORMAT_IDS = (
    "keras",
    "lightning",
    "hf_trainer",
    "yolact",
    "darknet",
    "ultralytics",
    "csv",
    "plain",
)
F = TypeVar("F", bound=Callable[..., Any])
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
      nanlog diagnose train.log                  where, how and why the loss broke
      python train.py 2>&1 | nanlog diagnose -   read standard input
      nanlog diagnose --format json logs/        every log in a folder, as JSON
      nanlog parse train.log                     the time series nanlog read, as CSV
      nanlog scan sweeps/                        many runs: which broke, grouped by cause
      nanlog rules                               every rule and the cause it supports
      nanlog watch train.log                     follow a growing log, warn before the NaN
      nanlog run --stop-on-nan -- python train.py   wrap a training command, stop it at the NaN

    Exit codes: 0 no problem found, 1 NaN/inf or divergence found,
    2 nanlog could not do its job (unreadable input, bad option).

    Logs of Keras / tf.keras, PyTorch Lightning (console and metrics.csv),
    Hugging Face Trainer (console and trainer_state.json) and plain print or
    logging loops are recognised by their content.
    """


OUTPUT_FORMATS = ("text", "json", "jsonl", "markdown", "github", "sarif")


def _report_format_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(OUTPUT_FORMATS),
        default="text",
        show_default=True,
        help=help_text,
    )


_color_option = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in text output (auto: on a terminal, unless NO_COLOR or TERM=dumb is set; "
    "FORCE_COLOR turns it on).",
)


def _input_format_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--input-format", type=click.Choice(FORMAT_IDS), default=None, help=help_text
    )


@cli.command("diagnose")
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True)
@_report_format_option(
    "text for people; json/jsonl for scripts; markdown for CI summaries and PR "
    "comments; github for GitHub Actions annotations; sarif (2.1.0) for "
    "code-scanning uploads."
)
@_input_format_option("Skip detection and read every INPUT as this log format.")
@_color_option
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="One line per input (where it broke and the most likely cause), for many logs.",
)
def diagnose_command(
    inputs: tuple[str, ...],
    output_format: str,
    input_format: str | None,
    color: str,
    quiet: bool,
) -> int:
    """Tell where, how and why the training in INPUT broke, and what to do.

    INPUT is a log file, a directory (its log files), or - for standard input.
    nanlog finds the first NaN/inf (or a divergence without one), describes
    the loss curve before it, ranks the likely causes with the evidence for
    each, and gives remedies in the detected framework's terms.

    \b
    Examples:
      nanlog diagnose train.log
      python train.py 2>&1 | tee train.log | nanlog diagnose -
      nanlog diagnose --format markdown train.log >> "$GITHUB_STEP_SUMMARY"
      nanlog diagnose --format github lightning_logs/version_0
      nanlog diagnose --format json a.log b.log | jq '.[].causes[0].id'

    \b
    Exit codes: 0 healthy, 1 a problem was found (in any input),
    2 an input could not be read (the others are still reported).
    """
    from nanlog.diagnosis import diagnose_inputs
    from nanlog.progress import wanted
    from nanlog.reporters.base import headline

    reports, errors = diagnose_inputs(list(inputs), input_format, progress=wanted())
    for message in errors:
        click.echo(f"nanlog: error: {shown(message)}", err=True)
    readable = [r for r in reports if r.error is None]
    if len(reports) == 1 and not readable:
        return int(ExitCode.ERROR)
    if quiet:
        with _output():
            for r in reports:
                sys.stdout.write(f"{shown(r.source)}: {shown(headline(r))}\n")
            sys.stdout.flush()
    else:
        _write_reports(reports, output_format, sys.stdout, color)
    if errors:
        return int(ExitCode.ERROR)
    return int(ExitCode.PROBLEM if any(r.problem for r in readable) else ExitCode.OK)


def _write_reports(
    reports: list[Report], output_format: str, stream: TextIO, color: str = "auto"
) -> None:
    """Render with the chosen reporter for ``stream`` (colour and width follow its terminal)."""
    from nanlog.reporters import REPORTERS

    terminal = stream.isatty()
    reporter = REPORTERS[output_format](color_wanted(color, terminal), _width(terminal))
    reporter.crop = terminal  # a terminal line is cut at its edge; a file keeps every character
    text = reporter.render(reports)
    if not _can_encode(stream, text):
        text = ascii_drawing(text)
    with _output():
        stream.write(text)
        stream.flush()


def color_wanted(choice: str, terminal: bool) -> bool:
    """``--color always/never`` wins; else NO_COLOR, FORCE_COLOR and TERM=dumb, else a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return terminal


def _width(terminal: bool) -> int:
    """The terminal's width; when piped, COLUMNS if set, else 100."""
    if terminal:
        return shutil.get_terminal_size((100, 24)).columns
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return 100
    return columns if 20 <= columns <= 1000 else 100


class Seconds(click.ParamType):  # type: ignore[type-arg]
    """A duration in seconds: finite, positive, at most ``limit`` (no nan, inf or 1e9)."""

    name = "seconds"

    def __init__(self, limit: float) -> None:
        self.limit = limit

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not 0 < seconds <= self.limit:
            self.fail(
                f"{value!r} must be more than 0 and at most {self.limit:g} seconds", param, ctx
            )
        return seconds


def _can_encode(stream: TextIO, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _say(event: LiveEvent) -> None:
    if event.kind == "info":  # what nanlog itself is doing
        click.echo(f"nanlog: {shown(event.message)}", err=True)
        return
    label = {"warning": "warning", "divergence": "warning", "nonfinite": "NaN"}.get(
        event.kind, event.kind
    )
    click.echo(f"nanlog: {label}: {shown(event.message)}", err=True)


def _after_ctrl_c() -> None:
    """The terminal echoed ^C where the cursor was: start what follows on a line of its own."""
    if sys.stderr.isatty():
        click.echo("", err=True)


@cli.command("watch")
@click.argument("input", metavar="FILE")
@click.option(
    "--exit-on-nan", is_flag=True, help="End at the first non-finite loss (or lr), exit 1."
)
@click.option(
    "--exit-on-divergence", is_flag=True, help="End at the first divergence warning, exit 1."
)
@click.option(
    "--idle-exit",
    type=Seconds(1e7),
    default=None,
    metavar="SECONDS",
    help="End when FILE has not grown for this long (default: follow until Ctrl-C).",
)
@_report_format_option("Format of the final report.")
@_input_format_option("Skip detection and read FILE as this log format.")
@_color_option
def watch_command(
    input: str,
    exit_on_nan: bool,
    exit_on_divergence: bool,
    idle_exit: float | None,
    output_format: str,
    input_format: str | None,
    color: str,
) -> int:
    """Follow a growing log (like tail -f) and say what happens as it happens.

    Prints one line on stderr per event (early warning of divergence, the
    first NaN/inf) and, when the input ends (or on Ctrl-C), the full report on
    stdout. FILE may be - to read standard input; a FILE that does not exist
    yet is waited for (start watch, then the training). Truncation and
    rotation are followed.

    \b
    Examples:
      nanlog watch train.log
      python train.py 2>&1 | tee train.log | nanlog watch --exit-on-nan -
      nanlog watch --idle-exit 60 --format json run.log

    \b
    Exit codes: 0 healthy, 1 a problem was found (or --exit-on-nan fired),
    2 FILE could not be read.
    """
    from nanlog.follow import watch
    from nanlog.live import LiveEvent, Monitor

    monitor = Monitor(input, input_format)
    if input != "-":
        stop = "Ctrl-C" if idle_exit is None else f"{idle_exit:g} s without growth, or Ctrl-C,"
        _say(LiveEvent("info", f"watching {input}; {stop} ends it and prints the report", 0))
    try:
        outcome = watch(input, monitor, _say, exit_on_nan, exit_on_divergence, idle_exit)
    except KeyboardInterrupt:
        outcome = None
        _after_ctrl_c()
    report = monitor.close()
    if not report.records and not report.problem and not monitor.run.events:
        raise NanlogError(f"no training metrics found in {input}")
    _write_reports([report], output_format, sys.stdout, color)
    return int(ExitCode.PROBLEM if report.problem or (outcome and outcome.stopped) else ExitCode.OK)


@cli.command(
    "run", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False}
)
@click.argument(
    "command", nargs=-1, required=True, type=click.UNPROCESSED, metavar="-- COMMAND [ARGS]..."
)
@click.option(
    "--stop-on-nan",
    is_flag=True,
    help="Stop the command at the first non-finite loss (SIGINT, then SIGTERM/SIGKILL after "
    "--grace seconds) and exit 1.",
)
@click.option(
    "--stop-on-divergence", is_flag=True, help="Stop the command at the first divergence warning."
)
@click.option(
    "--grace",
    type=Seconds(3600),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="How long the command may take to exit after each signal.",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Keep a copy of the command's raw output in this file.",
)
@_report_format_option("Format of the final report (written to stderr).")
@_input_format_option("Skip detection and read the output as this log format.")
@_color_option
def run_command(
    command: tuple[str, ...],
    stop_on_nan: bool,
    stop_on_divergence: bool,
    grace: float,
    log_path: str | None,
    output_format: str,
    input_format: str | None,
    color: str,
) -> int:
    """Run a training command, watch its output, and diagnose it at the end.

    The command's stdout and stderr pass through unchanged (through a
    pseudo-terminal when nanlog runs in one, so progress bars keep working);
    nanlog's own lines and the final report go to stderr, so the command's
    stdout stays its own. With --log, the report's line numbers are lines of
    that file.

    \b
    Examples:
      nanlog run -- python train.py --epochs 10
      nanlog run --stop-on-nan --log train.log -- python train.py

    \b
    Exit codes: the command's own exit code; 1 if nanlog stopped it or found
    a problem in an otherwise successful run; 2 if it could not be started.
    """
    from nanlog.follow import run_child
    from nanlog.live import Monitor

    args = list(command)
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        raise NanlogError("no command to run; put it after --, e.g. nanlog run -- python train.py")
    from nanlog.follow import Terminated

    # The report's lines count the command's output: name the --log copy that holds them.
    monitor = Monitor(log_path or args[0], input_format)
    try:
        log = open(log_path, "wb") if log_path else None  # noqa: SIM115 - closed below
    except OSError as exc:
        raise NanlogError(f"cannot write --log {log_path}: {exc.strerror or exc}") from None
    try:
        outcome = run_child(args, monitor, _say, stop_on_nan, stop_on_divergence, grace, log)
    except KeyboardInterrupt:
        _after_ctrl_c()
        _write_reports([monitor.close()], output_format, sys.stderr, color)
        raise
    except Terminated as ended:  # SIGTERM/SIGHUP: the command was stopped, say what was seen
        _write_reports([monitor.close()], output_format, sys.stderr, color)
        raise SystemExit(128 + ended.signum) from None
    finally:
        if log is not None:
            with suppress(OSError):
                log.close()
    report = monitor.close()
    if report.records or monitor.run.events:
        _write_reports([report], output_format, sys.stderr, color)
    if outcome.stopped:
        return int(ExitCode.PROBLEM)
    if outcome.child_status:
        return outcome.child_status
    return int(ExitCode.PROBLEM if report.problem else ExitCode.OK)


@cli.command("rules")
@click.argument("query", metavar="[CODE|NAME|CAUSE]", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json: every rule and cause (or the one asked for) as data.",
)
@_color_option
def rules_command(query: str | None, output_format: str, color: str) -> None:
    """List every rule and cause; with CODE, NAME or CAUSE, its page.

    A rule's page says what it detects, why that leads to NaN, a log it fires
    on and a near miss it stays silent on (both run by the test suite). A
    cause's page says what went wrong, the remedies in each framework's
    terms, and which rules bear on it.

    \b
    Examples:
      nanlog rules                          every rule, and every cause id
      nanlog rules SH01                     one rule, by code
      nanlog rules shape.steady-growth      the same rule, by name
      nanlog rules exploding_gradients      a cause: remedies, and the rules for it
      nanlog rules --format json | jq '.rules[].code'
    """
    from nanlog import rulebook
    from nanlog.causes import Cause
    from nanlog.rulebook_text import render_catalogue, render_page

    if output_format == "json":
        if query is None:
            data: object = rulebook.catalogue()
        else:
            found = rulebook.lookup(query)
            data = (
                rulebook.cause_data(found)
                if isinstance(found, Cause)
                else rulebook.rule_data(found)
            )
        with _output():
            sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return
    terminal = sys.stdout.isatty()
    colored, width = color_wanted(color, terminal), _width(terminal)
    if query is None:
        text = render_catalogue(colored, width)
    else:
        text = render_page(rulebook.lookup(query), colored, width)
    if not _can_encode(sys.stdout, text):
        text = ascii_drawing(text)
    with _output():
        sys.stdout.write(text)
        sys.stdout.flush()


@cli.command("scan")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "jsonl", "csv", "markdown"]),
    default="text",
    show_default=True,
    help="text: the grouped summary; jsonl/csv: one row per run; markdown for CI summaries.",
)
@click.option(
    "--parquet",
    "parquet_path",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write the per-run table as Parquet (needs pyarrow).",
)
@click.option(
    "--all", "every_run", is_flag=True, help="List every run in the text summary, healthy too."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 1024),
    default=None,
    help="Processes to diagnose with on this machine (default: one per core).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Diagnose on Dask instead: a scheduler address (tcp://host:8786) or one of Dask's "
    "local schedulers (processes, threads, synchronous). Needs nanlog[dask].",
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where results are kept between scans (default: ~/.cache/nanlog/scan-cache.jsonl).",
)
@click.option("--no-cache", is_flag=True, help="Read every log again; keep nothing.")
@_color_option
def scan_command(
    paths: tuple[str, ...],
    output_format: str,
    parquet_path: str | None,
    every_run: bool,
    jobs: int | None,
    scheduler: str | None,
    cache_path: str | None,
    no_cache: bool,
    color: str,
) -> int:
    """Diagnose many runs and say which broke, where and why, grouped.

    PATH is a folder of runs (searched recursively), a log file, a glob
    ('runs/*/train.log', quoted), or a remote folder through fsspec
    (s3://, gs://, hf://, http(s)://, memory://; pip install 'nanlog[remote]').
    A run is a folder with its logs (console log, metrics.csv,
    trainer_state.json, TensorBoard events); it takes the verdict of its first
    broken log. Results are cached by each file's size, modification time and
    the hash of its head, so scanning again reads only what changed.

    \b
    Examples:
      nanlog scan sweeps/
      nanlog scan --format csv 'runs/*/train.log' > runs.csv
      nanlog scan --parquet runs.parquet s3://bucket/experiments/
      nanlog scan --scheduler tcp://10.0.0.5:8786 /shared/sweeps/

    \b
    Exit codes: 0 no run broke, 1 at least one run broke, 2 nothing could be
    scanned (no logs, a bad option). Unreadable logs are listed, not fatal.
    """
    from nanlog import scan as fleet
    from nanlog import scan_output

    if scheduler is not None and jobs is not None:
        raise NanlogError("--jobs is for this machine, --scheduler for Dask: give one of them")
    cache = fleet.Cache(
        None if no_cache else Path(cache_path) if cache_path else fleet.default_cache()
    )
    mapper = (
        fleet.dask_mapper(scheduler)
        if scheduler is not None
        else fleet.processes(jobs or os.cpu_count() or 1)
    )
    from nanlog.progress import ScanProgress

    with ScanProgress() as progress:
        result = fleet.scan(list(paths), mapper, cache, progress.update)
    if parquet_path is not None:
        scan_output.write_parquet(result, Path(parquet_path))
    if output_format == "text":
        terminal = sys.stdout.isatty()
        body = scan_output.text(result, color_wanted(color, terminal), _width(terminal), every_run)
    else:
        body = scan_output.RENDERERS[output_format](result)
    if not _can_encode(sys.stdout, body):
        body = ascii_drawing(body)
    with _output():
        sys.stdout.write(body)
        sys.stdout.flush()
    broken = any(r.verdict == "broken" for r in result.runs)
    return int(ExitCode.PROBLEM if broken else ExitCode.OK)


@cli.command("parse")
@click.argument("input", metavar="INPUT", type=str)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json", "jsonl"]),
    default="csv",
    show_default=True,
    help="csv: one row a value; json: {series: [...], source, format, events, ...}; "
    "jsonl: one object a value, one a line.",
)
@_input_format_option("Skip detection and read INPUT as this log format.")
def parse_command(input: str, output_format: str, input_format: str | None) -> None:
    """Print the normalised time series read from INPUT (a file, or - for stdin).

    One row per value the log printed: line (1-based), step, epoch, batch,
    phase (train/val/eval/summary), metric (canonical name), name (as printed)
    and value. A value that was not printed has no row. In CSV a printed NaN
    is written as nan (inf, -inf likewise), never as an empty cell; in JSON
    it is null, spelled in the column nonfinite.

    \b
    Load it in pandas:
      nanlog parse train.log > series.csv
      python -c "import pandas; print(pandas.read_csv('series.csv'))"
      nanlog parse --format jsonl train.log > series.jsonl
      python -c "import pandas; print(pandas.read_json('series.jsonl', lines=True))"
    """
    from nanlog.io import resolve_inputs
    from nanlog.output import EXPORTS
    from nanlog.parsing import stream_source

    sources = resolve_inputs([input])
    if len(sources) != 1:
        raise NanlogError(f"{input} holds {len(sources)} logs; parse takes one file (name it)")
    export = EXPORTS[output_format](sys.stdout)
    with _output():
        run = stream_source(sources[0], input_format, export.flush)
        export.close(run)
        sys.stdout.flush()


class _OutputClosed(Exception):
    """stdout's reader went away; not an OSError, so click does not turn it into exit 1."""


@contextmanager
def _output() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        raise _OutputClosed from None


def _signals_to_main_thread() -> None:
    """Start the threads libraries start at import (OpenBLAS: one per core, when numpy is
    first imported) with SIGINT, SIGTERM and SIGHUP blocked, so those signals always reach
    the main thread. Delivered to a worker, a signal would leave the main thread asleep in a
    read or a select (``run`` waiting on a quiet child, ``diagnose -`` on a quiet pipe)."""
    if (
        not hasattr(signal, "pthread_sigmask")
        or "numpy" in sys.modules
        or threading.current_thread() is not threading.main_thread()
    ):
        return
    signals = {signal.SIGINT, signal.SIGTERM}
    if hasattr(signal, "SIGHUP"):
        signals.add(signal.SIGHUP)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        import numpy  # noqa: F401  (its threads inherit the mask)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: run the CLI and map every outcome to the contract's exit codes."""
    _tolerant_streams()
    _signals_to_main_thread()
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
    except OSError as exc:  # stdout on a full disk (>/dev/full), a vanished terminal
        _fail(f"cannot write the output: {exc.strerror or exc}", ExitCode.ERROR)
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
    except OSError:
        code = ExitCode.ERROR  # the output could not be written: never "success"
    message = shown(message)  # one line, whatever a file name or an exception holds
    with suppress(OSError):  # stderr itself unwritable (2>/dev/full): the exit code says it
        click.echo(
            f"nanlog: error: {message}" if code == ExitCode.ERROR else f"nanlog: {message}",
            err=True,
        )
    raise SystemExit(code)


def _tolerant_streams() -> None:
    """Output in any encoding: what the terminal's encoding cannot show is escaped, not fatal
    (``PYTHONIOENCODING=ascii``, cp1252 on Windows)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _quiet_broken_pipe() -> NoReturn:
    """The reader went away (``| head``): stop writing, say nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(ExitCode.OK)
