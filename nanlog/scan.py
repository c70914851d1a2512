"""``nanlog scan``: diagnose a fleet of runs, local or remote, and group what broke.

A *run* is a folder with its logs: a console log, and the structured files beside it
(``metrics.csv``, ``trainer_state.json``, TensorBoard event files). Each log is diagnosed on
its own (:func:`diagnose_file`, a pure function of one file, so it can be mapped over
processes or a Dask cluster) and the run takes the verdict of its first broken log.

Remote folders are read through fsspec (``s3://``, ``gs://``, ``hf://``, ``http(s)://``,
``memory://``, ``file://``), an optional extra. A cache keyed by each file's identity (size,
modification time, a hash of its first 64 KB) lets a second scan read only what changed.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from nanlog import __version__
from nanlog.errors import NanlogError
from nanlog.io import list_log_files, select_log_files

HEAD_BYTES = 65536  # the part of a file whose hash is part of its identity


@dataclass(frozen=True)
class LogFile:
    """One log to diagnose: where it is, and what it is (for the cache)."""

    url: str  # a local path, or a URL fsspec opens
    run: str  # the run (folder) it belongs to
    identity: str = ""  # size, mtime and head hash; "" when not yet known


@dataclass
class FileResult:
    """What one log showed, small enough to cache and to ship back from a worker."""

    url: str
    run: str
    identity: str
    verdict: str  # "broken", "healthy" or "unreadable"
    format: str = ""
    records: int = 0
    metric: str | None = None  # where it broke
    value: str | None = None
    step: int | None = None
    epoch: int | None = None
    line: int | None = None
    causes: list[tuple[str, float]] = field(default_factory=list)  # ranked (id, score)
    error: str | None = None


@dataclass
class RunResult:
    """A run's row in the summary: the verdict of its first broken log, else healthy."""

    run: str
    verdict: str
    logs: int
    log: str  # the log the verdict comes from
    format: str = ""
    metric: str | None = None
    value: str | None = None
    step: int | None = None
    epoch: int | None = None
    line: int | None = None
    top_cause: str | None = None
    score: float | None = None
    causes: str = ""  # the top three, "id score; ..."
    error: str | None = None


# -- finding the runs ---------------------------------------------------------------------


def is_remote(name: str) -> bool:
    return "://" in name


def find_logs(paths: Iterable[str]) -> list[LogFile]:
    """Every log under the given folders, files and globs (local or remote), each with its run."""
    found: dict[str, LogFile] = {}
    for name in paths:
        for log in _remote_logs(name) if is_remote(name) else _local_logs(name):
            found.setdefault(log.url, _checkpoint_owner(log))
    if not found:
        raise NanlogError(f"no log files found in {', '.join(paths)}")
    return _latest_checkpoints(sorted(found.values(), key=lambda f: (f.run, f.url)))


_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def _checkpoint_owner(log: LogFile) -> LogFile:
    """A Hugging Face ``checkpoint-N`` folder belongs to the run folder above it."""
    folder = PurePosixPath(log.run)
    if _CHECKPOINT.match(folder.name):
        run = str(folder.parent) if "://" not in log.run else log.run.rsplit("/", 1)[0]
        return LogFile(log.url, run, log.identity)
    return log


def _latest_checkpoints(logs: list[LogFile]) -> list[LogFile]:
    """Each ``checkpoint-N/trainer_state.json`` holds the whole history so far: keep the
    latest checkpoint's, not every one (the others would only repeat it)."""
    states = [(log, _checkpoint_step(log.url)) for log in logs]
    latest: dict[str, int] = {}
    for log, step in states:
        if step is not None:
            latest[log.run] = max(step, latest.get(log.run, step))
    return [log for log, step in states if step is None or step == latest[log.run]]


def _checkpoint_step(url: str) -> int | None:
    """N for ``.../checkpoint-N/trainer_state.json``, else None."""
    path = PurePosixPath(url)
    match = _CHECKPOINT.match(path.parent.name)
    return int(match.group(1)) if match and path.name == "trainer_state.json" else None


def _local_logs(name: str) -> Iterator[LogFile]:
    matches = sorted(glob.glob(name, recursive=True)) if glob.has_magic(name) else [name]
    if not matches:
        raise NanlogError(f"nothing matches {name}")
    for match in matches:
        path = Path(match)
        if path.is_dir():
            for log in list_log_files(path):
                yield LogFile(str(log), str(log.parent))
        elif path.is_file():
            yield LogFile(str(path), str(path.parent))
        else:
            raise NanlogError(f"no such file or folder: {match}")


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise NanlogError(
            f"reading {url} needs fsspec: pip install 'nanlog[remote]' "
            "(and s3fs, gcsfs or huggingface_hub for those stores)"
        ) from None
    try:
        fs, root = url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise NanlogError(f"cannot open {url}: {exc}") from None
    return fs, str(root)


def _remote_logs(url: str) -> Iterator[LogFile]:
    fs, root = _filesystem(url)
    protocol = url.split("://", 1)[0]
    try:
        if glob.has_magic(root):
            entries = [(p, fs.isdir(p)) for p in sorted(fs.glob(root))]
        else:
            entries = [(root, fs.isdir(root))]
    except OSError as exc:
        raise NanlogError(f"cannot list {url}: {exc}") from None
    for entry, is_dir in entries:
        if not is_dir:
            if not fs.exists(entry):
                raise NanlogError(f"no such file or folder: {url}")
            yield LogFile(_url(protocol, entry), _url(protocol, _parent(entry)))
            continue
        base = PurePosixPath(entry)
        files = [PurePosixPath(p).relative_to(base) for p in fs.find(entry)]
        for log in select_log_files(files):
            path = str(base / log)
            yield LogFile(_url(protocol, path), _url(protocol, _parent(path)))


def _parent(path: str) -> str:
    return str(PurePosixPath(path).parent)


def _url(protocol: str, path: str) -> str:
    if protocol in ("http", "https"):
        return path  # fsspec's http paths are full URLs already
    return f"{protocol}://{path.lstrip('/')}" if protocol != "file" else path


# -- identity and the cache ---------------------------------------------------------------


def identify(log: LogFile) -> LogFile:
    """The log with its identity: size, mtime and a hash of its head."""
    digest = hashlib.blake2b(digest_size=12)
    if is_remote(log.url):
        fs, path = _filesystem(log.url)
        info = fs.info(path)
        size, mtime = info.get("size"), info.get("mtime") or info.get("LastModified") or ""
        with fs.open(path, "rb") as handle:
            digest.update(handle.read(HEAD_BYTES))
    else:
        stat = os.stat(log.url)
        size, mtime = stat.st_size, stat.st_mtime_ns
        with open(log.url, "rb") as handle:
            digest.update(handle.read(HEAD_BYTES))
    return LogFile(log.url, log.run, f"{size}:{mtime}:{digest.hexdigest()}")


class Cache:
    """File results by (url, identity), kept as JSON lines; a new nanlog version starts over.

    Results are appended as they come in, so an interrupted scan resumes where it stopped.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[tuple[str, str], FileResult] = {}
        if path is None or not path.is_file():
            return
        with path.open(encoding="utf-8") as handle:
            for text in handle:
                try:
                    row = json.loads(text)
                except ValueError:
                    continue  # a line cut short by an interrupted scan
                if row.pop("nanlog_version", None) != __version__:
                    continue
                try:
                    result = FileResult(**row)
                except TypeError:
                    continue
                result.causes = [(str(c), float(s)) for c, s in result.causes]
                self.known[(result.url, result.identity)] = result

    def get(self, log: LogFile) -> FileResult | None:
        return self.known.get((log.url, log.identity))

    def add(self, results: list[FileResult]) -> None:
        if self.path is None or not results:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for result in results:
                row = {**asdict(result), "nanlog_version": __version__}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nanlog" / "scan-cache.jsonl"


# -- diagnosing ---------------------------------------------------------------------------


def diagnose_file(log: LogFile) -> FileResult:
    """Diagnose one log (local or remote); never raises for a bad log: it is 'unreadable'."""
    from nanlog.engine import diagnose_run
    from nanlog.io import Source
    from nanlog.parsing import parse_source, parse_stream
    from nanlog.reporters.base import break_place

    try:
        if not is_remote(log.url):
            report = diagnose_run(parse_source(Source(log.url, Path(log.url))))
        elif PurePosixPath(log.url).name.startswith("events.out.tfevents"):
            report = diagnose_run(_remote_event_file(log.url))
        else:
            fs, path = _filesystem(log.url)
            with fs.open(path, "rb") as handle:
                report = diagnose_run(parse_stream(handle, log.url))
    except NanlogError as exc:
        return FileResult(log.url, log.run, log.identity, "unreadable", error=str(exc))
    except (OSError, MemoryError, RecursionError, ValueError) as exc:
        detail = f"{type(exc).__name__}: {exc}"
        return FileResult(log.url, log.run, log.identity, "unreadable", error=detail)
    first = report.first_nonfinite or {}
    place = break_place(report)
    step, epoch, line = place.get("step"), first.get("epoch"), place.get("line")
    return FileResult(
        log.url,
        log.run,
        log.identity,
        "broken" if report.problem else "healthy",
        format=report.format,
        records=report.records,
        metric=str(place["metric"]) if place.get("metric") is not None else None,
        value=str(first["value"]) if first else None,
        step=int(step) if isinstance(step, int) else None,
        epoch=int(epoch) if isinstance(epoch, int) else None,
        line=int(line) if isinstance(line, int) else None,
        causes=[(c.id, c.score) for c in report.causes],
    )


def _remote_event_file(url: str) -> Any:
    """TensorBoard's reader needs a local file: copy the remote one to a temporary file."""
    from nanlog.tfevents import read_event_file

    fs, path = _filesystem(url)
    with tempfile.TemporaryDirectory() as folder:
        local = Path(folder) / PurePosixPath(path).name
        fs.get(path, str(local))
        return read_event_file(local, url)


def summarise_run(run: str, results: list[FileResult]) -> RunResult:
    """A run takes its first broken log's verdict; healthy if any log was read; else unreadable."""
    chosen = next((r for r in results if r.verdict == "broken"), None)
    chosen = chosen or next((r for r in results if r.verdict == "healthy"), None)
    chosen = chosen or results[0]
    top = chosen.causes[0] if chosen.causes else None
    return RunResult(
        run=run,
        verdict=chosen.verdict,
        logs=len(results),
        log=chosen.url,
        format=chosen.format,
        metric=chosen.metric,
        value=chosen.value,
        step=chosen.step,
        epoch=chosen.epoch,
        line=chosen.line,
        top_cause=top[0] if top else None,
        score=round(top[1], 3) if top else None,
        causes="; ".join(f"{c} {s:.2f}" for c, s in chosen.causes[:3]),
        error=chosen.error if chosen.verdict == "unreadable" else None,
    )


Mapper = Callable[[Callable[[LogFile], FileResult], list[LogFile]], Iterable[FileResult]]


@dataclass
class Scan:
    runs: list[RunResult]
    files: int
    from_cache: int


def scan(
    paths: list[str],
    mapper: Mapper,
    cache: Cache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Scan:
    """Find the logs, diagnose the ones the cache does not know, group them by run.

    ``mapper(function, logs)`` runs ``function`` over ``logs`` (in this process, a process
    pool, or a Dask cluster) and yields the results in any order.
    """
    logs = find_logs(paths)
    cache = cache or Cache(None)
    if cache.path is not None:
        logs = [identify(log) for log in logs]
    results: dict[str, FileResult] = {}
    todo = []
    for log in logs:
        known = cache.get(log)
        if known is not None:
            results[log.url] = known
        else:
            todo.append(log)
    done, fresh = len(results), []
    for result in mapper(diagnose_file, todo):
        results[result.url] = result
        fresh.append(result)
        done += 1
        if len(fresh) >= 256:
            cache.add(fresh)
            fresh = []
        if progress is not None:
            progress(done, len(logs))
    cache.add(fresh)
    by_run: dict[str, list[FileResult]] = {}
    for log in logs:
        by_run.setdefault(log.run, []).append(results[log.url])
    runs = [summarise_run(run, found) for run, found in by_run.items()]
    return Scan(order(runs), len(logs), len(logs) - len(todo))


def order(runs: list[RunResult]) -> list[RunResult]:
    """Broken runs first (the earliest break first), then unreadable, then healthy."""
    rank = {"broken": 0, "unreadable": 1, "healthy": 2}

    def key(r: RunResult) -> tuple[int, int, int, str]:
        step = r.step if r.step is not None else (r.line or 0)
        return (rank[r.verdict], step, r.line or 0, r.run)

    return sorted(runs, key=key)


def by_cause(runs: list[RunResult]) -> list[tuple[str, int]]:
    """Broken runs per top cause, most frequent first."""
    counts = Counter(r.top_cause or "(no cause)" for r in runs if r.verdict == "broken")
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


# -- running it: here, on processes, on Dask ----------------------------------------------


def serial(function: Callable[[LogFile], FileResult], logs: list[LogFile]) -> Iterator[FileResult]:
    return (function(log) for log in logs)


def processes(jobs: int) -> Mapper:
    def mapper(
        function: Callable[[LogFile], FileResult], logs: list[LogFile]
    ) -> Iterator[FileResult]:
        if jobs <= 1 or len(logs) < 2:
            yield from serial(function, logs)
            return
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            yield from pool.map(function, logs, chunksize=max(1, min(64, len(logs) // (4 * jobs))))

    return mapper


def dask_mapper(scheduler: str) -> Mapper:
    """Map over Dask: a scheduler address (``tcp://host:8786``) through ``distributed``, or
    one of Dask's local schedulers (``processes``, ``threads``, ``synchronous``)."""
    try:
        import dask.bag as bag
    except ImportError:
        raise NanlogError("--scheduler needs Dask: pip install 'nanlog[dask]'") from None

    def mapper(function: Callable[[LogFile], FileResult], logs: list[LogFile]) -> list[FileResult]:
        if not logs:
            return []
        parts = max(1, min(len(logs), 256))
        items = bag.from_sequence(logs, npartitions=parts).map(function)  # type: ignore[no-untyped-call]
        if "://" in scheduler:
            try:
                from distributed import Client
            except ImportError:
                raise NanlogError(
                    "a scheduler address needs dask.distributed: pip install 'nanlog[dask]'"
                ) from None
            try:
                with Client(scheduler, timeout="10s"):  # type: ignore[no-untyped-call]
                    return list(items.compute())
            except OSError as exc:
                raise NanlogError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        return list(items.compute(scheduler=scheduler))

    return mapper
