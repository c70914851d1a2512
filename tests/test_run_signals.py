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
