"""Regenerate the README's generated blocks from the code, so they cannot drift.

Blocks sit between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``:

* ``rules``: the rule table, from the registry;
* ``report``: the text report of the Quick start's sample log, as a pipe at 80 columns
  (the remedies cut to two);
* ``formats``: the ``--format`` choices of ``diagnose``.

Usage::

    python scripts/readme.py           # rewrite README.md
    python scripts/readme.py --check   # exit 1 if README.md is out of date (the tests run this)
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SAMPLE = "sample_logs/keras/keras3_bad_input_data_v1_tty.log"
REMEDIES_SHOWN = 2


def rules_table() -> str:
    from nanlog.rules import RULES

    rows = ["| code | name | bears on | what it detects |", "|---|---|---|---|"]
    rows += [f"| {r.code} | {r.name} | {', '.join(r.causes)} | {r.summary} |" for r in RULES]
    return "\n".join(rows)


def report() -> str:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "nanlog", "diagnose", SAMPLE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    lines = result.stdout.rstrip("\n").split("\n")
    head = next(i for i, line in enumerate(lines) if line.startswith("What to do about"))
    kept, bullets = lines[: head + 1], 0
    for line in lines[head + 1 :]:
        if line.startswith("  • "):
            bullets += 1
        if bullets > REMEDIES_SHOWN:
            kept.append("  ...")
            break
        kept.append(line)
    body = "\n".join(kept)
    return f"`nanlog diagnose {SAMPLE}` (exit {result.returncode}):\n\n```text\n{body}\n```"


def formats() -> str:
    from nanlog.cli import OUTPUT_FORMATS

    return "`" + "`, `".join(OUTPUT_FORMATS) + "`"


BLOCKS = {"rules": rules_table, "report": report, "formats": formats}


def render(text: str) -> str:
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n)(.*?)(\n<!-- end: {name} -->)", re.S)
        if pattern.search(text) is None:
            raise SystemExit(f"README.md has no generated block {name!r}")
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + m.group(3), text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if README.md is out of date")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if args.check:
        if wanted != current:
            print("README.md is out of date: run python scripts/readme.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
