#!/usr/bin/env bash
# (Re)creates the HELD-OUT Keras sample logs under sample_logs/holdout/keras/ and
# manifest_holdout.csv, from scratch. Same training script as make_keras.sh (train_keras.py), same
# faults, but different settings (seed, model size, batch size/count, lr, where the bad sample
# sits, epochs, tty vs pipe, verbose 1 vs 2). Real Keras output only, captured raw.
#   VENV=/opt/nanlog-dev/venv-keras bash sample_logs/generators/keras/make_keras_holdout.sh
set -u
VENV=${VENV:-/opt/nanlog-dev/venv-keras}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
OUT=$REPO/sample_logs/holdout/keras
TRUTH=${TRUTH:-/opt/nanlog-dev/truth/holdout}
PY=$VENV/bin/python
mkdir -p "$OUT" "$TRUTH"
rm -f "$OUT"/*.log
NOTES=$(mktemp)
trap 'rm -f "$NOTES"' EXIT

# run NAME CAPTURE "NOTE" ARGS... ; NAME is the log name without .log
run() {
  local name=$1 capture=$2 note=$3; shift 3
  local cmd="$PY $HERE/train_keras.py $* --truth $TRUTH/$name.json"
  rm -f "$TRUTH/$name.json"
  echo ">> $name ($capture): $*" >&2
  printf '%s\t%s\t%s\n' "$name" "$*" "$note" >> "$NOTES"
  if [ "$capture" = tty ]; then
    script -qec "stty cols 120 rows 40; $cmd" /dev/null > "$OUT/$name.log" 2>&1
  else
    bash -c "$cmd" 2>&1 | cat > "$OUT/$name.log"
  fi
}

# --- healthy
run keras3_healthy_s7wide_tty tty "5-class blobs, 2x64 tanh MLP, Adam 1e-2, batch 64 x 12 batches, converges" \
    --api keras3 --fault healthy --seed 7 --width 64 --batch-size 64 --batches 12 --epochs 4 --verbose 1
run tfkeras_healthy_s99deepv2_pipe pipe "5-class blobs, 3x16 tanh MLP, Adam 1e-2, converges" \
    --api tfkeras --fault healthy --seed 99 --depth 3 --width 16 --epochs 6 --verbose 2 --val
run keras3_healthy_lr6noisy_pipe pipe "plain SGD lr=6 (high but stable on a tanh MLP): epoch-mean loss 10.4 -> 0.59 -> 5.3 (spike) -> 4.98 -> 0.88 -> 1.04 -> 1.52 -> 0.31 -> 0.19, stays finite" \
    --api keras3 --fault healthy --healthy-mode highlr --lr 6 --seed 3 --epochs 9 --verbose 1
run keras3_healthy_fp16_tty tty "mixed_float16 regression (|y| ~ 1e2, far below fp16 max): LossScaleOptimizer starts at scale 2**15, the first backward passes overflow fp16 and are skipped (scale halved), loss printed stays finite and converges; nothing about the skipped steps is printed" \
    --api keras3 --fault healthy --healthy-mode fp16 --lr 0.1 --epochs 8 --verbose 1

# --- bad_input_data
run keras3_bad_input_data_b4s11_tty tty "NaN in feature 3 of sample 5 of batch 4 (fixed order, no shuffle), batch 16 x 30 batches" \
    --api keras3 --fault bad_input_data --bad-batch 4 --seed 11 --batch-size 16 --batches 30 --epochs 3 --verbose 1
run tfkeras_bad_input_data_b27wide_pipe pipe "NaN in feature 3 of sample 5 of batch 27 of 30 (fixed order, no shuffle), 2x64 tanh MLP" \
    --api tfkeras --fault bad_input_data --bad-batch 27 --batches 30 --seed 5 --width 64 --epochs 3 --verbose 1
run keras3_bad_input_data_b9v2_pipe pipe "NaN in feature 3 of sample 5 of batch 9 (fixed order, no shuffle)" \
    --api keras3 --fault bad_input_data --bad-batch 9 --seed 21 --epochs 4 --verbose 2 --val

# --- exploding_gradients
run keras3_exploding_gradients_lr11bs16_tty tty "linear regression, plain SGD lr=1.1 above the stability limit, batch 16: loss and mae grow geometrically for ~70 batches (epochs 1-3), loss overflows float32 to inf first (mae still finite), nan later" \
    --api keras3 --fault exploding_gradients --lr 1.1 --seed 3 --batch-size 16 --epochs 9 --verbose 1
run tfkeras_exploding_gradients_lr102v2_pipe pipe "linear regression, plain SGD lr=1.02 slightly above the stability limit: epoch-mean loss grows 1.7e6 -> 1.2e13 -> ... -> 4e32 over 5 epochs (~110 batches), then inf (mae still finite), nan from epoch 12" \
    --api tfkeras --fault exploding_gradients --lr 1.02 --seed 8 --epochs 13 --verbose 2 --val

# --- learning_rate_too_high
run keras3_learning_rate_too_high_lr50_tty tty "SGD lr=50 on a 2x64 relu MLP classifier: loss jumps in the first batches, nan at batch 5; accuracy to chance" \
    --api keras3 --fault learning_rate_too_high --lr 50 --seed 6 --width 64 --verbose 1
run tfkeras_learning_rate_too_high_lr500_pipe pipe "SGD lr=500 on a relu MLP classifier, batch 64 x 10: nan at batch 4; accuracy to chance" \
    --api tfkeras --fault learning_rate_too_high --lr 500 --seed 9 --batch-size 64 --batches 10 --verbose 1
run keras3_learning_rate_too_high_lr5v2_pipe pipe "SGD lr=5 on a relu MLP classifier: loss jumps, nan at batch 12 of epoch 1; verbose=2 shows only the epoch mean (nan already in epoch 1); accuracy to chance" \
    --api keras3 --fault learning_rate_too_high --lr 5 --seed 4 --verbose 2

# --- unstable_loss_function
run keras3_unstable_loss_function_lr02s21_tty tty "hand-written binary cross-entropy without clipping, Adam lr=0.02: loss declines normally for 4 epochs, then a sigmoid output rounds to exactly 1.0/0.0 in float32 and 0*log(0) = nan; no growth before" \
    --api keras3 --fault unstable_loss_function --lr 0.02 --seed 21 --epochs 7 --verbose 1
run tfkeras_unstable_loss_function_lr03bs16_pipe pipe "hand-written binary cross-entropy without clipping, Adam lr=0.03, batch 16 x 30: loss 0.43 -> 0.11, then 0*log(0) = nan in epoch 3; no growth before" \
    --api tfkeras --fault unstable_loss_function --lr 0.03 --seed 13 --batch-size 16 --batches 30 --epochs 5 --verbose 1

# --- label_out_of_range
run keras3_label_out_of_range_b3bs64v2_pipe pipe "label 8000 with 5 classes in batch 3 (batch 64): TF raises InvalidArgumentError (label outside the valid range of [0, 5)), traceback, exit 1; no nan printed" \
    --api keras3 --fault label_out_of_range --bad-batch 3 --batch-size 64 --batches 10 --seed 2 --verbose 2
run tfkeras_label_out_of_range_b9s31_tty tty "label 8000 with 5 classes in batch 9: TF raises InvalidArgumentError (label outside the valid range of [0, 5)), traceback, exit 1; no nan printed" \
    --api tfkeras --fault label_out_of_range --bad-batch 9 --seed 31 --verbose 1

# --- wrong_output_activation
run keras3_wrong_output_activation_s77wide_tty tty "relu output + categorical_crossentropy, 2x64 MLP: trains normally at first, nan in epoch 3 once a sample's relu outputs are all 0 (Keras divides y_pred by its sum, 0/0); accuracy then to chance" \
    --api keras3 --fault wrong_output_activation --seed 77 --width 64 --verbose 1
run tfkeras_wrong_output_activation_s8deepv2_pipe pipe "relu output + categorical_crossentropy, 3x16 MLP: loss 0.69 -> 0.11, then nan in epoch 3 (all-zero relu outputs, 0/0); accuracy to chance" \
    --api tfkeras --fault wrong_output_activation --seed 8 --depth 3 --width 16 --verbose 2 --val

# --- invalid_learning_rate
run keras3_invalid_learning_rate_decay4lr01_pipe pipe "LearningRateScheduler(verbose=1) with lr=0.1*sqrt(1-epoch/4) -> 0.0 in epoch 5, nan from epoch 6 (numpy RuntimeWarning on stderr); lr printed; loss nan from batch 2 of epoch 6" \
    --api keras3 --fault invalid_learning_rate --decay-epochs 4 --epochs 7 --lr 0.1 --seed 5 --verbose 1
run tfkeras_invalid_learning_rate_decay2v2_tty tty "LearningRateScheduler(verbose=1) with lr=0.02*sqrt(1-epoch/2) -> 0.0 in epoch 3, nan in epoch 4 (numpy RuntimeWarning on stderr); lr printed as 'lr: nan'; loss nan from batch 2 of epoch 4" \
    --api tfkeras --fault invalid_learning_rate --decay-epochs 2 --epochs 4 --lr 0.02 --seed 12 --batches 15 --verbose 2

# --- mixed_precision_overflow (Keras 3 only)
run keras3_mixed_precision_overflow_lr10s17_pipe pipe "mixed_float16 on CPU, regression targets up to ~1.2e5 (> fp16 max 65504), Adam lr=10: fp16 output overflows -> loss inf in epoch 2 (never nan)" \
    --api keras3 --fault mixed_precision_overflow --lr 10 --seed 17 --epochs 5 --verbose 1
run keras3_mixed_precision_overflow_lr50bs64v2_tty tty "mixed_float16 on CPU, regression targets up to ~1.2e5, Adam lr=50, batch 64 x 12: loss inf in epoch 2 (never nan)" \
    --api keras3 --fault mixed_precision_overflow --lr 50 --seed 23 --batch-size 64 --batches 12 --epochs 5 --verbose 2

"$PY" - "$OUT" "$TRUTH" "$REPO" "$NOTES" "$HERE/manifest_holdout.csv" <<'PYEOF'
"""manifest_holdout.csv: ground truth from the sidecars written by train_keras.py while
training; first_nonfinite_line from an independent scan of the raw bytes."""
import csv, json, os, re, sys
from importlib.metadata import version
logs, truthdir, repo, notesf, out = sys.argv[1:6]
TF = version("tensorflow")
VERSIONS = {"keras3": ("keras3", f"keras {version('keras')} / tensorflow {TF}"),
            "tfkeras": ("tf_keras", f"tf_keras {version('tf-keras')} / tensorflow {TF}")}
FAULTS = ["healthy", "exploding_gradients", "learning_rate_too_high", "invalid_learning_rate",
          "unstable_loss_function", "bad_input_data", "label_out_of_range",
          "wrong_output_activation", "mixed_precision_overflow"]
NONFINITE = re.compile(
    rb"(?:\b(?P<m>[a-z_]*(?:loss|lr|learning_rate|accuracy|mae))\s*[:=]\s*'?"
    rb"|(?P<m2>learning rate) to )-?(?:nan|inf)\b", re.I)
notes = {}
for line in open(notesf):
    name, argv, note = line.rstrip("\n").split("\t")
    notes[name] = (argv, note)
rows = []
for name in sorted(os.listdir(logs)):
    if not name.endswith(".log"):
        continue
    base = name[:-4]
    api, rest = base.split("_", 1)
    fault = next(f for f in FAULTS if rest.startswith(f + "_"))
    capture = base.rsplit("_", 1)[1]
    argv, note = notes[base]
    verbose = re.search(r"--verbose (\d)", argv).group(1)
    data = open(os.path.join(logs, name), "rb").read()
    first_line, first_metric = "", None
    for i, line in enumerate(data.split(b"\n"), 1):
        mm = NONFINITE.search(line)
        if mm:
            first_line, first_metric = i, (mm.group("m") or mm.group("m2")).decode()
            break
    truth = json.load(open(os.path.join(truthdir, base + ".json")))
    n = [note, "train_keras.py " + argv.strip()]
    if verbose == "1":
        n.append("verbose=1 progress bar shows the running mean over the epoch; redraws use \\b "
                 "and \\r, so one epoch is one \\n-line" +
                 (" (also when piped)" if capture == "pipe" else ""))
        if api == "keras3":
            n.append("progbar uses ANSI bold/colour codes and U+2501 bar characters")
    else:
        n.append("verbose=2: one line per epoch (epoch mean)" +
                 (", with validation_data" if "--val" in argv else ""))
    if truth.get("first_nonfinite_lr"):
        n.append(f"lr first non-finite in epoch {truth['first_nonfinite_lr']['epoch']}")
    if truth.get("loss_scale_overflow_steps"):
        n.append("loss-scale overflow (skipped) steps recorded by the script: "
                 f"{truth['loss_scale_overflow_steps']}, final scale {truth['final_loss_scale']}")
    if first_metric and truth.get("metric") and first_metric != truth["metric"]:
        n.append(f"first non-finite log line shows '{first_metric}', not the loss")
    if b"WARNING:tensorflow:Callback method" in data:
        n.append("tf-keras 'Callback method ... is slow' warning on stderr")
    n.append("ground truth = first non-finite running-mean loss seen in on_train_batch_end")
    fw, fver = VERSIONS[api]
    rows.append({"file": os.path.relpath(os.path.join(logs, name), repo), "framework": fw,
                 "framework_version": fver, "capture": capture, "format": "keras",
                 "fault": fault, "first_nonfinite_metric": truth.get("metric") or "",
                 "first_nonfinite_epoch": "" if truth.get("epoch") is None else truth["epoch"],
                 "first_nonfinite_step": ("" if truth.get("global_step") is None
                                          else truth["global_step"]),
                 "first_nonfinite_line": first_line, "notes": "; ".join(n)})
with open(out, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["file", "framework", "framework_version", "capture",
                                      "format", "fault", "first_nonfinite_metric",
                                      "first_nonfinite_epoch", "first_nonfinite_step",
                                      "first_nonfinite_line", "notes"])
    w.writeheader()
    w.writerows(rows)
print(f"wrote {out} ({len(rows)} rows)")
PYEOF
