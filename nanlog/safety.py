"""Text that came from an input is shown, never obeyed.

A log (or a file name) can hold terminal escape sequences that set the window
title, write the clipboard (OSC 52), clear the screen, or draw a fake line; a
newline in a file name can start a GitHub workflow command on its own line of a
CI job's stderr; a metric name can carry Markdown or HTML into a PR comment.
Every writer passes input-derived text through one of these functions:

* :func:`strip_controls` removes escape sequences and control characters (the
  reader applies it to every chunk, so names, events and quoted lines are clean);
* :func:`shown` makes one line out of any text, escaping what it cannot show;
* :func:`markdown_text` / :func:`code_span` / :func:`code_fence` for Markdown.
"""

from __future__ import annotations

import re

# ESC sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P, X,
# ^, _ ... ST), two-byte ones (ESC c, ESC 7, ESC #8, ESC ( B ...). String sequences end at the
# end of the line at the latest: an unterminated ``ESC ]`` must not swallow the lines after it.
_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]{0,64}[ -/]{0,8}[@-~]?"
    r"|[\]PX^_k][^\x07\x1b\r\n]{0,4096}(?:\x07|\x1b\\)?"
    r"|[#%()*+\-./ ][\x20-\x7e]?"
    r"|[\x20-\x7e])?"
    r"|[\x9b][0-?]{0,64}[ -/]{0,8}[@-~]?"  # C1 CSI
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c\r\n]{0,4096}(?:\x07|\x9c|\x1b\\)?"  # C1 OSC, DCS ...
)
# What is left that a terminal would act on: C0 controls but tab, newline and carriage
# return; DEL; C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


_C1 = re.compile(r"[\x80-\x9f]")


def strip_controls(text: str) -> str:
    """The text without escape sequences and control characters (``\\t``, ``\\n``, ``\\r`` kept)."""
    if "\x1b" in text or _C1.search(text) is not None:
        text = _ESCAPES.sub("", text)
    if _CONTROLS.search(text) is not None:
        text = _CONTROLS.sub("", text)
    return text


_SHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shown(text: str) -> str:
    """One printable line: controls, newlines and undecodable bytes become visible escapes."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _SHOWN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_MARKDOWN = re.compile(r"[\\`*_\[\]<>|~&]")


def markdown_text(text: str) -> str:
    """Text for a Markdown paragraph or table cell: no markup, no HTML, one line."""
    text = shown(text)
    return _MARKDOWN.sub(
        lambda m: {"<": "&lt;", ">": "&gt;", "&": "&amp;", "|": "\\|"}.get(
            m.group(), "\\" + m.group()
        ),
        text,
    )


def code_span(text: str) -> str:
    """An inline code span that its content cannot close (a fence longer than any backtick run)."""
    text = shown(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def code_fence(text: str, info: str = "text") -> list[str]:
    """A fenced code block that its content cannot close."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, strip_controls(text), fence]


_ASCII_DRAWING = str.maketrans(
    {
        "▁": "_",
        "▂": ".",
        "▃": "-",
        "▄": "-",
        "▅": "=",
        "▆": "=",
        "▇": "#",
        "█": "#",
        "░": ".",
        "✗": "x",
        "│": "|",
        "•": "*",
        "·": "-",
        "✓": "ok",
        "❌": "x",
        "✅": "ok",
        "—": "-",
        "…": "...",
        "━": "-",
    }
)


def ascii_drawing(text: str) -> str:
    """The report's drawing characters in ASCII, for an output that cannot encode them."""
    return text.translate(_ASCII_DRAWING)
