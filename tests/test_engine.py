"""The engine's decisions on small hand-written logs, one edge case each."""

from __future__ import annotations

import io

import pytest

from nanlog.causes import OUTSIDE_PRIOR, PRIORS
from nanlog.engine import SHARPNESS, Report, diagnose_run, likelihood, rank
from nanlog.parsing import parse_stream
from nanlog.rules import Evidence


def diagnose_text(text: str) -> Report:
    return diagnose_run(parse_stream(io.BytesIO(text.encode()), "t"))


def test_divergence_without_nan_is_a_problem() -> None:
    text = "".join(f"step {i} loss {10.0 ** (i / 3):.4e}\n" for i in range(1, 40))
    report = diagnose_text(text)
    assert report.problem and report.first_nonfinite is None
    assert report.divergence is not None and report.divergence["metric"] == "loss"
    assert report.causes[0].id == "exploding_gradients"


def test_benign_fp16_warmup_grad_norm_nan_is_not_an_alarm() -> None:
    """One non-finite grad norm while the loss scaler finds its level; the loss keeps converging."""
    lines = ["{'loss': 2.31, 'grad_norm': nan, 'learning_rate': 1e-06, 'epoch': 0.01}"]
    lines += [
        f"{{'loss': {2.3 - i * 0.1:.2f}, 'grad_norm': 1.{i}, 'learning_rate': 1e-05, 'epoch': 0.{i + 2}}}"
        for i in range(8)
    ]
    report = diagnose_text("\n".join(lines) + "\n")
    assert not report.problem and report.causes == []
    assert any("loss scaler" in note for note in report.notes)


def test_loss_zero_with_nan_grad_norm_is_a_hidden_nan() -> None:
    lines = [
        f"{{'loss': {1.5 - i * 0.1:.2f}, 'grad_norm': 0.{i + 3}, 'epoch': 0.{i}}}" for i in range(6)
    ]
    lines += [
        "{'loss': 0.0, 'grad_norm': nan, 'epoch': 0.7}",
        "{'loss': 0.0, 'grad_norm': nan, 'epoch': 0.8}",
    ]
    report = diagnose_text("\n".join(lines) + "\n")
    assert report.problem
    assert report.first_nonfinite is not None and report.first_nonfinite["metric"] == "grad_norm"
    assert report.first_nonfinite["hidden"] is True


def test_healthy_log_gets_no_causes_even_with_a_large_lr() -> None:
    text = "".join(f"step {i} loss {1 / i:.4f} lr 2.0\n" for i in range(1, 30))
    report = diagnose_text(text)
    assert not report.problem and report.causes == []


@pytest.mark.parametrize(
    ("score", "against", "factor"), [(0.5, False, 4.0), (0.9, False, 28.0), (0.9, True, 0.1)]
)
def test_likelihood_of_one_observation(score: float, against: bool, factor: float) -> None:
    assert likelihood(
        Evidence("X", "bad_input_data", score, "s", against=against)
    ) == pytest.approx(factor)


def test_without_evidence_the_ranking_is_the_prior() -> None:
    ranked = rank([], "generic")
    total = sum(p**SHARPNESS for p in PRIORS.values()) + OUTSIDE_PRIOR**SHARPNESS
    assert ranked[0].id == max(PRIORS, key=PRIORS.__getitem__)
    assert ranked[0].score == pytest.approx(PRIORS[ranked[0].id] ** SHARPNESS / total, abs=1e-3)
    assert [c.id for c in ranked] == sorted(PRIORS, key=lambda c: -PRIORS[c])[: len(ranked)]
    assert all(c.evidence and c.evidence[0].rule == "PRIOR" for c in ranked)
    assert sum(c.score for c in ranked) < 1.0


def test_evidence_moves_a_cause_up_and_counter_evidence_down() -> None:
    supported = rank([Evidence("X", "label_out_of_range", 0.8, "s")], "generic")
    assert supported[0].id == "label_out_of_range"
    opposed = rank([Evidence("X", "learning_rate_too_high", 0.9, "s", against=True)], "generic")
    assert "learning_rate_too_high" not in [c.id for c in opposed[:2]]


def test_ranking_is_stable_and_explained() -> None:
    text = "epoch 1 step 1 loss 0.9\nepoch 1 step 2 loss 0.8\nepoch 1 step 3 loss 0.7\nepoch 1 step 4 loss nan\n"
    first, second = diagnose_text(text), diagnose_text(text)
    assert [c.id for c in first.causes] == [c.id for c in second.causes]
    assert [c.score for c in first.causes] == sorted((c.score for c in first.causes), reverse=True)
    for cause in first.causes:
        assert cause.evidence and all(e.sentence and e.rule for e in cause.evidence)


def test_a_long_run_is_charted_whole_with_its_break_and_aligned_lr() -> None:
    """Hand-written: 1,000 logged values, lr printed every 10th line, NaN at the end."""
    import io as _io

    from nanlog.engine import CHART_WIDTH, diagnose_run
    from nanlog.parsing import parse_stream
    from nanlog.reporters.text import chart_lines

    lines = []
    for step in range(1, 1001):
        value = "nan" if step > 995 else f"{2.0 - step / 1000:.4f}"
        lr = f" lr 0.{step // 100 + 1}" if step % 10 == 0 else ""
        lines.append(f"step {step} loss {value}{lr}\n")
    report = diagnose_run(parse_stream(_io.BytesIO("".join(lines).encode()), "t"))
    chart = report.chart
    assert chart is not None and not chart.marks_per_value
    assert len(chart.series["loss"]) == len(chart.series["lr"]) == CHART_WIDTH
    assert chart.first_line == 1  # the whole run, not its last values
    loss = chart.series["loss"]
    assert loss[-1] is not None and loss[-1] != loss[-1]  # the break is the last mark (NaN)
    assert all(v is not None for v in loss[:-1])
    rows = chart_lines(chart)
    assert rows[-1][1].startswith("lines 1-")
    assert f"values in {CHART_WIDTH} marks" in rows[-1][1]
    assert rows[0][0] == "loss" and rows[1][0] == "lr"


def test_no_lr_row_when_the_log_prints_no_rate() -> None:
    import io as _io

    from nanlog.engine import diagnose_run
    from nanlog.parsing import parse_stream
    from nanlog.reporters.text import chart_lines

    report = diagnose_run(parse_stream(_io.BytesIO(b"step 1 loss 1.0\nstep 2 loss nan\n"), "t"))
    assert report.chart is not None
    assert [row[0] for row in chart_lines(report.chart)] == ["loss", ""]


def test_an_uncertain_ranking_shows_three_candidates() -> None:
    # Object detection's priors put two causes far ahead; with nothing else said, a third
    # candidate is still shown.
    ids = [c.id for c in rank([], "pytorch", "detection")]
    assert len(ids) >= 3


def test_a_clear_ranking_shows_no_empty_candidates() -> None:
    clear = [Evidence("X", "exploding_gradients", 0.97, "seen")] * 3
    results = rank(clear, "pytorch")
    assert results[0].id == "exploding_gradients"
    assert all(c.score >= 0.01 or c.id == "exploding_gradients" for c in results)


def test_one_finite_record_before_the_break_is_not_called_a_plateau() -> None:
    report = diagnose_text("step 1 loss 0.5\nstep 2 loss nan\n")
    assert report.shape.startswith("the loss was 0.5 at its only record before the break")
