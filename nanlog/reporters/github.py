"""``--format github``: GitHub Actions workflow commands (annotations on the log file)."""

from __future__ import annotations

from nanlog.engine import Report
from nanlog.reporters.base import Reporter, headline
from nanlog.safety import shown


def _data(text: str) -> str:
    """Workflow-command data: percent-escaped; controls from the input made visible first."""
    lines = [shown(line) for line in text.split("\n")]  # our own newlines stay line breaks
    return "%0A".join(line.replace("%", "%25") for line in lines)


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    def render(self, reports: list[Report]) -> str:
        lines = []
        for r in reports:
            file = "" if r.source == "-" else f"file={_prop(r.source)},"
            if r.error:
                lines.append(
                    f"::error {file}title=nanlog::{_data('could not be read: ' + r.error)}"
                )
                continue
            if not r.problem:
                lines.append(f"::notice {file}title=nanlog::{_data(headline(r))}")
                continue
            line = ""
            if r.first_nonfinite is not None:
                line = f"line={r.first_nonfinite['line']},"
            elif r.divergence is not None:
                line = f"line={r.divergence['line']},"
            message = headline(r)
            if r.causes:
                top = r.causes[0]
                message += f"\n{top.title}: " + "; ".join(e.sentence for e in top.evidence[:2])
                message += f"\nFix: {top.remedies[0]}" if top.remedies else ""
            lines.append(
                f"::error {file}{line}title={_prop('nanlog: training broke')}::{_data(message)}"
            )
            for cause in r.causes[1:3]:
                lines.append(
                    f"::warning {file}{line}title={_prop('nanlog: also possible')}::"
                    f"{_data(f'{cause.title} ({cause.score:.2f}): {cause.evidence[0].sentence}')}"
                )
        return "\n".join(lines) + "\n"
