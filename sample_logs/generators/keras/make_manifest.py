"""Writes manifest.csv for the Keras sample logs: ground truth from the sidecar JSONs written by
train_keras.py while training, first_nonfinite_line from an independent scan of the raw bytes.
Not part of the nanlog package."""
import argparse
import csv
import json
import os
import re
from importlib.metadata import version

ap = argparse.ArgumentParser()
ap.add_argument("--logs", required=True)
ap.add_argument("--truth", required=True)
ap.add_argument("--repo", required=True)
ap.add_argument("--out", required=True)
args = ap.parse_args()

TF = version("tensorflow")
VERSIONS = {
    "keras3": ("keras3", f"keras {version('keras')} / tensorflow {TF}"),
    "tfkeras": ("tf_keras", f"tf_keras {version('tf-keras')} / tensorflow {TF}"),
}

# a metric name followed by a non-finite value, e.g. "loss: nan", "val_loss: inf",
# "lr: nan", or the LearningRateScheduler message "setting learning rate to nan."
NONFINITE = re.compile(
    rb"(?:\b(?P<m>[a-z_]*(?:loss|lr|learning_rate|accuracy|mae))\s*[:=]\s*'?"
    rb"|(?P<m2>learning rate) to )-?(?:nan|inf)\b", re.I)

FAULT_NOTES = {
    "healthy": "converges, no non-finite value",
    "bad_input_data": ("NaN in feature 3 of sample 453 = batch 15 of epoch 1 (fixed order, no "
                       "shuffle); tanh hidden layers because a relu hidden layer maps the NaN to 0 "
                       "on TF/oneDNN CPU and the run stays finite at loss ~ln(5)"),
    "exploding_gradients": ("linear regression, plain SGD lr=1.05 above the stability "
                            "limit: loss and mae grow geometrically for ~150 batches, loss "
                            "overflows float32 to inf first (mae still finite), nan epochs later"),
    "learning_rate_too_high": ("SGD lr=10 on a relu MLP classifier: loss 1.2 -> ~5e2 -> ~8e7 -> "
                               "~1e18 in the first batches, then nan; accuracy to chance"),
    "unstable_loss_function": ("hand-written binary cross-entropy without clipping: once a sigmoid "
                               "output rounds to exactly 1.0/0.0 in float32, 0*log(0) = nan; loss "
                               "declines normally before, no growth"),
    "label_out_of_range": ("label 8000 with 5 classes in batch 15: TF raises InvalidArgumentError "
                           "'Received a label value of 8000 which is outside the valid range of "
                           "[0, 5)', traceback, exit 1; no nan printed"),
    "wrong_output_activation": ("relu output + categorical_crossentropy: Keras divides y_pred by "
                                "its sum, 0/0 = nan for a sample whose relu outputs are all 0; nan "
                                "from batch 1, accuracy ~0.20 (chance)"),
    "invalid_learning_rate": ("LearningRateScheduler(verbose=1) with lr=0.05*sqrt(1-epoch/3) -> 0.0 "
                              "in epoch 4, nan from epoch 5 (numpy RuntimeWarning on stderr); lr "
                              "printed at epoch end; loss nan from batch 2 of epoch 5 (batch 1 "
                              "loss is computed before the first nan-lr update)"),
    "mixed_precision_overflow": ("mixed_float16 policy on CPU (LossScaleOptimizer added by "
                                 "compile); regression targets up to ~1.2e5 (79% > fp16 max 65504), the "
                                 "fp16 output overflows to inf -> loss inf (never nan); the same "
                                 "script in float32 converges"),
}

rows = []
for name in sorted(os.listdir(args.logs)):
    if not name.endswith(".log"):
        continue
    base = name[:-4]
    api = base.split("_", 1)[0]
    m = re.match(r"(keras3|tfkeras)_(.*)_(v1|v2)_(tty|pipe)$", base)
    fault = m.group(2)
    extra = ""
    if fault.endswith("_terminateonnan"):
        fault = fault[: -len("_terminateonnan")]
        extra = "terminateonnan"
    verbose, capture = m.group(3), m.group(4)
    framework, fver = VERSIONS[api]
    data = open(os.path.join(args.logs, name), "rb").read()
    first_line = ""
    first_metric = None
    for i, line in enumerate(data.split(b"\n"), 1):
        mm = NONFINITE.search(line)
        if mm:
            first_line = i
            first_metric = (mm.group("m") or mm.group("m2")).decode()
            break
    with open(os.path.join(args.truth, base + ".json")) as f:
        truth = json.load(f)
    notes = [FAULT_NOTES[fault]]
    if extra == "terminateonnan":
        notes.append("keras.callbacks.TerminateOnNaN: prints 'Batch 14: Invalid loss, terminating "
                     "training' (0-based batch index) right after the progbar text; final progbar "
                     "line still shows 20/20")
    if verbose == "v1":
        notes.append("verbose=1 progress bar shows the running mean over the epoch; redraws use "
                     "\\b and \\r, so one epoch is one \\n-line" +
                     (" (also when piped: Keras treats POSIX as dynamic display)"
                      if capture == "pipe" else ""))
    else:
        notes.append("verbose=2: one line per epoch (epoch mean), with validation_data")
    if api == "keras3" and verbose == "v1":
        notes.append("progbar uses ANSI bold/colour codes and U+2501 bar characters")
    if truth.get("first_nonfinite_lr"):
        notes.append(f"lr first non-finite in epoch {truth['first_nonfinite_lr']['epoch']}")
    if first_metric and truth.get("metric") and first_metric != truth["metric"]:
        notes.append(f"first non-finite log line shows '{first_metric}', not the loss")
    if b"WARNING:tensorflow:Callback method" in data:
        notes.append("tf-keras 'Callback method ... is slow' warning on stderr")
    notes.append("ground truth = first non-finite running-mean loss seen in on_train_batch_end")
    rows.append({
        "file": os.path.relpath(os.path.join(args.logs, name), args.repo),
        "framework": framework,
        "framework_version": fver,
        "capture": capture,
        "format": "keras",
        "fault": fault,
        "first_nonfinite_metric": truth.get("metric") or "",
        "first_nonfinite_epoch": truth.get("epoch") if truth.get("epoch") is not None else "",
        "first_nonfinite_step": (truth.get("global_step")
                                 if truth.get("global_step") is not None else ""),
        "first_nonfinite_line": first_line,
        "notes": "; ".join(notes),
    })

with open(args.out, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["file", "framework", "framework_version", "capture", "format",
                                      "fault", "first_nonfinite_metric", "first_nonfinite_epoch",
                                      "first_nonfinite_step", "first_nonfinite_line", "notes"])
    w.writeheader()
    w.writerows(rows)
print(f"wrote {args.out} ({len(rows)} rows)")
