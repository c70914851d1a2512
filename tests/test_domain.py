"""The task a log trains sets the priors: hand-written one-line snippets for each domain's
words (each an edge case of the word lists), and the ranking they lead to when no rule fires."""

from __future__ import annotations

from pathlib import Path

import pytest

from nanlog.causes import DOMAIN_PRIOR_COUNTS, PRIORS, priors_for
from nanlog.domain import DOMAINS
from nanlog.engine import diagnose_run, rank
from nanlog.parsing import parse


def _analysis_domain(log: Path) -> str | None:
    from nanlog.analysis import analyse

    return analyse(parse(log)).domain


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        (
            "epoch 1 iter 10 loss_ctc 45.2 loss_att 30.1 loss 35.0\nepoch 1 iter 20 loss nan\n",
            "transcription",
        ),
        (
            "2023-01-01 - mmdet - INFO - Epoch [1][50/100] lr: 1e-3, loss_cls: 0.5, loss_bbox: nan,"
            " loss: nan\n",
            "detection",
        ),
        ("Loading llama-2-7b weights\nstep 1 loss 2.1\nstep 2 loss nan\n", "language"),
        # CenterNet's heatmap term beside a landmark ``lm_loss``: detection, not a language model
        (
            "train: [4][882/1583] |loss 3.28 |hm_loss 2.82 |lm_loss 3.13 |wh_loss 0.53\n",
            "detection",
        ),
        # trainer_state.json counts tokens for any task: not a word of its own
        ('{"num_input_tokens_seen": 0}\nstep 1 loss 2.1\nstep 2 loss nan\n', None),
        ("step 1 loss 2.1\nstep 2 loss nan\n", None),
    ],
)
def test_a_log_names_its_domain_by_its_words(tmp_path: Path, text: str, domain: str | None) -> None:
    assert _analysis_domain(_write(tmp_path, text)) == domain


def _write(tmp_path: Path, text: str) -> Path:
    log = tmp_path / "train.log"
    log.write_text(text, encoding="utf-8")
    return log


@pytest.mark.parametrize("domain", [None, *DOMAINS])
def test_a_domain_s_priors_are_a_distribution(domain: str | None) -> None:
    priors, outside = priors_for(domain)
    assert set(priors) == set(PRIORS)
    assert sum(priors.values()) + outside == pytest.approx(1.0)
    assert all(p > 0 for p in priors.values())


def test_every_domain_has_counted_priors() -> None:
    assert set(DOMAIN_PRIOR_COUNTS) == set(DOMAINS)


def test_without_evidence_each_domain_ranks_its_most_common_cause_first() -> None:
    for domain, counts in DOMAIN_PRIOR_COUNTS.items():
        ranked = rank([], "generic", domain)
        catalogue = {c: n for c, n in counts.items() if c != "other"}
        most = max(catalogue.values())
        assert catalogue.get(ranked[0].id) == most, domain
        assert DOMAINS[domain] in ranked[0].evidence[0].sentence


def test_a_speech_log_with_no_other_sign_ranks_its_data_first(tmp_path: Path) -> None:
    log = _write(
        tmp_path, "epoch 1 iter 10 loss_att 45.2 wer 30.1\nepoch 1 iter 20 loss_att nan wer 30.5\n"
    )
    report = diagnose_run(parse(log))
    assert report.causes[0].id == "bad_input_data"
    assert "speech or text recognition" in report.causes[0].evidence[0].sentence
    # the same lines without the speech words: the overall prior decides
    plain = _write(
        tmp_path, "epoch 1 iter 10 loss 45.2 acc 30.1\nepoch 1 iter 20 loss nan acc 30.5\n"
    )
    assert diagnose_run(parse(plain)).causes[0].id == max(PRIORS, key=PRIORS.__getitem__)
