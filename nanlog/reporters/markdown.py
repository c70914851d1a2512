"""``--format markdown``: for CI job summaries and pull-request comments."""

from __future__ import annotations

from nanlog.engine import Report
from nanlog.reporters.base import Reporter, headline
from nanlog.safety import code_fence, code_span, markdown_text


def _cell(text: str) -> str:
    """Input-derived text in a paragraph or a table cell: no markup, no HTML, one line."""
    return markdown_text(text)


class MarkdownReporter(Reporter):
    def render(self, reports: list[Report]) -> str:
        parts = [self._one(r) for r in reports]
        if len(reports) > 1:
            rows = ["| input | format | records | result |", "|---|---|---|---|"]
            rows += [
                f"| {code_span(r.source)} | {r.format} | {r.records} | {_cell(headline(r))} |"
                for r in reports
            ]
            parts.insert(0, "## nanlog summary\n\n" + "\n".join(rows) + "\n")
        return "\n".join(parts)

    def _one(self, r: Report) -> str:
        out = [f"## nanlog: {code_span(r.source)}", ""]
        if r.error:
            return "\n".join([*out, f"**Could not be read:** {_cell(r.error)}", ""])
        out.append(f"Format **{r.format}**, {r.records} records, {r.lines} lines.")
        out.append("")
        if not r.problem:
            out += ["✅ No NaN/inf and no divergence.", ""]
            return "\n".join(out)
        out += ["### Where it broke", "", f"❌ {_cell(headline(r))}", ""]
        first = r.first_nonfinite
        if first is not None and first.get("text"):
            out += [*code_fence(str(first["text"])), ""]
        if first is not None and first.get("last_finite") is not None:
            out += [f"Last finite {first['metric']}: `{first['last_finite']:.6g}`.", ""]
        if r.shape:
            out += ["### How", "", _cell(r.shape[0].upper() + r.shape[1:] + "."), ""]
        if r.causes:
            out += ["### Why (ranked)", "", "| # | cause | score | evidence |", "|---|---|---|---|"]
            for i, cause in enumerate(r.causes, 1):
                evidence = "<br>".join(_cell(e.sentence) for e in cause.evidence)
                out.append(
                    f"| {i} | **{cause.title}** (`{cause.id}`) | {cause.score:.2f} | {evidence} |"
                )
            out += ["", f"### What to do about `{r.causes[0].id}`", ""]
            out += [f"- {remedy}" for remedy in r.causes[0].remedies]
            out.append("")
        for note in r.notes:
            out += [f"> Note: {_cell(note)}", ""]
        return "\n".join(out)
