"""Where live bytes come from: a growing file or stdin (``watch``), or a child process (``run``)."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from nanlog.errors import NanlogError
from nanlog.io import COMPRESSED_MAGIC, decompressed
from nanlog.live import LiveEvent, Monitor

Say = Callable[[LiveEvent], None]
READ_SIZE = 65536


@dataclass
class Outcome:
    stopped: bool = False  # nanlog ended the input or the child because of what it saw
    child_status: int | None = None  # the child's exit code (128+N for a signal)
    signalled_at: float | None = None  # time.monotonic() when the child was sent SIGINT


def _should_stop(events: list[LiveEvent], on_nan: bool, on_divergence: bool) -> bool:
    return any((on_nan and e.fatal) or (on_divergence and e.kind == "divergence") for e in events)


def _feed(monitor: Monitor, data: bytes, say: Say, on_nan: bool, on_divergence: bool) -> bool:
    """Feed bytes, say what they brought; whether to stop."""
    events = monitor.feed(data)
    for event in events:
        say(event)
    return _should_stop(events, on_nan, on_divergence)


def watch(
    path: str,
    monitor: Monitor,
    say: Say,
    exit_on_nan: bool,
    exit_on_divergence: bool,
    idle_exit: float | None,
    poll: float = 0.2,
) -> Outcome:
    """Follow a file like ``tail -f`` (surviving truncation and rotation), or read stdin to its end."""
    outcome = Outcome()
    if path == "-":
        return _read_stream(sys.stdin.fileno(), monitor, say, exit_on_nan, exit_on_divergence)
    handle = _open_when_there(path, say, idle_exit, poll)
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        # A FIFO or <(cmd): read what arrives as it arrives, to the writer's end (no seeking).
        try:
            return _read_stream(handle.fileno(), monitor, say, exit_on_nan, exit_on_divergence)
        finally:
            handle.close()
    head = os.pread(handle.fileno(), 8, 0)
    if any(head.startswith(magic) for magic in COMPRESSED_MAGIC):
        # A compressed log is finished (it cannot be appended to and still be read): read it.
        try:
            stream = decompressed(handle)
            while data := stream.read(READ_SIZE):
                if _feed(monitor, data, say, exit_on_nan, exit_on_divergence):
                    outcome.stopped = True
                    break
            return outcome
        finally:
            handle.close()
    inode = os.fstat(handle.fileno()).st_ino
    idle_since = time.monotonic()
    try:
        while True:
            data = handle.read(READ_SIZE)
            if data:
                idle_since = time.monotonic()
                if _feed(monitor, data, say, exit_on_nan, exit_on_divergence):
                    outcome.stopped = True
                    return outcome
                continue
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None  # rotated away; wait for the new file
            if current is not None and current.st_ino != inode:
                handle.close()
                handle = _open(path)
                inode = current.st_ino
                monitor.restart()  # rotated: a new file, its own line numbers
                continue
            if current is not None and current.st_size < handle.tell():
                handle.seek(0)  # truncated: the log starts again
                monitor.restart()
                continue
            if idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
                return outcome
            time.sleep(poll)
    finally:
        handle.close()


def _read_stream(
    fd: int, monitor: Monitor, say: Say, exit_on_nan: bool, exit_on_divergence: bool
) -> Outcome:
    """Read a pipe with ``os.read`` (what is there, not a full buffer) until its end."""
    outcome = Outcome()
    while True:
        data = os.read(fd, READ_SIZE)
        if not data:
            return outcome
        if _feed(monitor, data, say, exit_on_nan, exit_on_divergence):
            outcome.stopped = True
            return outcome


def _open_when_there(path: str, say: Say, idle_exit: float | None, poll: float) -> BinaryIO:
    """Open ``path``, waiting for it to appear: ``watch`` is often started before training."""
    waiting_since: float | None = None
    while True:
        try:
            return _open(path)
        except NanlogError:
            if os.path.lexists(path) or not os.path.isdir(os.path.dirname(path) or "."):
                raise  # unreadable, or its folder does not exist: waiting would not help
        now = time.monotonic()
        if waiting_since is None:
            waiting_since = now
            say(LiveEvent("info", f"waiting for {path} to appear (Ctrl-C to stop)", 0))
        elif idle_exit is not None and now - waiting_since >= idle_exit:
            raise NanlogError(f"no such file: {path} (waited {idle_exit:g} s)")
        time.sleep(poll)


def _open(path: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise NanlogError(f"no such file: {path}") from None
    except PermissionError:
        raise NanlogError(f"cannot read {path}: permission denied") from None
    except IsADirectoryError:
        raise NanlogError(f"{path} is a directory; watch follows one log file") from None


def run_child(
    command: list[str],
    monitor: Monitor,
    say: Say,
    stop_on_nan: bool,
    stop_on_divergence: bool,
    grace: float,
    log: BinaryIO | None,
) -> Outcome:
    """Start the command, pass its output through unchanged, feed it to the monitor, stop it if asked."""
    use_pty = sys.stdout.isatty() and os.name == "posix"
    outcome = Outcome()
    master = None
    try:
        if use_pty:
            import pty

            master, slave = pty.openpty()
            _copy_window_size(sys.stdout.fileno(), slave)
            child = subprocess.Popen(command, stdout=slave, stderr=slave, start_new_session=True)
            os.close(slave)
            streams = {master: sys.stdout.buffer}
        else:
            # Through pipes a Python child would block-buffer its output and nanlog would
            # see the NaN late: ask it not to (other programs ignore the variable).
            env = {**os.environ, "PYTHONUNBUFFERED": os.environ.get("PYTHONUNBUFFERED", "1")}
            child = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                env=env,
            )
            assert child.stdout is not None and child.stderr is not None
            streams = {
                child.stdout.fileno(): sys.stdout.buffer,
                child.stderr.fileno(): sys.stderr.buffer,
            }
    except OSError as exc:
        if master is not None:
            os.close(master)
        raise NanlogError(f"cannot start {command[0]}: {exc.strerror or exc}") from None

    restore_signals = _ending_signals()
    selector = selectors.DefaultSelector()
    for fd in streams:
        selector.register(fd, selectors.EVENT_READ)
    deadline: float | None = None
    escalation = [signal.SIGTERM, signal.SIGKILL]
    try:
        while streams:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = selector.select(timeout)
            if not ready and deadline is not None:
                sig = escalation.pop(0) if escalation else signal.SIGKILL
                name = signal.Signals(sig).name
                say(LiveEvent("info", f"{command[0]} still running after {grace:g} s: {name}", 0))
                _signal(child, sig)
                deadline = time.monotonic() + grace if escalation else None
                continue
            for key, _ in ready:
                fd = int(key.fd)
                try:
                    data = os.read(fd, READ_SIZE)
                except OSError:  # a pty reports EIO when the child's side closes
                    data = b""
                if not data:
                    selector.unregister(fd)
                    out = streams.pop(fd)
                    out.flush()
                    continue
                out = streams[fd]
                with contextlib.suppress(BrokenPipeError):
                    out.write(data)
                    out.flush()
                if log is not None:
                    try:
                        log.write(data)
                        log.flush()
                    except OSError as exc:  # a full disk must not stop the training
                        say_log_failure(say, exc)
                        log = None
                if (
                    _feed(monitor, data, say, stop_on_nan, stop_on_divergence)
                    and not outcome.stopped
                ):
                    outcome.stopped = True
                    outcome.signalled_at = time.monotonic()
                    why = "--stop-on-nan" if stop_on_nan else "--stop-on-divergence"
                    say(
                        LiveEvent(
                            "info",
                            f"stopping {command[0]} ({why}): SIGINT now, SIGTERM and then "
                            f"SIGKILL if it is still running {grace:g} s after each",
                            0,
                        )
                    )
                    _signal(child, signal.SIGINT)  # first, so the framework can save a checkpoint
                    deadline = time.monotonic() + grace
    except BaseException:
        # Ctrl-C, SIGTERM/SIGHUP to nanlog (see _ending_signals), an internal error: whatever
        # ends nanlog ends the command too, with the same INT -> TERM -> KILL escalation.
        stop_child(child, grace)
        raise
    finally:
        restore_signals()
        selector.close()
        if master is not None:
            with contextlib.suppress(OSError):
                os.close(master)
    status = child.wait()
    outcome.child_status = 128 - status if status < 0 else status
    return outcome


class Terminated(BaseException):
    """nanlog itself was asked to end (SIGTERM, SIGHUP)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _ending_signals() -> Callable[[], None]:
    """Turn SIGTERM and SIGHUP into an exception while a child runs; return the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def ended(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    previous = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            previous[sig] = signal.signal(sig, ended)

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


def stop_child(child: subprocess.Popen[bytes], grace: float) -> None:
    """SIGINT (a framework can save a checkpoint), then SIGTERM, then SIGKILL, ``grace`` apart."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if child.poll() is not None:
            return
        _signal(child, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=grace if sig != signal.SIGKILL else None)


def say_log_failure(say: Say, exc: OSError) -> None:
    say(LiveEvent("warning", f"stopped writing --log: {exc.strerror or exc}", 0))


def _signal(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)


def _copy_window_size(source: int, target: int) -> None:
    """Progress bars size themselves to the terminal: give the child ours."""
    with contextlib.suppress(OSError, ImportError):
        import fcntl
        import termios

        size = fcntl.ioctl(source, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(target, termios.TIOCSWINSZ, size)
