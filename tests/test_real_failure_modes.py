"""The failure modes measured on logs from public threads, each as a hand-written snippet in
the shape the thread's trainer prints (one edge case per test; the real logs themselves are
tested in test_real_logs.py and measured by scripts/evaluate.py)."""

from __future__ import annotations

import io

import pytest

from nanlog.engine import Report, diagnose_run
from nanlog.errors import NoMetricsError
from nanlog.model import PHASES, Run
from nanlog.parsing import parse_stream
from nanlog.reporters.base import headline


def diagnose_text(text: str) -> Report:
    return diagnose_run(_run(text))


def _ids(report: Report) -> list[str]:
    return [c.id for c in report.causes]


def _rules(report: Report) -> set[str]:
    """The rules whose evidence the report shows."""
    return {e.rule for c in report.causes for e in c.evidence}


def _run(text: str) -> Run:
    return parse_stream(io.BytesIO(text.encode()), "t")


def _broke(report: Report) -> dict[str, object]:
    """Where the report places the break; it must be a problem with a first non-finite value."""
    assert report.problem and report.first_nonfinite is not None
    return report.first_nonfinite


def test_a_nan_with_no_rule_firing_still_gets_a_ranked_why() -> None:
    report = diagnose_text("iter: 20 / 70000, total loss: nan\n >>> lr: 0.010000\n")
    assert report.problem and report.causes
    assert all(c.evidence for c in report.causes)


@pytest.mark.parametrize(
    "text",
    [
        "I0521 14:43:59.269938 basic_session_run_hooks.py:260] loss = 1.3336712, step = 400\n"
        "E0521 14:44:30.800493 basic_session_run_hooks.py:760] Model diverged with loss = NaN.\n",
        "tensorflow.python.training.basic_session_run_hooks.NanLossDuringTrainingError: NaN loss "
        "during training.\n",
        "Warning: Moving average ignored a value of inf\n",
    ],
)
def test_a_failure_printed_only_as_a_message_is_a_problem(text: str) -> None:
    report = diagnose_text(text)
    assert report.problem and report.causes


@pytest.mark.parametrize(
    "text",
    [
        "epoch 003:      5 / 356 loss=9.44, num_updates=700, lr=0.000175, loss_scale=0\n"
        "epoch 003:     25 / 356 loss=9.41, num_updates=720, lr=0.000176, loss_scale=0\n",
        "| WARNING: overflow detected, setting loss scale to: 0.000244140625\n",
        "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 0, reducing to 0\n",
        "2020-03-23 11:48:04 | INFO | fairseq.trainer | NOTE: Minimum loss scale reached (0.0001).\n",
    ],
)
def test_loss_scale_collapse_is_mixed_precision_overflow(text: str) -> None:
    report = diagnose_text(text)
    assert report.problem
    assert _ids(report)[0] == "mixed_precision_overflow"


def test_a_handful_of_overflow_skips_at_fp16_start_up_is_normal() -> None:
    lines = [
        f"Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to {2.0 ** (16 - i)}"
        for i in range(3)
    ]
    lines += [f"step {i} loss {2.0 - i * 0.05:.3f}" for i in range(1, 20)]
    report = diagnose_text("\n".join(lines) + "\n")
    assert not report.problem


def test_growth_over_tens_of_thousands_of_steps_is_read_whole() -> None:
    lines = [f"step {i} loss {2.0 - i / 20000:.4f}" for i in range(0, 20000, 50)]
    lines += [
        f"step {i} loss {0.5 * 10 ** ((i - 20000) / 7000):.6g}" for i in range(20000, 55000, 50)
    ]
    lines.append("step 55000 loss nan")
    report = diagnose_text("\n".join(lines) + "\n")
    assert _ids(report)[0] == "exploding_gradients"


def test_a_falling_loss_is_not_a_divergence() -> None:
    text = "".join(f"iter {i} loss {v}\n" for i, v in enumerate([6.9, 0.01, 0.0, 0.0, 0.0]))
    report = diagnose_text(text)
    assert not report.problem and report.divergence is None


def test_a_lone_first_grad_norm_nan_under_fp16_is_not_an_alarm() -> None:
    text = (
        "2021-11-22 01:31:40,502 - mmocr - INFO - Epoch [1][100/62598]\tlr: 1.000e-03, "
        "loss_ce: 1.2757, loss: 1.9091, grad_norm: nan\n"
        "2021-11-22 01:32:34,502 - mmocr - INFO - Epoch [1][200/62598]\tlr: 1.000e-03, "
        "loss_ce: 0.5921, loss: 0.9186, grad_norm: 3.9772\n"
    )
    report = diagnose_text(text)
    assert not report.problem


def test_hidden_nan_note_names_the_framework_s_mechanism() -> None:
    lines = [f"step {i} loss {1.5 - i * 0.1:.2f} grad_norm 0.{i + 3}" for i in range(6)]
    lines += ["step 6 loss 0.0 grad_norm nan", "step 7 loss 0.0 grad_norm nan"]
    report = diagnose_text("\n".join(lines) + "\n")
    assert report.problem
    assert not any("Trainer" in note for note in report.notes)


def test_a_flat_loss_is_not_said_to_rise() -> None:
    report = diagnose_text("step 1 loss 2.02\nstep 2 loss 2.02\nstep 3 loss nan\n")
    assert "rose" not in report.shape and "1x" not in report.shape


def test_a_finite_learning_rate_speaks_against_a_broken_schedule() -> None:
    lines = [f"step {i} loss {1.0 - i * 0.01:.3f} lr {1e-4 * i:.6f}" for i in range(1, 8)]
    lines.append("step 8 loss nan lr 0.000800")
    report = diagnose_text("\n".join(lines) + "\n")
    invalid = [c for c in report.causes if c.id == "invalid_learning_rate"]
    assert not invalid or all(e.rule != "LR02" for e in invalid[0].evidence)
    assert _ids(report)[0] != "invalid_learning_rate"


def test_detectron2_logs_get_detectron2_remedies() -> None:
    text = (
        "[11/01 19:16:15 d2.utils.events]: eta: 4:52:26  iter: 19  total_loss: 1.750  lr: 0.000200\n"
        "[11/01 19:16:19 d2.utils.events]: eta: 4:52:22  iter: 39  total_loss: nan  lr: 0.000400\n"
    )
    report = diagnose_text(text)
    assert report.framework == "detectron2"
    top = {c.id: c for c in report.causes}["learning_rate_too_high"]
    assert any("SOLVER.BASE_LR" in r for r in top.remedies)


def test_nan_from_the_first_batch_of_a_classification_fit_considers_labels() -> None:
    text = (
        "Epoch 1/5\n"
        "21/21 [==============================] - 0s 142us/step - loss: nan - acc: 0.1429\n"
        "Epoch 2/5\n"
        "21/21 [==============================] - 0s 238us/step - loss: nan - acc: 0.2381\n"
    )
    report = diagnose_text(text)
    assert "label_out_of_range" in _ids(report)[:3]


def test_fp16_seen_only_in_the_config_is_weighed() -> None:
    lines = ["[INFO|trainer.py:607] Using auto half precision backend"]
    lines += [f"step {i} loss {2.0 - i * 0.1:.2f} lr 0.0002" for i in range(1, 10)]
    lines.append("step 10 loss nan lr 0.0002")
    report = diagnose_text("\n".join(lines) + "\n")
    assert _ids(report).index("mixed_precision_overflow") < _ids(report).index("bad_input_data")


def test_when_the_log_cannot_tell_it_says_which_check_would() -> None:
    report = diagnose_text("step 1 loss 2.3\nstep 2 loss 2.2\nstep 3 loss 2.1\nstep 4 loss nan\n")
    assert any("cannot tell" in note and "to tell them apart" in note for note in report.notes)


def test_when_no_rule_sees_anything_it_says_so_and_names_the_checks() -> None:
    """Hand-written in the shape of a pasted excerpt that shows only the NaN line."""
    report = diagnose_text("Epoch: 0003/0003 | Batch 2700/2916 | Loss: nan\n")
    assert report.problem and report.causes
    (note,) = [n for n in report.notes if "nothing in the log points at a cause" in n]
    assert "rerun with the learning rate divided by 10" in note  # the top cause's check
    assert not any("cannot tell" in n for n in report.notes)


def test_an_absurd_perplexity_is_a_divergence() -> None:
    """Hand-written in OpenNMT-py's format: xent stays in the thousands, ppl is astronomical."""
    report = diagnose_text(
        "[INFO] Step 50/100000; acc:   0.00; ppl: 26881171418161356094253400435962903554686976.00;"
        " xent: 6776.20; lr: 2.00000; 4132/2064 tok/s;     52 sec\n"
        "[INFO] Step 100/100000; acc:   0.06; ppl: 26881171418161356094253400435962903554686976.00;"
        " xent: 6487.71; lr: 2.00000; 4200/2100 tok/s;    104 sec\n"
    )
    assert report.problem and report.divergence is not None
    assert report.divergence["metric"] == "perplexity"
    assert _ids(report)[0] == "learning_rate_too_high"


def test_a_normal_perplexity_is_not_a_divergence() -> None:
    report = diagnose_text(
        "[INFO] Step 50/100000; acc:  10.00; ppl: 2688.00; xent: 7.90; lr: 0.00010;\n"
        "[INFO] Step 100/100000; acc:  12.06; ppl: 1900.00; xent: 7.55; lr: 0.00010;\n"
    )
    assert not report.problem


_TERM_LINE = "Iter [{}/40000] lr: 1.0e-06, decode.loss_seg: {}, src.loss_feat_dist: nan\n"


def test_a_nan_term_that_does_not_spread_is_not_a_failure() -> None:
    """Hand-written in mmseg's format: one term is NaN at every step while the rest trains."""
    text = "".join(_TERM_LINE.format(50 * (i + 1), 2.7 - 0.2 * i) for i in range(6))
    report = diagnose_text(text)
    assert not report.problem
    assert any(
        "src.loss_feat_dist" in n and "does not reach the weights" in n for n in report.notes
    )


def test_a_nan_term_that_spreads_is_a_failure() -> None:
    text = _TERM_LINE.format(50, 2.7) + "".join(
        _TERM_LINE.format(50 * (i + 2), "nan") for i in range(5)
    )
    report = diagnose_text(text)
    assert report.problem and report.first_nonfinite is not None


def test_an_infix_val_name_is_a_validation_metric() -> None:
    """Hand-written in TensorFlow2.0-Examples' YOLOv3 format."""
    run = _run("giou_val_loss:    nan, conf_val_loss:  12.31, total_val_loss:    nan\n")
    phases = {PHASES[run.series.phase[i]] for i in range(len(run.series))}
    assert len(run.series) == 3 and phases == {"val"}


def test_a_loss_that_falls_to_exactly_zero_and_stays_is_a_problem() -> None:
    """Hand-written in HF Trainer's console format (fp16 on a GPU without bf16)."""
    report = diagnose_text(
        "{'loss': 3.8462, 'learning_rate': 3.4e-07, 'epoch': 0.0}\n"
        "{'loss': 0.0, 'learning_rate': 6.9e-07, 'epoch': 0.01}\n"
        "{'loss': 0.0, 'learning_rate': 1.0e-06, 'epoch': 0.01}\n"
    )
    assert report.problem and report.divergence is not None
    assert report.divergence["kind"] == "collapse" and report.divergence["line"] == 2
    assert _ids(report)[0] == "mixed_precision_overflow"


def test_a_zero_loss_beside_a_perfect_accuracy_is_not_a_collapse() -> None:
    """Hand-written in the PyTorch ImageNet example's format: a dataset of one class."""
    line = "Epoch: [0][{:5d}/40037]\tLoss {} ({})\tAcc@1 {} ({})\n"
    report = diagnose_text(
        line.format(0, "6.9085e+00", "6.9085e+00", "0.00", "0.00")
        + line.format(10, "2.9971e+00", "6.2409e+00", "100.00", "81.82")
        + line.format(20, "0.0000e+00", "3.2690e+00", "100.00", "90.48")
        + line.format(30, "0.0000e+00", "2.2145e+00", "100.00", "93.55")
    )
    assert not report.problem


def test_a_counter_with_a_colon_then_unnamed_values_is_read() -> None:
    # print(f"{step}: {d_loss} {g_loss}") in a GAN loop (blind4 set)
    report = diagnose_text("0: 1.52  0.61\n10: inf  nan\n20: nan nan\n")
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["step"] == 10 and report.first_nonfinite["line"] == 2


def test_a_regression_metric_stands_in_for_a_missing_loss() -> None:
    # R mxnet's callback prints ``[epoch] Train-rmse=...`` and no loss (blind4 set)
    report = diagnose_text("[1] Train-rmse=12.5\n[2] Train-rmse=9.1\n[3] Train-rmse=NaN\n")
    broke = _broke(report)
    assert broke["metric"] == "rmse" and broke["line"] == 3
    assert "fell from 12.5 to 9.1" in report.shape


def test_scale_halving_to_the_floor_is_a_collapse_in_progress() -> None:
    # DeepSpeed halving the scale overflow after overflow, the excerpt ending before it exits
    lines = [
        f"[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: {s}, reducing to {s // 2}"
        for s in (64, 32, 16, 8, 4)
    ]
    report = diagnose_text(
        "{'loss': 2.0491, 'learning_rate': 0.0002, 'epoch': 0.28}\n" + "\n".join(lines) + "\n"
    )
    assert report.problem
    assert _ids(report)[0] == "mixed_precision_overflow"


def test_start_up_halving_from_a_large_scale_is_not_a_collapse() -> None:
    lines = [
        f"[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: {s}, reducing to {s // 2}"
        for s in (65536, 32768, 16384, 8192, 4096)
    ]
    report = diagnose_text("\n".join(lines) + "\n{'loss': 2.0491, 'learning_rate': 0.0002}\n")
    assert not report.problem


def test_four_halvings_down_to_a_scale_of_8_are_a_collapse_but_not_down_to_256() -> None:
    # Hand-written in the shape of reading sets 4147 (LLaMA-Factory on DeepSpeed, 128 down to
    # 8; the run later died at the minimum scale) and 3763 (start-up halving to 256, healthy).
    def halvings(*scales: int) -> str:
        return "".join(
            f"[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: {s}, "
            f"reducing to {s // 2}\n"
            for s in scales
        )

    head = "{'loss': 2.3578, 'learning_rate': 0, 'epoch': 0.08}\n"
    collapsed = diagnose_text(head + halvings(128, 64, 32, 16))
    assert collapsed.problem and collapsed.failure is not None
    assert collapsed.failure["line"] == 5
    assert not diagnose_text(head + halvings(*(2**k for k in range(17, 8, -1)))).problem


def test_a_rate_that_steps_up_just_before_the_break_is_against_the_rate() -> None:
    # maskrcnn-benchmark style: warm-up ends with a 3x step, NaN two logs later (blind4 set)
    text = "".join(
        f"iter: {i}  loss: {v}  lr: {lr}\n"
        for i, v, lr in [
            (480, 1.9, 0.00333),
            (500, 1.87, 0.00333),
            (520, 2.7, 0.01),
            (540, 3.6, 0.01),
            (560, "nan", 0.01),
        ]
    )
    report = diagnose_text(text)
    assert _ids(report)[0] == "learning_rate_too_high"


def test_a_finite_term_that_blew_up_is_not_a_degenerate_box() -> None:
    text = (
        "Epoch [1][200/29317] lr: 5.987e-03, loss_cls: 1.5484, loss_bbox: 0.5734, loss: 2.8061\n"
        "Epoch [1][250/29317] lr: 6.653e-03, loss_cls: 13794.6467, loss_bbox: nan, loss: nan\n"
    )
    report = diagnose_text(text)
    assert _ids(report)[0] == "learning_rate_too_high"
    fired = _rules(report)
    assert "TM03" in fired and "TM02" not in fired


def test_a_metric_named_before_its_position_is_read() -> None:
    # print("Loss at step {} : {}".format(step, loss)) (blind5 set)
    report = diagnose_text("Loss at step 100 : 2.5\nLoss at step 200 : nan\n")
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["step"] == 200 and report.first_nonfinite["line"] == 2


def test_a_sentence_naming_the_position_is_read() -> None:
    # Deeplearning4j's ScoreIterationListener, hand-written in its shape (reading set 3006)
    prefix = "09:54:37.023 [main] INFO  o.d.o.l.ScoreIterationListener - "
    report = diagnose_text(
        f"{prefix}Score at iteration 0 is 2.30\n{prefix}Score at iteration 20 is 1.9\n"
        f"{prefix}Score at iteration 40 is NaN\n"
    )
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["line"] == 3 and report.first_nonfinite["last_finite"] == 1.9


@pytest.mark.parametrize(
    "message",
    [
        "WARNING: received a nan loss, setting loss value to 0",  # deepspeech.pytorch
        "RuntimeError:  [!] NaN loss with decoder_loss.",  # Coqui (Mozilla) TTS
        "RuntimeError: Loss was NaN for 1 times in a row. Stopped training.",  # NeuralHydrology
        "Loss in not finite. Terminate training.",  # a trainer's own check, sic
        "18/06/02 16:24:14 ERROR StrongWolfeLineSearch: Encountered bad values in function "
        "evaluation. Decreasing step size to 0.041",  # Spark's breeze
        "  what():  Encountered NaN.",  # fastText
        "(RayTrainWorker pid=41) [NaN/Inf detected] Loss 'seg_dice' is invalid. Setting to zero.",
        "ValueError: nan loss encountered",  # AllenNLP
    ],
)
def test_a_failure_sentence_is_a_problem(message: str) -> None:
    # hand-written in the shape of the reading set's logs (3361, 3372, 3368, 3310, 3396, 3572, 3603)
    report = diagnose_text(f"epoch 1 loss 2.5\nepoch 2 loss 2.1\n{message}\n")
    assert report.problem and report.failure is not None and report.failure["line"] == 3


def test_a_traceback_echoing_the_raise_is_one_message() -> None:
    # NeuralHydrology's traceback (reading set 3368): the source line quotes the message
    report = diagnose_text(
        "epoch 1 loss 2.5\n"
        '  File "basetrainer.py", line 295, in _train_epoch\n'
        '    raise RuntimeError(f"Loss was NaN for {nan_count} times in a row. Stopped training.")\n'
        "RuntimeError: Loss was NaN for 1 times in a row. Stopped training.\n"
    )
    assert report.failure is not None and report.failure["line"] == 4


def test_a_bracketed_key_before_its_value_is_read() -> None:
    # LION's loguru lines, hand-written in their shape (reading set 3455)
    report = diagnose_text(
        "| E1 iter[ 14/ 15] | [Loss] 2.5 | [step]  15 |\n"
        "| E2 iter[ 14/ 15] | [Loss] 2.1 | [step]  30 |\n"
        "| E3 iter[ 14/ 15] | [Loss] nan | [step]  45 |\n"
    )
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["line"] == 3 and report.first_nonfinite["name"] == "Loss"


@pytest.mark.parametrize(
    "lines",
    [
        # the PyTorch char-rnn classification tutorial (reading set 3604)
        ["5000 5% (0m 12s) 2.4177 Coelho / Portuguese ✓", "10000 10% (0m 21s) nan Nam / Russian ✗"],
        # the PyTorch seq2seq translation tutorial
        ["0m 5s (- 2m 1s) (5000 5%) 2.8732", "0m 9s (- 1m 57s) (10000 10%) nan"],
    ],
)
def test_the_pytorch_tutorials_unnamed_loss_is_read(lines: list[str]) -> None:
    report = diagnose_text("\n".join(lines) + "\n")
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["metric"] == "loss" and report.first_nonfinite["step"] == 10000


def test_an_episodes_return_is_a_training_metric() -> None:
    # PPO-for-Beginners' iteration block, hand-written in its shape (reading set 3544, 3611)
    block = "---- Iteration #{} ----\nAverage Episodic Return: {}\nAverage Loss: {}\n"
    report = diagnose_text(block.format(1, "-1200.5", "0.03") + block.format(2, "nan", "nan"))
    assert report.first_nonfinite is not None and report.first_nonfinite["line"] == 5


def test_an_accuracy_nan_that_recovers_is_a_metric_artifact() -> None:
    # MXNet's epoch-end accuracy after a metric reset, hand-written in its shape (reading set 3574)
    lines = [
        f"Epoch[{e}] Batch [{b}]\tTrain-accuracy={0.1 * e + 0.01 * b:.3f}"
        for e in (0, 1)
        for b in (10, 20)
    ]
    lines.insert(2, "Epoch[0] Train-accuracy=nan")
    report = diagnose_text("\n".join(lines) + "\nEpoch[1] Train-accuracy=nan\n")
    assert not report.problem
    assert any("score over no samples" in note for note in report.notes)


def test_an_accuracy_that_breaks_is_not_described_as_the_loss() -> None:
    # hand-written: a log that prints only an accuracy
    report = diagnose_text(
        "Epoch[0] Batch [10] Train-accuracy=0.1\nEpoch[0] Batch [20] Train-accuracy=0.5\n"
        "Epoch[0] Train-accuracy=nan\n"
    )
    assert report.problem and "loss rose" not in report.shape and "0.5" in report.shape


@pytest.mark.parametrize(
    "lines",
    [
        [
            "| 에폭 1 |  반복 1 / 9295 | 손실 4.16",
            "| 에폭 1 |  반복 3001 / 9295 | 손실 nan",
        ],  # Korean
        ["エポック 1 損失: 2.31", "エポック 2 損失: nan"],  # Japanese
        ["Época 1/15, pérdida=2.31", "Época 2/15, pérdida=nan"],  # Spanish
        ["Эпоха 1, потери: 2.31", "Эпоха 2, потери: nan"],  # Russian
    ],
)
def test_the_loss_is_read_in_other_languages(lines: list[str]) -> None:
    # hand-written loops in the shapes of the reading set's Korean trainer (3693)
    report = diagnose_text("\n".join(lines) + "\n")
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["metric"] == "loss" and report.first_nonfinite["line"] == 2


def test_a_metrics_statistics_are_named_after_it() -> None:
    # a JAX RL loop's evaluation blocks, hand-written in their shape (reading set 3634): the
    # reward's mean is not mixed up with the episode length's
    block = (
        "Eval metrics at step {}:\n  Reward: mean={}, min=1.9, max=10.1\n  Steps:  mean={}, min=0\n"
    )
    report = diagnose_text(block.format(0, "3.06", "1000.0") + block.format(6, "nan", "0.0"))
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["line"] == 5 and report.first_nonfinite["last_finite"] == 3.06
    assert not any(e.rule == "SH07" for c in report.causes for e in c.evidence)


def test_an_exceptions_name_is_not_a_metric() -> None:
    # AllenNLP's error, hand-written (reading set 3302): ``ValueError: nan`` is no value named
    # ValueError; a hand-written network's ``Error:  nan`` still is its loss (fresh set 1921)
    report = diagnose_text("Traceback (most recent call last):\nValueError: nan loss encountered\n")
    assert report.first_nonfinite is None and report.failure is not None
    assert diagnose_text("Error:  0.5\nError:  nan\n").first_nonfinite is not None


def test_a_word_ending_a_line_does_not_name_the_next_lines_number() -> None:
    # found by the noise fuzz test on reading set 3604: ``Infinity-war`` then a tutorial's row
    report = diagnose_text(
        "5000 5% (0m 12s) 2.4177 Coelho / Portuguese\nINFO nanny Infinity-war\n"
        "10000 10% (0m 21s) nan Nam / Russian\n"
    )
    assert report.first_nonfinite is not None and report.first_nonfinite["line"] == 3


def test_a_table_header_with_two_word_names_is_read() -> None:
    # fastai's results table: ``train loss``, ``valid loss`` separated by single spaces
    report = diagnose_text(
        "epoch train loss valid loss accuracy_thresh f2_opt\n"
        "0 0.52 0.49 0.81 0.40\n"
        "1 nan nan 0.997788 0.000000\n"
    )
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["metric"] == "loss" and report.first_nonfinite["line"] == 3


def test_ctc_named_in_a_warning_points_at_the_inputs() -> None:
    report = diagnose_text(
        "(trainer:582) WARNING: The grad norm is nan. Skipping updating the model.\n"
        "(ctc:71) WARNING: 5/42 samples got nan grad. These were ignored for CTC loss.\n"
    )
    assert "TM04" in _rules(report)
    assert _ids(report)[0] == "bad_input_data"


def test_a_nan_padded_to_its_column_is_read() -> None:
    # timm pads the value to a fixed width: ``Loss:       nan (   nan)`` (blind6 set)
    report = diagnose_text(
        "Train: 1 [4950/5004 ( 99%)]  Loss:  5.240257 (5.9251)  LR: 2.133e-02\n"
        "Train: 4 [ 300/5004 (  6%)]  Loss:       nan (   nan)  LR: 6.227e-02\n"
    )
    assert report.first_nonfinite is not None and report.first_nonfinite["line"] == 2
    assert _ids(report)[0] == "learning_rate_too_high"  # the rate printed beside the NaN jumped


@pytest.mark.parametrize(
    ("text", "half"),
    [
        ("Exp name: mae_vit-base-p16_8xb512-amp-coslr-1600e_pathology\n", True),
        ("optim_wrapper = dict(type='AmpOptimWrapper', loss_scale='dynamic')\n", True),
        ("python train.py --amp --epochs 10\n", True),
        ("Namespace(use_amp=True, lr=0.1)\n", True),
        ("Namespace(use_amp=False, lr=0.1)\n", False),
        ("signal amplitude example camp\n", False),
    ],
)
def test_automatic_mixed_precision_is_recognised(text: str, half: bool) -> None:
    report = diagnose_text(text + "step 1 loss 0.46\nstep 2 loss 0.47\nstep 3 loss nan\n")
    fired = _rules(report)
    assert ("MP05" in fired) is half


def test_a_line_between_a_table_header_and_its_rows_does_not_hide_the_header() -> None:
    # Hand-written: a warning printed between fastai's header and its first row.
    report = diagnose_text(
        "epoch train loss valid loss accuracy_thresh f2_opt\n"
        "UserWarning: something about a deprecated argument\n"
        "0 nan nan 0.997788 0.000000\n"
    )
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["metric"] == "loss" and report.first_nonfinite["line"] == 3


def test_a_metric_with_its_index_in_brackets_is_read() -> None:
    # print(f"train_batch_loss[ {step} ]: ", loss): read as healthy before (blind7 set)
    report = diagnose_text(
        "train_batch_loss[ 6570 ]:  1.6885172128677368\n"
        "train_batch_loss[ 6580 ]:  1.9712326526641846\n"
        "train_batch_loss[ 6590 ]:  nan\n"
    )
    broke = _broke(report)
    assert broke["metric"] == "loss" and broke["line"] == 3


@pytest.mark.parametrize(
    ("text", "metric", "line"),
    [
        # Hand-written in the shapes of the blind8 logs that were refused ("no training metrics"):
        # a TF1 tutorial loop's cost
        ("Epoch: 0001 cost= 2.31\nEpoch: 0002 cost= nan\n", "cost", 2),
        # MXNet's Speedometer and epoch metrics
        (
            "Epoch[4] Batch [2140] Speed: 6.44 samples/sec Train-CrossEntropy=0.589661\n"
            "Epoch[4] Train-CrossEntropy=nan\n",
            "train-crossentropy",
            2,
        ),
        # a result dict printed by yaml.dump (RLlib)
        ("episode_reward_mean: 12.5\nepisodes_total: 3\nepisode_reward_mean: .nan\n", None, 3),
        # an agent's mean reward
        ("Mean Reward: -37.32\nSaved Model\nMean Reward: nan\n", None, 3),
        # stable-baselines' key | value table
        (
            "| policy_loss        | 0.016628642 |\n| value_loss         | 3735940.5   |\n"
            "---------------------------------\n| policy_loss        | nan      |\n",
            None,
            4,
        ),
    ],
)
def test_unfamiliar_metric_spellings_are_read(text: str, metric: str | None, line: int) -> None:
    report = diagnose_text(text)
    broke = _broke(report)
    assert broke["line"] == line
    if metric is not None:
        assert str(report.first_nonfinite["name"]).lower() == metric


def test_a_time_cost_is_not_a_metric() -> None:
    # Hand-written: faster-rcnn.pytorch prints "time cost" beside its losses.
    report = diagnose_text(
        "[epoch  1][iter    0/  88] loss: 4.7430, lr: 1.00e-04\n\t\t\tfg/bg=(1/0), time cost: nan\n"
    )
    assert not report.problem


def test_mxnet_rcnn_box_term_broken_alone_points_at_the_boxes() -> None:
    # Hand-written in the shape of MXNet's R-CNN examples (Deformable ConvNets, blind8 set).
    report = diagnose_text(
        "Epoch[0] Batch [200]\tSpeed: 1.11 samples/sec\tTrain-RPNAcc=0.797503,\tRPNLogLoss=0.509807,"
        "\tRPNL1Loss=nan,\tRCNNAcc=0.669038,\tRCNNLogLoss=3.597333,\tRCNNL1Loss=0.004864,\n"
    )
    assert report.causes[0].id == "bad_input_data"
    assert any(e.rule == "TM02" for e in report.causes[0].evidence)
    # RCNNL1Loss stands in for the loss here: one finite term does not hide the NaN of another
    assert report.first_nonfinite is not None and report.first_nonfinite["hidden"] is False


@pytest.mark.parametrize(
    ("frames", "expected"),
    [
        # Hand-written in the shape of DebugUnderflowOverflow's report (transformers' debugging
        # guide): an activation at float16's ceiling, then inf.
        ("3.18e-04 6.27e+04 output\n0.00e+00      inf output\n", 0.75),
        # the report without a value near the ceiling: weaker
        ("3.18e-04 2.57e+02 output\n0.00e+00      inf output\n", 0.45),
    ],
)
def test_the_overflow_debugger_s_frames_point_at_float16(frames: str, expected: float) -> None:
    report = diagnose_text(
        "Detected inf/nan during batch_number=0\nLast 21 forward frames:\n"
        "abs min  abs max  metadata\n                  encoder.block.2 T5Block\n" + frames
    )
    assert report.problem and report.causes[0].id == "mixed_precision_overflow"
    scores = [e.score for e in report.causes[0].evidence if e.rule == "MP06"]
    assert scores == [expected]


def test_one_element_numpy_arrays_printed_each_step_are_a_headerless_table() -> None:
    # Hand-written in the shape of print(sess.run(W), sess.run(b)) in TF1 tutorials (blind9 set).
    report = diagnose_text(
        "    [-20.48267746] [-1.6179111]\n[ -1.06335529e+12] [ -3.75422935e+10]\n[ nan] [ nan]\n"
    )
    broke = _broke(report)
    assert broke["line"] == 3


def test_a_csv_row_after_a_position_word_is_read() -> None:
    # Hand-written in the shape of a logging line that writes a CSV row (blind9 set).
    report = diagnose_text(
        "INFO:run, 2022-03-10 18:35:12,212, epoch, 0040, 0.015912, 0.017028, 0.000875\n"
        "INFO:run, 2022-03-10 18:37:41,959, epoch, 0041, 0.045666, 0.015000, 0.002034\n"
        "INFO:run, 2022-03-10 18:40:17,487, epoch, 0042, nan, nan, nan\n"
    )
    broke = _broke(report)
    assert broke["line"] == 3 and broke["epoch"] == 42


def test_a_nan_under_a_name_that_is_no_training_metric_is_read_with_a_note() -> None:
    # Hand-written in the shape of EDSR's evaluation line (blind9 set): refused before.
    report = diagnose_text(
        "Evaluation:\n[DIV2K x4]\tPSNR: 28.512 (Best: 28.512 @epoch 1)\n"
        "[DIV2K x4]\tPSNR: nan (Best: nan @epoch 2)\n"
    )
    broke = _broke(report)
    assert broke["line"] == 3 and broke["name"] == "PSNR"
    assert any("names no training metric" in note for note in report.notes)


@pytest.mark.parametrize(
    "text",
    [
        "PSNR: 28.5\nSSIM: 0.81\n",
        "time: nan\nsize: 12\n",
        "WARNING: Infinity is not a number here\nsize: 12\n",  # a log level is no name
    ],
)
def test_without_a_metric_or_with_only_a_nan_time_the_log_is_still_refused(text: str) -> None:
    with pytest.raises(NoMetricsError):
        diagnose_text(text)


@pytest.mark.parametrize(
    ("text", "line", "name"),
    [
        # Hand-written in the shapes of the blind10 logs that were refused:
        # ParallelWaveGAN-style trainers end each value with a full stop
        (
            "2022-05-12 14:50:20,955 (train:487) INFO: (Steps: 900) train/generator_loss = 4.21.\n"
            "2022-05-12 14:56:20,955 (train:487) INFO: (Steps: 1000) train/generator_loss = nan.\n",
            2,
            "train/generator_loss",
        ),
        # spaCy v2's losses dict
        ("Losses {'ner': 25461.35}\nLosses {'ner': nan}\n", 2, "losses_ner"),
        # a counter with a colon, then unnamed values (DeepCTR's progress)
        ("batch: 386 0.6920916 0.62821305\nbatch: 387 nan 0.6595617\n", 2, "loss"),
    ],
)
def test_more_unfamiliar_shapes_are_read(text: str, line: int, name: str) -> None:
    report = diagnose_text(text)
    broke = _broke(report)
    assert broke["line"] == line and broke["name"] == name


def test_spacy_s_abort_on_a_nan_score_is_a_failure_message() -> None:
    # Hand-written: spaCy v3 stops when srsly cannot write a NaN score.
    report = diagnose_text(
        "E    #       LOSS TEXTCAT  CATS_SCORE  SCORE\n"
        "⚠ Aborting and saving the final best model. Encountered exception:\n"
        "OverflowError('Invalid Nan value when encoding double')\n"
    )
    assert report.problem and report.failure is not None and report.failure["line"] == 3
    assert report.first_nonfinite is None  # the prose is not read as a value


def test_a_log_line_between_two_table_rows_is_neither_their_header_nor_a_break() -> None:
    # Hand-written: the noise property test's example (a row, a foreign line, more rows).
    report = diagnose_text("0: inf  nan\nINFO nanny Infinity-war\n10: nan nan\n20: nan nan\n")
    assert report.first_nonfinite is not None
    assert report.first_nonfinite["line"] == 1 and report.first_nonfinite["metric"] == "loss"


def test_values_running_towards_minus_infinity_are_a_blow_up_not_a_sudden_break() -> None:
    # Hand-written, in the shape of a numpy print loop of a linear regression's weights.
    report = diagnose_text(
        "[-20.48] [-1.61]\n[-1.06e+12] [-3.75e+10]\n[-5.40e+22] [-1.90e+21]\n"
        "[-2.74e+33] [-9.70e+31]\n[ nan] [ nan]\n[ nan] [ nan]\n"
    )
    assert _ids(report)[0] == "learning_rate_too_high"
    rules = _rules(report)
    assert "SH06" in rules and "SH03" not in rules


def _sudden_break_score(values: list[str]) -> float:
    lines = [f"iter {100 * (i + 1)}: loss {v}" for i, v in enumerate([*values, "nan"])]
    report = diagnose_text("\n".join(lines) + "\n")
    return max(
        e.score
        for c in report.causes
        for e in c.evidence
        if e.rule == "SH03" and e.cause == "bad_input_data"
    )


def test_a_level_loss_that_breaks_with_no_epoch_shown_weighs_less_than_a_decline() -> None:
    # Hand-written. Without epochs nothing says the data had not been seen before; a noisy
    # level loss breaking late in a long run was a rate, float16 or gradients as often as a
    # bad batch in public threads.
    level = _sudden_break_score(["3.99", "3.94", "4.10", "3.95", "4.02"])
    declining = _sudden_break_score(["3.99", "3.10", "2.50", "2.10", "1.90"])
    assert level < declining


def test_a_tf_print_watch_is_read_and_its_curve_is_the_shape() -> None:
    # Hand-written, in the shape tf.Print writes: the user's message, then the tensor.
    report = diagnose_text(
        "I tensorflow/core/kernels/logging_ops.cc:64] CrossE[472.02]\n"
        "I tensorflow/core/kernels/logging_ops.cc:64] CrossE[1418.66]\n"
        "I tensorflow/core/kernels/logging_ops.cc:64] CrossE[1796.08]\n"
        "I tensorflow/core/kernels/logging_ops.cc:64] CrossE[nan]\n"
    )
    broke = _broke(report)
    assert broke["line"] == 4
    assert report.shape.startswith("the loss rose from 472 to 1796")
    assert any("names no training metric" in note for note in report.notes)


def test_an_index_in_prose_is_no_watched_value() -> None:
    # Hand-written: a bracketed finite number is not kept as a loose name.
    with pytest.raises(NoMetricsError):
        diagnose_text("reading shard[3] of the dataset\nreading shard[4] of the dataset\n")


def test_old_keras_verbose_2_lines_keep_their_epoch() -> None:
    # Hand-written, in Keras 2.0-2.2's verbose=2 shape (no batch counter on the line).
    run = _run(
        "Epoch 8/250\n - 2994s - loss: nan - acc: 0.0999\nEpoch 9/250\n - 2870s - loss: nan\n"
    )
    assert run.format == "keras"
    assert list(run.series.epoch)[:2] == [8.0, 8.0]


def test_chance_accuracy_in_an_excerpt_from_epoch_8_is_weak_evidence() -> None:
    # Hand-written: NaN from the first line shown, but the excerpt starts at epoch 8.
    text = "".join(
        f"Epoch {e}/250\n - 2994s - loss: nan - acc: 0.0999 - val_loss: nan - val_acc: 0.1000\n"
        for e in range(8, 12)
    )
    report = diagnose_text(text)
    assert _ids(report)[0] != "wrong_output_activation"
    scores = [e.score for c in report.causes for e in c.evidence if e.rule == "AC01"]
    assert scores and max(scores) < 0.5


def test_tf2_autocast_warning_is_not_half_precision() -> None:
    # Hand-written around TF 2's float64-to-float32 casting warning.
    report = diagnose_text(
        "WARNING:tensorflow:Layer dense is casting an input tensor from dtype float64 to the "
        "layer's dtype of float32. To change just this layer, pass dtype='float64' to the layer "
        "constructor. If you are the author of this layer, you can disable autocasting by "
        "passing autocast=False to the base Layer constructor.\n"
        "step 1 loss 2.3\nstep 2 loss 2.1\nstep 3 loss nan\n"
    )
    assert "MP05" not in _rules(report)


def test_an_excerpt_that_starts_at_epoch_4_is_past_the_first_pass() -> None:
    # Hand-written: epochs count from 0 or 1, so a break in epoch 4 is not the first pass.
    from nanlog.analysis import analyse
    from nanlog.rules.shape import _first_pass

    run = _run("epoch 4 step 10 loss 0.9\nepoch 4 step 20 loss 0.8\nepoch 4 step 30 loss nan\n")
    analysis = analyse(run)
    assert analysis.loss is not None
    assert _first_pass(analysis.loss, 4.0) == (4.0, True)
    assert _first_pass(analysis.loss, 1.0) is not None


def test_a_lowercase_train_bracket_is_a_position() -> None:
    # Hand-written, in CenterNet's progress shape.
    run = _run("multi_pose/dla |####   | train: [4][882/1583]|Tot: 0:02:16 |loss 3.2818 |\n")
    assert list(run.series.epoch) == [4.0]
    assert list(run.series.batch_at(i) for i in range(len(run.series.value))) == [882]


def test_loss_itself_wins_over_another_loss_named_term_on_its_line() -> None:
    # Hand-written: ``lm_loss`` here is a landmark term beside the total ``loss``.
    from nanlog.analysis import analyse

    run = _run(
        "step 1 loss 3.28 hm_loss 2.82 lm_loss 3.13\nstep 2 loss 3.27 hm_loss 2.81 lm_loss 3.12\n"
    )
    loss = analyse(run).loss
    assert loss is not None and list(loss.values) == [3.28, 3.27]


def test_a_validation_loss_shown_again_is_no_proof_the_weights_survived() -> None:
    # Hand-written, in the shape of a progress bar that repeats the last validation loss.
    report = diagnose_text(
        "epoch 1 step 10 loss 0.9 val_loss 0.8\n"
        "epoch 2 step 20 loss 5.0 val_loss 0.8\n"
        "epoch 2 step 30 loss nan val_loss 0.8\n"
    )
    assert "SH11" not in _rules(report)


def test_a_negative_loss_is_described_by_its_printed_values() -> None:
    # Hand-written, nnU-Net's shape: a Dice loss is negative.
    report = diagnose_text(
        "".join(
            f"Epoch {e}\ntrain_loss {v}\nval_loss -0.78\n"
            for e, v in [(629, "-0.7834"), (630, "-0.7657"), (631, "nan")]
        )
    )
    texts = [e.sentence for c in report.causes for e in c.evidence if e.rule == "SH03"]
    assert texts and all("-0.7834 -> -0.7657" in t for t in texts[:1])


@pytest.mark.parametrize(
    "text",
    [
        # fastai's tables end each row with the epoch's wall time
        "epoch train_loss valid_loss accuracy time\n0 2.597476 7.834398 0.205096 00:07\n"
        "1 nan nan 0.100000 00:06\n",
        "epoch | train_loss | valid_loss | mae | time\n0 | 2.5 | 2.4 | 1.1 | 00:01\n"
        "1 | nan | nan | nan | 00:01\n",
    ],
)
def test_fastai_tables_with_a_time_column_are_read(text: str) -> None:
    # Hand-written, in fastai's two table shapes.
    report = diagnose_text(text)
    broke = _broke(report)
    assert broke["line"] == 3


def test_a_hugging_face_metrics_block_is_read() -> None:
    # Hand-written, in the shape of Trainer.log_metrics: names padded to one width.
    report = diagnose_text(
        "***** eval metrics *****\n  epoch                     =     3.0\n"
        "  eval_loss                 =     nan\n  eval_runtime              = 72.1865\n"
    )
    broke = _broke(report)
    assert broke["name"] == "eval_loss"


def test_a_failure_message_that_names_its_iteration_is_no_start_of_training() -> None:
    # Hand-written around detectron2's own check: the loss_dict has no position of its own.
    report = diagnose_text(
        "FloatingPointError: Loss became infinite or NaN at iteration=756!\n"
        "loss_dict = {'loss_cls': tensor(nan), 'loss_box_reg': tensor(nan)}\n"
    )
    assert report.framework == "detectron2"
    assert "SH04" not in _rules(report)


def test_yolo_rows_are_read_under_their_header() -> None:
    # Hand-written, in YOLOv7's columns (a tqdm bar after each row).
    report = diagnose_text(
        "     Epoch   gpu_mem       box       obj       cls     total    labels  img_size\n"
        "     0/299     18.5G    0.1126     2.552    0.4747     3.139       540       768:"
        "   0%|     | 1/234 [00:04<18:28,  4.76s/it]\n"
        "     0/299     18.7G       nan     2.028       nan       nan       521       768:"
        "   6%|#    | 15/234 [00:23<04:56,  1.36s/it]\n"
    )
    assert report.format == "ultralytics" and report.framework == "yolo"
    assert report.first_nonfinite is not None and report.first_nonfinite["step"] == 15


def test_a_hand_written_network_s_error_line_is_its_loss() -> None:
    # Hand-written, in the shape of a NumPy network's print loop (a public thread's log).
    report = diagnose_text(
        "== EPOCH:  1 / 5  ==\n"
        "net.py:101: RuntimeWarning: divide by zero encountered in log\n"
        "Error:  nan\n"
        "== EPOCH:  2 / 5  ==\n"
        "Error:  nan\n"
    )
    assert _broke(report)["name"] == "Error"
    assert _ids(report)[0] == "unstable_loss_function"
    assert "FW04" in _rules(report)


def test_a_log_level_error_message_is_not_a_loss() -> None:
    with pytest.raises(NoMetricsError):
        _run("ERROR: nan detected in the input pipeline\nERROR: nan detected again\n")


def test_unknown_names_printed_every_iteration_are_read_as_the_run_s_metrics() -> None:
    # Hand-written, in the shape of a style-transfer GAN's print loop (a public thread's log).
    lines = "".join(
        f"Iter[{i}/20], Epoch [1/1]\nLrec: 0.2{i}, Ldadv: 0.9{i}, Lsty: 106{i}.5\n"
        for i in range(1, 6)
    )
    report = diagnose_text(lines)
    assert not report.problem and report.records == 15
    assert any("Lrec" in note for note in report.notes)


def test_a_log_with_only_a_precision_mention_is_not_a_training_log() -> None:
    with pytest.raises(NoMetricsError):
        _run(
            "Using auto half precision backend\nmodel.py:3: RuntimeWarning: overflow encountered in exp\n"
        )


def test_numpy_1_25_s_scalar_warning_is_read() -> None:
    # Hand-written: numpy >= 1.25 names scalar ops ``scalar divide``.
    report = diagnose_text(
        "loss.py:12: RuntimeWarning: divide by zero encountered in scalar divide\n"
        "step 1 loss 0.52\nstep 2 loss 0.47\nstep 3 loss nan\n"
    )
    assert "FW04" in _rules(report)


@pytest.mark.parametrize(
    ("op", "first"),
    [("log", "bad_input_data"), ("true_divide", "unstable_loss_function")],
)
def test_numpy_s_invalid_value_in_log_or_division_is_a_nan_it_made(op: str, first: str) -> None:
    # Hand-written: numpy warns "invalid value" only for a NaN the op made itself.
    report = diagnose_text(
        f"targets.py:40: RuntimeWarning: invalid value encountered in {op}\n"
        "step 1 loss 0.52\nstep 2 loss 0.47\nstep 3 loss nan\n"
    )
    assert "FW04" in _rules(report)
    assert _ids(report)[0] == first


@pytest.mark.parametrize("op", ["sqrt", "power", "scalar divide", "double_scalars"])
def test_numpy_s_invalid_value_elsewhere_is_not_read(op: str) -> None:
    # Hand-written: a schedule's sqrt, the mean of an empty list.
    report = diagnose_text(
        f"sched.py:9: RuntimeWarning: invalid value encountered in {op}\n"
        "step 1 loss 0.52\nstep 2 loss 0.47\nstep 3 loss nan\n"
    )
    assert "FW04" not in _rules(report)


def test_a_vae_s_latent_loss_is_read_as_its_kl_term() -> None:
    # Hand-written, in the shape of a TensorFlow VAE's print loop.
    report = diagnose_text(
        "epoch 1: genloss 74090.6 latloss 126.2\n"
        "epoch 2: genloss 77959.6 latloss 83.5\n"
        "epoch 3: genloss nan latloss nan\n"
    )
    assert "TM05" in _rules(report)


MMSEG_TRAIN = (
    "2022-02-23 10:31:11,741 - mmseg - INFO - Iter [100/2000]\tlr: 9.550e-03, "
    "decode.loss_ce: 0.2512, loss: 0.3512\n"
)
MMSEG_CLASS_TABLE = (
    "2022-02-23 10:41:11,741 - mmseg - INFO - per class results:\n"
    "2022-02-23 10:41:11,741 - mmseg - INFO - \n"
    "+--------+-------+-------+\n"
    "| Class  |  IoU  |  Acc  |\n"
    "+--------+-------+-------+\n"
    "| others | 99.51 | 99.87 |\n"
    "|  lane  |  nan  |  nan  |\n"
    "+--------+-------+-------+\n"
)


def test_a_class_score_nan_in_an_evaluation_table_is_a_class_missing_from_the_masks() -> None:
    # Hand-written, in the shape of mmsegmentation's per-class table.
    report = diagnose_text(MMSEG_TRAIN + MMSEG_CLASS_TABLE + MMSEG_TRAIN.replace("100/", "150/"))
    assert _broke(report)["name"] == "IoU.lane"
    assert _ids(report)[0] == "bad_input_data"
    assert "EV01" in _rules(report)
    assert "hid" not in report.shape


def test_a_training_nan_is_the_break_even_after_a_class_score_nan() -> None:
    # Hand-written: a class absent from the masks, and later a loss that really broke.
    report = diagnose_text(
        MMSEG_TRAIN
        + MMSEG_CLASS_TABLE
        + MMSEG_TRAIN.replace("0.3512", "nan").replace("100/", "150/")
    )
    assert _broke(report)["name"] == "loss"
    assert "EV01" not in _rules(report)


def test_a_table_of_bracketed_loss_terms_is_read_as_their_total() -> None:
    # Hand-written, in the shape of DeepXDE's table (one list of loss terms per column).
    report = diagnose_text(
        "Step      Train loss                        Test loss                         Test metric\n"
        "0         [1.45e+02, 3.45e+04, 8.46e-03]    [1.42e+02, 3.43e+04, 0.00e+00]    []\n"
        "1000      [1.16e+02, 7.83e+02, 1.00e+02]    [7.88e+01, 5.48e+02, 0.00e+00]    []\n"
        "2000      [8.26e+01, nan, 7.67e+01]    [5.59e+01, nan, 0.00e+00]    []\n"
    )
    broke = _broke(report)
    assert (broke["name"], broke["step"], broke["line"]) == ("Train loss", 2000, 4)
    assert "fell from 3.465e+04 to 999" in report.shape


def test_a_loop_s_own_nan_detected_line_is_a_failure_message() -> None:
    # Hand-written, in the shape of a Theano captioning loop that stops on its own check.
    report = diagnose_text(
        "Epoch  0 Update  1 Cost  527.62 PD  0.0009 UD  0.72\n"
        "Epoch  0 Update  2 Cost  511.08 PD  0.0009 UD  0.70\n"
        "NaN detected\n"
    )
    assert report.problem and report.failure is not None and report.failure["line"] == 3


def test_icefall_s_grad_scale_collapse_is_a_loss_scale_collapse() -> None:
    # Hand-written, in the shape of icefall/k2's trainer lines.
    report = diagnose_text(
        "2023-03-06 12:40:16,652 INFO [train.py:694] Epoch 1, batch 8400, loss[loss=2.31, over "
        "1266.00 frames. ], batch size: 2, lr: 3.56e-02, grad_scale: 2.0\n"
        "2023-03-06 12:41:16,652 WARNING [train.py:680] Grad scale is small: 0.0\n"
        "2023-03-06 12:41:16,653 INFO [train.py:694] Epoch 1, batch 8500, loss[loss=nan, over "
        "1288.00 frames. ], batch size: 2, lr: 3.56e-02, grad_scale: 0.0\n"
    )
    assert _ids(report)[0] == "mixed_precision_overflow"
    assert "MP01" in _rules(report)


def test_a_running_mean_glued_to_its_value_is_read() -> None:
    # Hand-written, in the shape of an MXNet logger: ``loss: 2.31(2.40)``.
    report = diagnose_text(
        "Epoch[0] Batch [100]    Speed: 704  loss: 2.3100(2.4000)  top1: 5.6562(5.1406)\n"
        "Epoch[0] Batch [200]    Speed: 706  loss: nan(nan)  top1: 4.8125(5.1641)\n"
    )
    broke = _broke(report)
    assert broke["line"] == 2 and broke["last_finite"] == 2.31


def test_a_kl_printed_in_a_key_value_table_is_read() -> None:
    # Hand-written, in the shape of OpenAI baselines' ACKTR table.
    block = "| EVAfter   | {ev}      |\n| EpRewMean | -8.5       |\n| KL        | {kl} |\n\n"
    report = diagnose_text(
        block.format(ev="0.984", kl="0.00148061") + block.format(ev="0.981", kl="nan       ")
    )
    assert _broke(report)["name"] == "KL"


def test_a_foreign_line_inside_a_class_table_does_not_end_it() -> None:
    # Hand-written: a warning printed between the header and the rows of the per-class table.
    table = MMSEG_CLASS_TABLE.replace(
        "| Class  |  IoU  |  Acc  |\n", "| Class  |  IoU  |  Acc  |\nINFO nanny Infinity-war\n"
    )
    report = diagnose_text(MMSEG_TRAIN + table)
    assert _broke(report)["name"] == "IoU.lane"


# Hand-written in the shape of a Keras fit whose regression targets hold NaN rows: each
# epoch's running loss turns NaN and starts finite again; validation stays finite.
_KERAS_RECOVERING = (
    "Epoch 1/3\n"
    "24/24 [==============================] - 0s 18ms/step - loss: nan - val_loss: 63.4238\n"
    "Epoch 2/3\n"
    "24/24 [==============================] - ETA: 0s - loss: 72.3939 - ETA: 0s - loss: nan"
    " - 0s 16ms/step - loss: nan - val_loss: 62.7431\n"
    "Epoch 3/3\n"
    "24/24 [==============================] - ETA: 0s - loss: 78.7923 - ETA: 0s - loss: nan"
    " - 0s 19ms/step - loss: nan - val_loss: 47.5451\n"
)


def test_a_keras_nan_that_recovers_without_float16_is_a_bad_batch_first() -> None:
    """Keras has no loss scaler unless a mixed_float16 policy is set: with none in the log, a
    NaN that the next epoch leaves is a bad batch before a skipped float16 step."""
    report = diagnose_text(_KERAS_RECOVERING)
    assert _ids(report)[0] == "bad_input_data"
    assert "MP09" in _rules(report)
    with_policy = diagnose_text(
        "Mixed precision compatibility check (mixed_float16): OK\n" + _KERAS_RECOVERING
    )
    assert _ids(with_policy)[0] == "mixed_precision_overflow"
    assert "MP09" not in _rules(with_policy)


def test_a_line_of_a_name_a_gap_and_a_value_is_read_when_nothing_else_is() -> None:
    # Hand-written in the shape of a Torch7 loop's ``print('err', err)`` (fresh set 2322): the
    # name, a tab-wide gap and the value are the whole line. One space between words is prose.
    report = diagnose_text("err     2.31\nerr     1.87\nerr     nan\nerr     nan\n")
    broke = _broke(report)
    assert broke["metric"] == "err" and broke["line"] == 3
    assert diagnose_text("err\t2.31\nerr\tnan\n").first_nonfinite is not None
    with pytest.raises(NoMetricsError):
        diagnose_text("Invalid nan value\nInvalid nan value\n")
    with pytest.raises(NoMetricsError):  # the pair must be the whole line
        diagnose_text("skipping sample   nan\nskipping sample   nan\n")


def test_a_nan_printed_before_the_first_metric_line_is_still_read() -> None:
    # Hand-written in the shape of fresh sets 2322 and 1325: ``err     nan`` lines, then an
    # epoch summary that names the loss; ``L: inf C: 23.2`` (L is no metric name, C is).
    summary = "[EPOCH : 20 LOSS: 0.000000 TOTAL: 850461 BATCHES: 13683]\n"
    report = diagnose_text("err     nan\nNaN\nerr     nan\n" + summary)
    assert _broke(report)["metric"] == "err" and _broke(report)["line"] == 1
    ssd = "Epoch:1 || iter 0 || L: inf C: 23.2587|| LR: 0.000001\n"
    assert _broke(diagnose_text(ssd + ssd.replace("23.2587", "19.0657")))["line"] == 1
    # a finite name before the metrics is no metric of the run: it is not read
    assert not diagnose_text("seed     1234.5\n" + summary).problem


def test_a_loops_print_of_its_loss_tensor_is_read_when_nothing_else_is() -> None:
    # Hand-written in the shape of reading set 3744 (``print(loss.detach().float())``) and of
    # ``print(loss)`` with its grad_fn: scalar tensors alone on their lines are the loss.
    report = diagnose_text(
        "tensor(3.2207, device='cuda:0')\n" + "tensor(nan, device='cuda:0')\n" * 3
    )
    assert _broke(report)["line"] == 2 and _broke(report)["metric"] == "loss"
    grads = "tensor(2.3026, grad_fn=<NllLossBackward0>)\n" * 3
    assert not diagnose_text(grads).problem
    with pytest.raises(NoMetricsError):  # two finite prints are no loop yet
        diagnose_text("tensor(0.5)\ntensor(0.25)\n")
    # ``print(loss.item())``: bare decimals alone on their lines; bare integers are counters.
    items = diagnose_text("2.3026\n1.9512\n1.7004\nnan\n")
    assert _broke(items)["line"] == 4 and _broke(items)["last_finite"] == 1.7004
    with pytest.raises(NoMetricsError):
        diagnose_text("100\n200\n300\n400\n")
    # A named metric elsewhere in the log wins: the lone tensors are then a debug print.
    named = diagnose_text("tensor(nan)\nepoch 1 loss 0.5\nepoch 2 loss 0.4\n")
    assert not named.problem


def test_a_zero_padded_nan_is_a_nan() -> None:
    # Python's f"{x:07.3f}" prints 0000nan (reading set 3768, a TF2 custom loop); hand-written.
    report = diagnose_text(
        "Step      10 ( 3.21%): loss = 3.98384 EER=0.38987\n"
        "Step      20 ( 6.41%): loss = 3.71272 EER=0.30024\n"
        "Step      80 (23.64%): loss = 0000nan EER=0.00000\n"
    )
    assert _broke(report)["line"] == 3


def test_a_key_value_row_padded_wide_is_read_when_its_value_ends_the_line() -> None:
    # Hand-written in the shape of rlpyt's logger table (reading set 3823): a time, a bar, the
    # key, twenty blanks, the value. A wide gap inside a line names nothing.
    row = "2020-12-08 21:40:50.120008  | loss/Average                    {}\n"
    report = diagnose_text(row.format("0.52") + row.format("0.47") + row.format("nan"))
    assert _broke(report)["line"] == 3
    with pytest.raises(NoMetricsError):
        diagnose_text("loss                  0.5 of the budget used\n" * 3)


def test_a_sentence_that_says_a_value_is_reads_it_but_not_a_checks_wording() -> None:
    # Hand-written in the shapes of OpenNN (reading set 3847), InsightFace's TF1 loop (3429)
    # and TF's CheckNumerics message (3018).
    opennn = diagnose_text(
        "Training with quasi-Newton method...\nOpenNN Warning: Gradient norm is inf.\n"
    )
    assert _broke(opennn)["line"] == 2 and _broke(opennn)["metric"] == "grad_norm"
    insightface = diagnose_text(
        "epoch 0, total_step 20, total loss is 15.06 , training accuracy is 0.31\n"
        "epoch 0, total_step 40, total loss is 17.67 , training accuracy is 0.28\n"
        "epoch 0, total_step 60, total loss is nan , training accuracy is 0.00\n"
    )
    assert _broke(insightface)["last_finite"] == 17.67
    check = diagnose_text("E check_numerics_op.cc:157] abnormal_detected_host Loss is inf or nan\n")
    assert check.first_nonfinite is None and check.failure is not None


def test_a_position_that_ends_a_sentence_places_the_value_before_it() -> None:
    # Hand-written in the shape of R brulee's stop message (reading set 3401).
    report = diagnose_text("Loss is NaN at epoch 10. Training is stopped.\n")
    assert _broke(report)["epoch"] == 10


def test_a_phases_error_rate_is_a_metric() -> None:
    # Hand-written in the shapes of cxxnet/XGBoost (reading set 3842) and OpenNN.
    report = diagnose_text(
        "\ttrain-error:0.1357\teval-error:0.0213\n\ttrain-error:nan\teval-error:0.0213\n"
    )
    assert _broke(report)["name"] == "train-error"
    assert _broke(diagnose_text("Training error: 0.5\nTraining error: -nan(ind)\n"))["line"] == 2


@pytest.mark.parametrize(
    "lines",
    [
        # two ranks print each halving (reading set 3887, DeepSpeed on an NPU)
        "".join(
            f"Gradient overflow. Skipping step\nLoss scaler reducing loss scale to {s}\n" * 2
            for s in (64.0, 32.0, 16.0, 8.0, 4.0, 2.0)
        ),
        # PaddleNLP's Trainer (reading set 3886)
        "".join(
            f"[ WARNING] - optimizer not run, scale_before: {s * 2}, scale_after: {s}\n"
            f"[    INFO] - loss: 2.09, learning_rate: 0.0, global_step: {i}\n"
            for i, s in enumerate((32.0, 16.0, 8.0, 4.0, 2.0))
        ),
    ],
)
def test_a_loss_scale_halved_down_to_its_floor_is_read_in_more_wordings(lines: str) -> None:
    # Hand-written; a halving printed twice (two ranks) is one halving, not a recovery.
    report = diagnose_text(lines)
    assert report.problem and report.causes[0].id == "mixed_precision_overflow"


def test_an_exceptions_name_with_loss_in_it_is_no_metric() -> None:
    # TF Estimator's NanLossDuringTrainingError, hand-written: a message, not a metric.
    report = diagnose_text(
        "loss = 0.5, step = 100\n"
        "tensorflow.python.training.basic_session_run_hooks.NanLossDuringTrainingError: "
        "NaN loss during training.\n"
    )
    assert report.first_nonfinite is None and report.failure is not None


def test_a_summarys_grad_is_its_gradient_norm() -> None:
    # Hand-written in the shape of SCNet's epoch summaries (reading set 3918).
    line = "- INFO - Train Summary | Epoch {} | Loss={} | Grad={}\n"
    report = diagnose_text(line.format(1, 0.22, 9164.28) + line.format(2, 0.19, "inf"))
    assert _broke(report)["metric"] == "grad_norm" and _broke(report)["line"] == 2


def test_a_loss_absurd_from_its_first_record_is_said_by_its_size() -> None:
    # Hand-written in the shape of reading set 3901: 5e30 then 3e31, no NaN. A factor over the
    # first records (here below 1) would say nothing; the headline gives the size reached.
    report = diagnose_text(
        "Epoch [1/1000], Train Loss: 5396073623079684061681189650432.0000\n"
        "Epoch [2/1000], Train Loss: 31940022260972882852298342006784.0000\n"
        "Epoch [3/1000], Train Loss: 31939982713711475781379161063424.0000\n"
    )
    assert report.divergence is not None and report.divergence["factor"] == 0.0
    assert "reached 5.4e+30" in headline(report)


def test_unnamed_rows_with_a_line_between_each_survive_one_more_foreign_line() -> None:
    # Hand-written in the shape of VITS's logger (reading set 3822), found by the noise fuzz
    # test: a position line before each row of unnamed values, and a stray line after the first.
    rows = "".join(
        f"INFO:ljs_base:Train Epoch: 37 [{p}%]\nINFO:ljs_base:[nan, nan, 8{p % 10}.04, {step}]\n"
        for p, step in ((22, 28400), (48, 28600), (73, 28800))
    )
    lines = rows.split("\n")
    noisy = "\n".join([*lines[:2], "INFO nanny Infinity-war", *lines[2:]])
    assert _broke(diagnose_text(rows))["line"] == 2
    assert _broke(diagnose_text(noisy))["line"] == 2


def test_rows_that_print_a_2d_weight_array_are_read() -> None:
    # Hand-written in the shape of a TF1 linear regression (reading set 3954): step, cost and
    # a numpy 2-D weight, ``[[-0.078  0.966  1.590]]``.
    rows = "".join(
        f"{step} {cost} [[-0.0{step + 1}  0.96626461  1.59019899]]\n"
        for step, cost in ((0, "2.28883"), (50, "0.000293455"), (100, "nan"))
    )
    assert _broke(diagnose_text(rows))["line"] == 3


def test_kaldis_objective_sentence_is_read() -> None:
    # Hand-written in the shape of Kaldi nnet3's training log (reading set 3075).
    line = (
        "LOG (nnet3-train:PrintStatsForThisPhase():nnet-training.cc:121) Average objective "
        "function for 'output' for minibatches {} is {} over 19538 frames.\n"
    )
    report = diagnose_text(line.format("40-49", "-35.0044") + line.format("50-59", "-nan"))
    assert _broke(report)["line"] == 2 and _broke(report)["name"] == "objective"


@pytest.mark.parametrize("line", ["{:.5f}\n", "psnr: {:.5f}\n"])
def test_a_late_nan_under_no_known_name_is_found_past_the_kept_values(line: str) -> None:
    # Hand-written: 6,000 finite values under no metric name (more than are kept for the
    # curve), then the NaN; the break must still be found, not a healthy run reported.
    text = "".join(line.format(20 + i * 1e-4) for i in range(6000)) + line.replace("{:.5f}", "nan")
    assert _broke(diagnose_text(text))["line"] == 6001


def test_a_conjunction_is_not_part_of_a_metrics_name() -> None:
    # Hand-written in the shape of reading set 3903: the sentence names the loss, not a
    # metric called "because loss".
    report = diagnose_text(
        "End of epoch  19 | loss   4.1564\nEnd of epoch  20 | loss   4.1070\n"
        "Stopping epoch because loss is NaN\n"
    )
    assert _broke(report)["name"] == "loss" and _broke(report)["line"] == 3
    # BigDL's ``Throughput is 2190.9 records/second. Loss is nan.`` (reading set 3608): a word
    # that ends a sentence is not part of the next name either.
    bigdl = diagnose_text("Throughput is 2190.9 records/second. Loss is nan.\n")
    assert _broke(bigdl)["name"] == "Loss"


def test_a_bars_stale_validation_terms_are_no_terms_of_the_training_loss() -> None:
    # Hand-written in the shape of reading set 3456 (a Lightning 1.x bar): the training loss
    # is NaN beside last epoch's finite validation terms; that says nothing of the weights.
    bar = "Epoch 12: : {n}it [11:53,  1.19s/it, loss={loss}, v_num=0, val_rec_loss=0.0454, "
    bar += "val_kl_loss=0.819]\n"
    stale = diagnose_text(bar.format(n=600, loss="0.0638") + bar.format(n=1200, loss="nan"))
    assert "TM01" not in _rules(stale)
    terms = "step 20, total loss: nan, rec_loss: 0.0454, kl_loss: 0.819\n"
    assert "TM01" in _rules(diagnose_text("step 10, total loss: 0.9\n" + terms))


def test_an_epochs_averaged_inf_grad_norm_beside_a_finite_averaged_loss_is_no_failure() -> None:
    # Hand-written in the shape of reading set 3460 (MetricLogger, as in DETR, DeiT, MAE and
    # LAVIS): an AMP epoch's averaged grad norm is inf when one step overflowed, while its
    # averaged loss stays finite because no step's loss was NaN.
    step = "Train: data epoch: [0]  [2999/3000]  lr: 0.000022  loss: 2.7363  grad_norm: 2.8635\n"
    averaged = "[INFO] Averaged stats: lr: 0.0000  loss: {loss}  grad_norm: inf\n"
    report = diagnose_text(step + averaged.format(loss="3.3059"))
    assert not report.problem and any("loss scaler" in note for note in report.notes)
    assert _broke(diagnose_text(step + averaged.format(loss="nan")))["line"] == 2
    # a step's line is no average: an inf grad norm that ends the log is still reported
    assert diagnose_text(step + step.replace("2.8635", "inf")).problem
    # a log of epoch averages alone still has a curve: its growth before the NaN is read
    epochs = "".join(averaged.format(loss=v) for v in ("3.3", "2.9", "2.5", "1e9", "nan"))
    report = diagnose_text(epochs.replace("  grad_norm: inf", ""))
    assert report.divergence is not None or "rose" in str(report.shape)


def test_an_exception_a_loop_raises_on_a_nan_loss_is_a_failure() -> None:
    # Hand-written in the shape of reading set 4070 (DDSP-SVC): the traceback quotes the
    # ``raise`` line, then the exception's own line says the loss was NaN.
    raised = "    raise ValueError(' [x] nan loss ')\nValueError:  [x] nan loss\n"
    report = diagnose_text("step 1 loss: 0.52\n" + raised)
    assert report.problem and report.failure is not None and report.failure["line"] == 3
    # the word alone in an unrelated exception is not a loss failure
    assert not diagnose_text("step 1 loss: 0.52\nValueError: bad value for nan_policy\n").problem


def test_an_epoch_and_batch_pair_in_brackets_places_the_break() -> None:
    # Hand-written in the shape of PyTorch's DCGAN example (``[%d/%d][%d/%d] Loss_D: ...``)
    # and reading set 4066 (crnn.pytorch): ``[epoch/epochs][batch/batches]``.
    gan = "[0/25][0/782] Loss_D: 1.38 Loss_G: 0.69\n[0/25][50/782] Loss_D: nan Loss_G: nan\n"
    broke = _broke(diagnose_text(gan))
    assert broke["epoch"] == 0 and broke["batch"] == 50
    # an excerpt that starts at epoch 806 is not NaN "from the first step"
    excerpt = "[806/1000][400/410] Loss: inf\n[807/1000][100/410] Loss: inf\n"
    assert _broke(diagnose_text(excerpt))["epoch"] == 806


def test_a_tuple_of_names_then_a_tuple_of_values_is_read() -> None:
    # Hand-written in the shape of reading set 4067 (an OCR loop printing its loss's spread):
    # the average is the loss itself; the minimum and maximum are not read as losses.
    log = (
        "train loss (min, avg, max): (0.012, 0.531, 2.31)\n"
        "validation loss (min, avg, max): (0.2, 0.61, 1.9)\n"
        "train loss (min, avg, max): (-0.276, nan, 1152.610)\n"
    )
    broke = _broke(diagnose_text(log))
    assert broke["line"] == 3 and broke["metric"] == "loss"
    with pytest.raises(NoMetricsError):  # a function's arguments are no metrics
        diagnose_text("f(x, y): (1.0, 2.0)\nf(x, y): (1.5, 2.5)\n")


def test_llama_cpp_values_with_their_spread_and_neox_overflow_exit_are_read() -> None:
    # Hand-written in the shapes of reading sets 4142 (llama.cpp's llama-finetune) and 4146
    # (GPT-NeoX's overflow monitor raising after a run of skipped steps).
    line = "train: [###] data=0001123/0001123 loss={}±0.00998 acc=42.86±0.07% t=00:20:25\n"
    assert not diagnose_text(line.format("3.02974") + line.format("2.9")).problem
    assert _broke(diagnose_text(line.format("3.02974") + line.format("nan")))["line"] == 2
    neox = "Exception: Skipped 50 iterations in a row due to Overflow - Exiting training.\n"
    report = diagnose_text("iteration 10/100 | lm_loss: 2.28 |\n" + neox)
    assert report.problem and _ids(report)[0] == "mixed_precision_overflow"


def test_a_double_spaced_table_keeps_its_header_and_its_rows() -> None:
    # Hand-written in the shape of reading set 3010 (nolearn/Lasagne's table) pasted with
    # every newline doubled, as some pages copy: blank lines between header, rule and rows.
    table = (
        " Epoch  |  Train loss  |  Valid loss  |  Valid acc\n"
        "--------|--------------|--------------|-----------\n"
        "     1  |    0.693147  |    0.690012  |    52.17%\n"
        "     2  |    0.681234  |    0.679876  |    55.02%\n"
        "     3  |         nan  |         nan  |    47.83%\n"
    )
    broke = _broke(diagnose_text(table.replace("\n", "\n\n")))
    assert broke["line"] == 9 and broke["metric"] == "loss" and broke["epoch"] == 3


def test_a_row_printed_onto_a_progress_bar_is_read() -> None:
    # Hand-written in the shape of reading set 4384 (unsloth's trainer printing `step, loss`
    # without tqdm.write, so each row lands on the bar's line).
    bar = "  {p}%|          | {i}/600 [00:17<2:54:35, 17.49s/it]{s}, {v}\n"
    log = "".join(bar.format(p=i // 6, i=i + 1, s=i, v=v) for i, v in enumerate(["11.2", "9.3"]))
    assert not diagnose_text(log).problem
    broke = _broke(diagnose_text(log + bar.format(p=0, i=3, s=2, v="nan")))
    assert broke["line"] == 3 and broke["step"] == 2
