"""Print line N (1 or 2) of the README's Quick start block, as the contract defines it."""

import re
import sys
from pathlib import Path

readme = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text(encoding="utf-8")
section = readme.split("## Quick start", 1)[1]
block = re.search(r"```[^\n]*\n(.*?)```", section, re.S)
if block is None:
    sys.exit("README.md: no fenced block under '## Quick start'")
lines = [line for line in block.group(1).splitlines() if line.strip()]
if len(lines) != 2:
    sys.exit(f"README.md: the Quick start block must hold exactly two lines, not {len(lines)}")
print(lines[int(sys.argv[1]) - 1])
