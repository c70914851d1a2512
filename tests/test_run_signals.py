"""Whatever ends ``nanlog run`` ends the command it runs (real child processes).

The waits here poll for an event (a file the child writes, a process that exits) with a
generous ceiling; nothing asserts on how long anything took.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import wait_for

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

# A training stand-in that ignores SIGINT (like a loop that catches KeyboardInterrupt) and,
# with "stubborn", SIGTERM too: only SIGKILL ends it.
CHILD = """
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
if sys.argv[2] == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
open(sys.argv[1], "w").write(str(os.getpid()))
print("step 1 loss 0.5", flush=True)
while True:
    time.sleep(0.05)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _start(tmp_path: Path, mode: str) -> tuple[subprocess.Popen[bytes], Path]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    pid_file = tmp_path / "pid"
    nanlog = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nanlog",
            "run",
            "--grace",
            "0.3",
            "--",
            sys.executable,
            str(script),
            str(pid_file),
            mode,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for(lambda: pid_file.exists() and pid_file.read_text().strip())
    return nanlog, pid_file


@pytest.mark.parametrize(
    ("sig", "mode", "status"),
    [
        (signal.SIGTERM, "ignores-int", 128 + signal.SIGTERM),
        (signal.SIGHUP, "stubborn", 128 + signal.SIGHUP),
        (signal.SIGINT, "stubborn", 130),
    ],
)
def test_ending_nanlog_ends_the_child(tmp_path: Path, sig: int, mode: str, status: int) -> None:
    nanlog, pid_file = _start(tmp_path, mode)
    child = int(pid_file.read_text())
    nanlog.send_signal(sig)
    nanlog.communicate(timeout=120)
    assert nanlog.returncode == status
    wait_for(lambda: not _alive(child))


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_library_threads_leave_the_ending_signals_to_the_main_thread(tmp_path: Path) -> None:
    """numpy's OpenBLAS starts worker threads; a SIGINT delivered to one of them would leave
    nanlog's main thread asleep in select() while the child stays quiet (a real hang)."""
    nanlog, pid_file = _start(tmp_path, "stubborn")
    try:
        masks = {}
        for status in Path(f"/proc/{nanlog.pid}/task").glob("*/status"):
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
            masks[int(status.parent.name)] = int(fields["SigBlk"], 16)
        ending = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
        ending |= 1 << (signal.SIGHUP - 1)
        assert masks.pop(nanlog.pid) & ending == 0  # the main thread takes them
        assert all(mask & ending == ending for mask in masks.values())
    finally:
        nanlog.send_signal(signal.SIGTERM)
        nanlog.communicate(timeout=120)
    child = int(pid_file.read_text())
    wait_for(lambda: not _alive(child))
