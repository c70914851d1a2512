#!/usr/bin/env python
"""Build manifest.csv for sample_logs/hf from the captured files + ground-truth sidecars.

first_nonfinite_line is found by an independent regex scan of the raw bytes (1-based, only
'\\n' ends a line). Metric/epoch/step columns: if the first non-finite line shows the training
loss itself, they are the ground truth of the sidecar (first non-finite training loss computed);
otherwise (logging_nan_inf_filter hides the loss) they describe the metric that the log shows
first (grad_norm / learning_rate) at the step that line was logged, and the notes give the
ground-truth loss step. For trainer_state.json the step/epoch are the file's own "step"/"epoch".
"""
import csv
import glob
import importlib.metadata as md
import json
import math
import os
import re
import sys

REPO = sys.argv[1]
LOGDIR = os.path.join(REPO, "sample_logs", "hf")
TRUTH = "/opt/nanlog-dev/truth"
VERSION = "transformers {} / accelerate {} / torch {}".format(
    md.version("transformers"), md.version("accelerate"), md.version("torch"))

CONSOLE_RE = re.compile(r"'(\w+)': '(-?(?:nan|inf))'", re.I)
JSON_RE = re.compile(r'"(\w+)": (NaN|-?Infinity)')
EPOCH_RE = re.compile(r"'epoch': '([0-9.e+-]+)'")

FAULT_NOTES = {
    "healthy": "tiny BertForSequenceClassification (random init from BertConfig); converges; "
               "eval_loss each epoch",
    "bad_input_data": "custom MLP on float features; NaN in one feature of sample 357 "
                      "(batch 23, no shuffle); logging_steps=5; eval every 20 steps",
    "exploding_gradients": "linear regression + optim=sgd lr=1.15 (> stability limit 1/lambda) "
                           "+ max_grad_norm=0; loss and grad_norm grow ~x10 per 4-step log for "
                           "~90 steps, loss overflows to inf then params nan; logging_steps=4",
    "learning_rate_too_high": "5-hidden-layer MLP regression, AdamW lr=100 (default clipping 1.0); "
                              "loss 7.9 -> 4.6e+33 at step 2 -> inf at step 4 -> nan; "
                              "grad_norm prints inf from step 2 (pre-clip norm overflow)",
    "unstable_loss_function": "hand-written one-vs-rest BCE -(t*log(p)+(1-t)*log(1-p)), "
                              "p=sigmoid: loss declines smoothly to ~0.02 then 0*log(0)=nan "
                              "with no growth before; logging_steps=2",
    "invalid_learning_rate": "LambdaLR via optimizers=(AdamW, sched) with factor "
                             "np.sqrt(1-s/50) in an 80-step run: 'learning_rate': 'nan' logged, "
                             "numpy RuntimeWarning 'invalid value encountered in sqrt' on stderr",
    "label_out_of_range": "tiny BERT, 5 labels, label 8000 in batch 3: crash "
                          "'IndexError: Target 8000 is out of bounds.' (traceback, exit 1); "
                          "no nan printed",
}


def scan(path, is_json):
    data = open(path, "rb").read()
    rx = JSON_RE if is_json else CONSOLE_RE
    for i, raw in enumerate(data.split(b"\n"), 1):
        line = raw.decode("utf-8", "replace")
        hits = rx.findall(line)
        if hits:
            m = EPOCH_RE.search(line)
            return i, [h[0] for h in hits], (m.group(1) if m else None), line
    return None, [], None, None


def fmt_epoch(e):
    if e is None:
        return ""
    return ("%g" % e) if isinstance(e, float) else str(e)


rows = []
files = sorted(glob.glob(os.path.join(LOGDIR, "hf_*.log")) +
               glob.glob(os.path.join(LOGDIR, "hf_*_trainer_state.json")))
for path in files:
    name = os.path.basename(path)
    is_json = name.endswith("_trainer_state.json")
    label = name[:-len(".log")] if name.endswith(".log") else name[:-len(".json")]
    if is_json:
        capture, fmt = "file", "hf_trainer"
        fault = label[len("hf_"):-len("_trainer_state")]
        nofilter = False
    else:
        capture = label.rsplit("_", 1)[1]
        fmt = "hf_trainer"
        core = label[len("hf_"):-len("_" + capture)]
        nofilter = core.endswith("_nofilter")
        fault = core[:-len("_nofilter")] if nofilter else core
    truth = json.load(open(os.path.join(TRUTH, label + ".json")))
    line_no, metrics, line_epoch, line = scan(path, is_json)

    notes = [FAULT_NOTES[fault]]
    notes.append("logging_nan_inf_filter=False" if nofilter else
                 "logging_nan_inf_filter=True (default)")
    metric = epoch = step = ""
    if truth.get("metric"):
        gt = "ground truth: first non-finite training loss ({}) at global_step {} (epoch {} as " \
             "HF logs it = epoch {} batch {})".format(truth["value"], truth["global_step"],
                                                       fmt_epoch(truth["epoch"]),
                                                       truth["epoch_index"], truth["batch_in_epoch"])
        if truth.get("first_nonfinite_lr"):
            gt += "; lr first nan for optimizer step {}".format(
                truth["first_nonfinite_lr"]["global_step"])
        notes.append(gt)
    if truth.get("error"):
        notes.append("ground truth: {} at global_step {}".format(truth["error"],
                                                                 truth["error_global_step"]))
    if line_no is not None:
        if is_json:
            st = json.load(open(path), parse_constant=lambda c: float(c.replace("Infinity", "inf")))
            for entry in st["log_history"]:
                bad = [k for k, v in entry.items()
                       if isinstance(v, float) and not math.isfinite(v)]
                if bad:
                    metric = "loss" if "loss" in bad else bad[0]
                    epoch, step = fmt_epoch(entry["epoch"]), str(entry["step"])
                    break
            notes.append("step/epoch = the file's log_history step/epoch; NaN/Infinity are bare "
                         "JSON tokens")
        elif "loss" in metrics:
            metric, epoch, step = "loss", fmt_epoch(truth["epoch"]), str(truth["global_step"])
            notes.append("loss prints nan/inf on the log line of logged step {}".format(
                round(float(line_epoch) * truth["steps_per_epoch"])))
        else:
            metric = metrics[0]
            epoch = line_epoch
            step = str(round(float(line_epoch) * truth["steps_per_epoch"]))
            notes.append("loss never prints nan/inf (filter adds the running mean instead; "
                         "'loss': '0' once all steps of a window are nan); metric/epoch/step "
                         "= first non-finite value shown and the logged step of that line")
        if "loss" not in metrics and not is_json and truth.get("metric") and nofilter:
            notes.append("first non-finite line shows {} before the loss".format(metrics))
    if capture == "pipe":
        notes.append("pipe: tqdm bar (stderr, unbuffered) is \\r-only text; dict lines (stdout, "
                     "block-buffered) come in bursts flushed when each evaluation starts and at "
                     "exit, the first dict of a burst on the same \\n-line as the preceding bar "
                     "redraws")
    if capture == "tty":
        notes.append("tty: tqdm bar on stderr with \\r redraws, CRLF line ends")
    rows.append([os.path.relpath(path, REPO), "hf_trainer", VERSION, capture, fmt, fault,
                 metric, epoch, step, "" if line_no is None else str(line_no), "; ".join(notes)])
    print(f"{name}: line {line_no} {metrics} :: {line[:160] if line else ''}", file=sys.stderr)

w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["file", "framework", "framework_version", "capture", "format", "fault",
            "first_nonfinite_metric", "first_nonfinite_epoch", "first_nonfinite_step",
            "first_nonfinite_line", "notes"])
w.writerows(rows)
