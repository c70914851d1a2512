"""Builds manifest.csv for the torch family from runs.tsv (written by make_torch.sh), the ground
truth sidecars, and an independent scan of each captured file for the first line that shows a
non-finite metric value."""
import argparse
import csv
import json
import math
import os
import re

HEADER = ["file", "framework", "framework_version", "capture", "format", "fault",
          "first_nonfinite_metric", "first_nonfinite_epoch", "first_nonfinite_step",
          "first_nonfinite_line", "notes"]

# key (loss / lr / grad_norm / Chinese keys), optional ANSI codes, separator, then nan / inf.
ANSI = rb"(?:\x1b\[[0-9;]*m)*"
KEY = rb"(?:[A-Za-z_\-]*(?:loss|lr|norm)[A-Za-z_\-]*|\xe6\x8d\x9f\xe5\xa4\xb1|\xe5\xad\xa6\xe4\xb9\xa0\xe7\x8e\x87)"
VALUE_RE = re.compile(KEY + ANSI + rb"\s*[:=]?\s*" + ANSI + rb"'?-?(?:nan|inf(?:inity)?)(?![A-Za-z])",
                      re.I)
CSV_CELL_RE = re.compile(rb"(?:^|,)-?(?:nan|inf)(?:,|$)", re.I)

# observed behaviour, per file name (basename without extension)
NOTES = {
    "lightning_healthy_tty": "converges (train_loss_step ~0.3-0.6); TQDM bar redraws with \\r inside one \\n-line per epoch",
    "lightning_healthy_pipe": "converges; tqdm still writes \\r redraws when piped",
    "lightning_bad_input_data_tty": "NaN feature in sample of batch 7 (no shuffle); bar shows train_loss_step=nan.0 from batch 7 on, later val_loss=nan.0, train_loss_epoch=nan.0 (tqdm format_num spelling)",
    "lightning_bad_input_data_pipe": "same run as tty, piped",
    "lightning_exploding_gradients_tty": "linear regression, SGD lr=1.1 above stability limit: train_loss_step grows ~2x/step for ~95 steps (bar: 4.400, 14.40, 203.0 ... 1.47e+37), then inf.0, then nan.0",
    "lightning_exploding_gradients_pipe": "same run as tty, piped",
    "lightning_learning_rate_too_high_tty": "SGD lr=1000: loss 1.55 -> 2.09e+05 -> 1.48e+11 ... -> nan at batch 8 (bar: train_loss_step=nan.0)",
    "lightning_unstable_loss_function_tty": "hand-written BCE -(y*log(p)+(1-y)*log(1-p)); sigmoid saturates to 1.0 -> 0*log(0) = nan after normal decline to ~1e-3",
    "lightning_label_out_of_range_metrics": "metrics.csv ends with the train_loss_step row of csv step 3 (batch 4); crash at batch 5; no nan",
    "lightning_healthy_metrics": "lr-Adam rows (LearningRateMonitor) interleaved with train_loss_step rows; val_loss/train_loss_epoch rows at epoch ends",
    "lightning_invalid_learning_rate_metrics": "LearningRateMonitor(logging_interval='step') column lr-SGD is nan first (own row), self.log('lr') column 'lr' nan in the train row",
    "lightning_label_out_of_range_tty": "crashes at batch 5: IndexError: Target 8000 is out of bounds. (traceback, no nan printed); bar line redrawn after the traceback",
    "lightning_invalid_learning_rate_tty": "LambdaLR poly decay (np.power(1-step/30, 0.5)) -> nan lr; bar shows lr=nan.0 (tqdm format_num), then train_loss_step=nan.0 next step; numpy RuntimeWarning on stderr",
    "lightning_mixed_precision_overflow_tty": "Trainer(precision='16-mixed') alone is silently turned into bf16-mixed on CPU (warning), so MixedPrecision('16-mixed','cpu', GradScaler('cpu')) plugin passed; fp16 output > 65504 -> train_loss_step=inf.0, finite and inf alternate afterwards (scaler skips steps)",
    "lightning_anomaly_unstable_loss_function_tty": "detect_anomaly=True: UserWarning 'Error detected in LogBackward0' + forward traceback, then RuntimeError: Function 'LogBackward0' returned nan values in its 0th output.; the nan loss itself is never shown",
    "lightning_rich_healthy_tty": "RichProgressBar: ESC[2K line clears, ANSI colours, 'train_loss_step: 0.123' key: value pairs; rich model-summary table",
    "lightning_rich_bad_input_data_tty": "RichProgressBar; nan shown as 'train_loss_step: nan' inside ESC[3m italics",
    "pytorch_print_healthy_pipe": "print(f'epoch {e} step {s} loss {loss:.4f} lr {lr}'), epoch 1-based, step = global step",
    "pytorch_print_exploding_gradients_pipe": "loss printed with :.4f so huge values become long digit strings (e.g. 14732356392720431893726355378174689280.0000), then inf, nan",
    "pytorch_print_bad_input_data_pipe": "loss nan from step 7",
    "pytorch_print_learning_rate_too_high_pipe": "SGD lr=1000: loss jumps to 1e5..1e34 then nan at step 8",
    "pytorch_print_unstable_loss_function_pipe": "hand-written BCE with log(1-p), p saturates to 1.0: nan after decline",
    "pytorch_print_invalid_learning_rate_pipe": "lr printed 'nan' at step 32 (lr used by that step), loss nan at step 33; numpy RuntimeWarning (stderr) lands at the top of the piped file because stdout is block-buffered",
    "pytorch_logging_healthy_pipe": "logging.basicConfig format '%(asctime)s %(levelname)s %(name)s: %(message)s' (stderr) 'iter=N, loss=x, grad_norm=y'",
    "pytorch_logging_exploding_gradients_pipe": "grad_norm = clip_grad_norm_(max_norm=inf) return value grows with the loss; loss=inf at iter 97, grad_norm=inf at 98, nan at 99",
    "pytorch_logging_label_out_of_range_pipe": "IndexError: Target 8000 is out of bounds. traceback at iter 5; no nan",
    "pytorch_chinese_healthy_pipe": "print(f'第{e}轮 步数 {s} 损失: {loss:.4f} 学习率: {lr}')",
    "pytorch_chinese_bad_input_data_pipe": "损失: nan from step 7",
    "pytorch_anomaly_unstable_loss_function_pipe": "torch.autograd.set_detect_anomaly(True): warning with forward traceback + RuntimeError: Function 'LogBackward0' returned nan values in its 0th output.; crash in backward before the nan loss is printed",
    "pytorch_fp16_mixed_precision_overflow_pipe": "torch.autocast('cpu', float16) + torch.amp.GradScaler('cpu'); scale halves on every skipped step (32768.0 ... 0.0078125); fp16 output overflows -> loss inf (no nan), finite and inf alternate",
    "pytorch_tqdm_exploding_gradients_tty": "tqdm set_postfix(loss=...) -> 'loss=1.47e+37' then 'loss=inf', 'loss=nan'; each epoch one \\n-line of \\r redraws (script sleeps 0.11 s/step so tqdm's counter advances like in a real run)",
}


def scan_log(path):
    data = open(path, "rb").read()
    for i, line in enumerate(data.split(b"\n"), start=1):
        if VALUE_RE.search(line):
            return i
    return None


def scan_csv(path):
    """First row with a non-finite cell: (line number, column, step, epoch)."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    for i, row in enumerate(rows[1:], start=2):
        for col, cell in zip(head, row):
            if col in ("step", "epoch") or cell == "":
                continue
            if not math.isfinite(float(cell)):
                rec = dict(zip(head, row))
                return i, col, rec["step"], rec.get("epoch", "")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--runs", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--lightning-version", required=True)
    ap.add_argument("--torch-version", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    out_rows = []
    for line in open(args.runs, encoding="utf-8"):
        rel, fw, cap, fmt, fault, tname, extra = line.rstrip("\n").split("\t")
        path = os.path.join(args.repo, rel)
        truth = json.load(open(os.path.join(args.truth, tname + ".json")))
        version = args.lightning_version if fw == "lightning" else args.torch_version
        notes = [n for n in (NOTES.get(tname), extra) if n]
        metric, epoch, step, lineno = truth.get("metric"), truth.get("epoch"), truth.get("global_step"), None
        if cap == "file":
            hit = scan_csv(path)
            # the csv line scan too (as text) must agree with the row scan
            text_hit = None
            for i, l in enumerate(open(path, "rb").read().split(b"\n"), start=1):
                if i > 1 and CSV_CELL_RE.search(l):
                    text_hit = i
                    break
            if hit:
                lineno, col, csv_step, _ = hit
                if text_hit != lineno:
                    notes.append(f"CHECK: text scan line {text_hit} != row scan {lineno}")
                if step is not None and int(csv_step) != step - 1:
                    notes.append(f"CHECK: csv step {csv_step} vs truth global_step {step}")
                notes.append(f"csv column {col}; csv step column is 0-based: csv step {csv_step} = truth global_step {step} - 1; csv rows end in \\r\\n")
                metric, step = col, int(csv_step)
            elif metric:
                notes.append("CHECK: truth non-finite but csv has none")
        else:
            lineno = scan_log(path)
        if metric and cap != "file":
            notes.append(f"epoch {'0-based' if fw == 'lightning' else '1-based'}; step = 1-based global step")
        if truth.get("first_nonfinite_train_loss") or truth.get("first_nonfinite_loss"):
            fl = truth.get("first_nonfinite_train_loss") or truth.get("first_nonfinite_loss")
            notes.append(f"loss first non-finite at global step {fl['global_step']}")
        exc = truth.get("exception")
        if exc:
            notes.append(f"crash {exc['type']}: {exc['message']} (epoch {exc['epoch']}, global step {exc['global_step']})")
        if metric and lineno is None:
            notes.append("no non-finite value printed in this file")
        out_rows.append([rel, fw, version, cap, fmt, fault, metric or "",
                         "" if epoch is None or metric is None else epoch,
                         "" if step is None or metric is None else step,
                         lineno or "", "; ".join(notes)])
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(out_rows)
    print(f"wrote {args.out}: {len(out_rows)} rows")


if __name__ == "__main__":
    main()
