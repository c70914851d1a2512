"""A stand-in training script for the live tests: prints a log line by line, with delays.

It prints in one of three styles (plain, keras redraws, HF dicts), turns NaN at a known
step, and records when it printed the NaN and when it received SIGINT, so tests can
measure the stop latency. Hand-written on purpose: the tests need exact timing control.

    python fake_train.py --style plain --nan-at 30 --steps 60 --delay 0.02 --marks marks.txt
"""

import argparse
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--style", choices=["plain", "keras", "hf"], default="plain")
parser.add_argument("--steps", type=int, default=60)
parser.add_argument("--nan-at", type=int, default=0)
parser.add_argument("--delay", type=float, default=0.02)
parser.add_argument("--marks", default=None)
parser.add_argument(
    "--grow", action="store_true", help="the loss grows x3 a step instead of falling"
)
parser.add_argument("--exit-code", type=int, default=0)
parser.add_argument(
    "--hold-at-nan",
    type=float,
    default=0.0,
    help="after printing the NaN, wait this long for a signal (tests: no race with the stop)",
)
args = parser.parse_args()
marks = open(args.marks, "a", buffering=1) if args.marks else None  # noqa: SIM115


def on_sigint(signum, frame):
    if marks:
        marks.write(f"sigint {time.monotonic():.6f} step {step}\n")
    print("saving checkpoint before exit", flush=True)
    sys.exit(130)


signal.signal(signal.SIGINT, on_sigint)
step = 0
loss = 2.0
for step in range(1, args.steps + 1):
    loss = loss * 3.0 if args.grow else loss * 0.97
    value = "nan" if args.nan_at and step >= args.nan_at else f"{loss:.4f}"
    if marks and value == "nan" and step == args.nan_at:
        # Marked before the line is written: with PYTHONUNBUFFERED (nanlog run sets it for a
        # piped child) a write is already a flush, and nanlog's SIGINT may come at once.
        marks.write(f"nan {time.monotonic():.6f} step {step}\n")
    if args.style == "plain":
        sys.stdout.write(f"epoch 1 step {step} loss {value} lr 0.001\n")
    elif args.style == "keras":
        if step == 1:
            sys.stdout.write("Epoch 1/1\n")
        done = step * 20 // args.steps
        bar = "=" * done + (">" + "." * (19 - done) if done < 20 else "")
        frame = f"{step:3d}/{args.steps} [{bar}] - ETA: 0s - loss: {value}"
        sys.stdout.write(frame + "\b" * len(frame) + "\r")
    else:
        sys.stdout.write(
            f"{{'loss': '{value}', 'grad_norm': '1.0', 'learning_rate': '5e-05', 'epoch': '{step / 100}'}}\n"
        )
    sys.stdout.flush()
    if value == "nan" and step == args.nan_at and args.hold_at_nan:
        held = time.monotonic() + args.hold_at_nan
        while time.monotonic() < held:  # the SIGINT handler exits from here
            time.sleep(0.01)
    time.sleep(args.delay)
if args.style == "keras":
    sys.stdout.write("\n")
print("training finished", flush=True)
sys.exit(args.exit_code)
