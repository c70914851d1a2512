"""Shared test set-up: hypothesis profiles (smaller on CI) and paths."""

from __future__ import annotations

import csv
import os
import signal
from pathlib import Path

from hypothesis import HealthCheck, settings

# A session started in the background (nohup, ``cmd &`` in a script) inherits SIGINT ignored,
# and so would every nanlog it starts: the Ctrl-C tests would then wait forever. A caught
# SIGINT here becomes the default again in each child (exec resets caught signals).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_LOGS = ROOT / "sample_logs"


def labelled_logs() -> list[Path]:
    """Every labelled log: generated samples, the real blind sets, and ../shared/real_logs."""
    found = []
    corpora = [
        (SAMPLE_LOGS / "labels.csv", ROOT),
        (SAMPLE_LOGS / "real" / "labels.csv", SAMPLE_LOGS / "real"),
        (ROOT.parent / "shared" / "real_logs" / "labels.csv", ROOT.parent / "shared" / "real_logs"),
    ]
    for labels, root in corpora:
        if labels.is_file():
            with labels.open(encoding="utf-8") as handle:
                found += [root / row["file"] for row in csv.DictReader(handle)]
    return found


# The suite's profiles draw the same examples on every run (a red CI must be reproducible);
# the fuzz profile explores new ones.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=200, deadline=None, derandomize=True)
settings.register_profile(
    "fuzz", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def wait_for(condition, ceiling: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    """Poll for an event (not a time margin); the ceiling only ends a hung test."""
    import time

    end = time.monotonic() + ceiling
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("the awaited event did not happen")
        time.sleep(0.01)


def bytes_in_pipe(read_fd: int) -> int:
    """How many bytes wait unread in a pipe (FIONREAD on our copy of its read end)."""
    import array
    import fcntl
    import termios

    count = array.array("i", [0])
    fcntl.ioctl(read_fd, termios.FIONREAD, count)
    return count[0]


def read_offset(pid: int, path: Path) -> int | None:
    """The offset of process ``pid`` in the file ``path`` (Linux /proc), None if not open."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        for fd in fd_dir.iterdir():
            try:
                if os.readlink(fd) == str(path):
                    info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
                    return int(info.split("pos:", 1)[1].split()[0])
            except OSError:
                continue
    except OSError:
        return None
    return None
