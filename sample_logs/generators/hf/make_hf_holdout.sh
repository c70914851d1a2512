#!/usr/bin/env bash
# (Re)create the HELD-OUT Hugging Face Trainer sample logs + manifest_holdout.csv from scratch.
# Same generator (train_hf.py) and same faults as make_hf.sh, but different settings: seed,
# model width/depth, batch size, lr, where the fault sits, epochs, logging_steps (1/5/10),
# logging_nan_inf_filter on/off, tty vs pipe.
# Usage: VENV=/opt/nanlog-dev/venv-hf bash make_hf_holdout.sh
# Needs: torch==2.13.0 (CPU), transformers, accelerate, numpy in $VENV; `script` (util-linux).
set -u
VENV=${VENV:-/opt/nanlog-dev/venv-hf}
PY="$VENV/bin/python"
GEN="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$GEN/../../.." && pwd)"
LOGS="$REPO/sample_logs/holdout/hf"
RUNS=${RUNS:-/tmp/hf_holdout_runs}
TRUTH=/opt/nanlog-dev/truth/holdout
TABLE="$RUNS/holdout_runs.tsv"
mkdir -p "$LOGS" "$RUNS" "$TRUTH"
rm -f "$LOGS"/hf_*.log "$LOGS"/hf_*_trainer_state.json "$TABLE"

# run MODE FAULT LABEL NOTE [train_hf.py args...]
run() {
  local mode=$1 fault=$2 label=$3 note=$4; shift 4
  rm -rf "${RUNS:?}/$label"
  if [ "$mode" = tty ]; then
    ( cd "$RUNS" && script -qec "stty cols 120 rows 40; $PY $GEN/train_hf.py --fault $fault --label $label --outdir $RUNS --truth-dir $TRUTH $*" /dev/null ) \
      > "$LOGS/$label.log" 2>&1
  else
    ( cd "$RUNS" && env -u PYTHONUNBUFFERED "$PY" "$GEN/train_hf.py" --fault "$fault" --label "$label" \
        --outdir "$RUNS" --truth-dir "$TRUTH" "$@" 2>&1 | cat > "$LOGS/$label.log" )
  fi
  local nofilter=0
  case " $* " in *" --nofilter "*) nofilter=1 ;; esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label.log" "$fault" "$mode" "$nofilter" "$note" "$*" >> "$TABLE"
  echo "$mode $label $(wc -c < "$LOGS/$label.log") bytes"
}
# state LABEL: copy the trainer_state.json of the run's last checkpoint (written by the Trainer)
state() {
  local label=$1 src
  src=$(ls -d "$RUNS/$label"/checkpoint-* | sort -t- -k2 -n | tail -1)/trainer_state.json
  local base=${label%_*}  # drop _tty/_pipe
  cp "$src" "$LOGS/${base}_trainer_state.json"
  cp "$TRUTH/$label.json" "$TRUTH/${base}_trainer_state.json"
  local line; line=$(grep -P "^\Q$label.log\E\t" "$TABLE")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${base}_trainer_state.json" "$(cut -f2 <<<"$line")" file \
    "$(cut -f4 <<<"$line")" "$(cut -f5 <<<"$line")" "$(cut -f6 <<<"$line")" >> "$TABLE"
}

# ---- most important first
run pipe healthy hf_healthy_wide_pipe \
  "tiny BERT hidden 64 x 3 layers, seed 1, batch 32, 5 epochs, lr 3e-3; converges; eval each epoch; logging_steps=10" \
  --seed 1 --hidden 64 --depth 3 --batch-size 32 --epochs 5 --logging-steps 10 --save-steps 100
run tty healthy hf_healthy_s2_tty \
  "tiny BERT (hidden 32 x 2), seed 2, batch 16, 2 epochs; converges; eval each epoch; logging_steps=1" \
  --seed 2 --epochs 2 --logging-steps 1 --nofilter
run tty healthy hf_healthy_noisy_tty \
  "tiny BERT, seed 3, high-but-stable lr 2e-2: train-loss spikes 0.009 -> 0.2 and grad_norm spikes up to ~98, eval_loss 0.17 (epoch 1) -> 0.53 (epoch 2) -> 0.002, all finite and recovering; logging_steps=5" \
  --seed 3 --lr 2e-2 --logging-steps 5
run pipe healthy hf_healthy_s4_pipe \
  "tiny BERT hidden 48, seed 4, batch 8, 2 epochs (160 steps); converges; logging_steps=5" \
  --seed 4 --hidden 48 --batch-size 8 --epochs 2 --logging-steps 5 --nofilter

run pipe bad_input_data hf_bad_input_data_s3_pipe \
  "custom MLP, seed 3, batch 32; NaN in one feature of sample 197 (batch 7, no shuffle); logging_steps=1; eval every 10 steps" \
  --seed 3 --batch-size 32 --bad-step 7 --logging-steps 1 --eval-steps 10 --nofilter
run tty bad_input_data hf_bad_input_data_inf_tty \
  "custom MLP hidden 128, seed 8, batch 16, 3 epochs; +inf in one feature of sample 533 (batch 34, no shuffle) -> loss nan; logging_steps=10; eval every 40 steps" \
  --seed 8 --bad-step 34 --bad-value inf --hidden 128 --epochs 3 --logging-steps 10 --eval-steps 40 --save-steps 120

run pipe exploding_gradients hf_exploding_gradients_s3_pipe \
  "linear regression + optim=sgd lr=1.08 (> stability limit) + max_grad_norm=0, seed 3, 4 epochs; loss grows ~x1000 per 10-step log (grad_norm ~x30) for ~116 steps (664 -> 1.6e+34) then inf/nan; logging_steps=10; eval every 50 steps" \
  --seed 3 --lr 1.08 --epochs 4 --logging-steps 10 --eval-steps 50
run tty exploding_gradients hf_exploding_gradients_dim16_tty \
  "linear regression dim 16 + optim=sgd lr=1.3 + max_grad_norm=0, seed 7, batch 64, 4 epochs; loss grows ~x4 per step early, slower later (grad_norm ~x2) for ~58 steps (12 -> 1.5e+36) then inf/nan; logging_steps=1; eval every 32 steps" \
  --seed 7 --lr 1.3 --dim 16 --batch-size 64 --epochs 4 --logging-steps 1 --eval-steps 32 --nofilter

run tty learning_rate_too_high hf_learning_rate_too_high_lr50_tty \
  "5-hidden-layer MLP regression, AdamW lr=50, seed 4, batch 8 (default clipping 1.0); loss 5.9 -> 3e+32 at step 2 -> inf at step 6; logging_steps=1" \
  --seed 4 --lr 50 --batch-size 8 --nofilter
run pipe learning_rate_too_high hf_learning_rate_too_high_lr1000_pipe \
  "4-hidden-layer MLP (width 32) regression, AdamW lr=1000, seed 6, 2 epochs; loss inf at step 2; logging_steps=5" \
  --seed 6 --lr 1000 --depth 4 --hidden 32 --epochs 2 --logging-steps 5

run tty unstable_loss_function hf_unstable_loss_function_s5_tty \
  "hand-written one-vs-rest BCE -(t*log(p)+(1-t)*log(1-p)), p=sigmoid, seed 5, batch 32, lr 1e-2, 6 epochs: loss declines to ~0.04-0.06 then 0*log(0)=nan with no growth before; logging_steps=1" \
  --seed 5 --lr 1e-2 --batch-size 32 --epochs 6 --logging-steps 1 --nofilter
run pipe unstable_loss_function hf_unstable_loss_function_lr3e-2_pipe \
  "hand-written one-vs-rest BCE, p=sigmoid, seed 1, batch 16, lr 3e-2, 6 epochs: loss declines to ~0.06 then 0*log(0)=nan with no growth before; logging_steps=10" \
  --seed 1 --lr 3e-2 --epochs 6 --logging-steps 10

run pipe label_out_of_range hf_label_out_of_range_b7_pipe \
  "tiny BERT, 5 labels, seed 2, batch 32, label 8000 in batch 7: crash 'IndexError: Target 8000 is out of bounds.' (traceback, exit 1); no nan printed; logging_steps=5" \
  --seed 2 --batch-size 32 --bad-label-batch 7 --logging-steps 5
run tty label_out_of_range hf_label_out_of_range_deep_tty \
  "tiny BERT hidden 64 x 3 layers, 5 labels, seed 4, batch 16, label 8000 in batch 15: crash 'IndexError: Target 8000 is out of bounds.' (traceback, exit 1); no nan printed; logging_steps=1" \
  --seed 4 --hidden 64 --depth 3 --bad-label-batch 15 --logging-steps 1 --nofilter

run tty invalid_learning_rate hf_invalid_learning_rate_d30_tty \
  "LambdaLR via optimizers=(AdamW lr 5e-3, sched) with factor np.sqrt(1-s/30) in an 80-step run, seed 3: 'learning_rate': 'nan' logged, numpy RuntimeWarning on stderr; logging_steps=1" \
  --seed 3 --decay-steps 30 --logging-steps 1 --nofilter
run pipe invalid_learning_rate hf_invalid_learning_rate_d70_pipe \
  "LambdaLR via optimizers=(AdamW lr 1e-2, sched) with factor np.sqrt(1-s/70) in a 100-step run (batch 32, 5 epochs), seed 6: 'learning_rate': 'nan' logged, numpy RuntimeWarning on stderr; logging_steps=5" \
  --seed 6 --lr 1e-2 --decay-steps 70 --batch-size 32 --epochs 5 --logging-steps 5

# trainer_state.json written by the Trainer's own checkpoint save at the last step
state hf_healthy_wide_pipe
state hf_bad_input_data_inf_tty

# mixed_precision_overflow / fp16 loss-scale runs are not produced: fp16=True with use_cpu=True
# is silently plain fp32 in accelerate (no autocast, no GradScaler on a cpu device).

"$PY" - "$REPO" "$TABLE" "$TRUTH" > "$GEN/manifest_holdout.csv" <<'PYEOF'
"""manifest_holdout.csv: same columns/conventions as make_manifest.py (sample_logs/hf).

first_nonfinite_line: independent regex scan of the raw bytes (1-based, only '\n' ends a line).
If that line shows the training loss itself, metric/epoch/step = ground-truth sidecar (first
non-finite training loss computed); otherwise (logging_nan_inf_filter hides the loss, or lr/
grad_norm go non-finite first) they describe the metric the log shows first, at the logged step
of that line, and the notes give the ground-truth loss step. For trainer_state.json: the file's
own log_history step/epoch.
"""
import csv, importlib.metadata as md, json, math, os, re, sys

REPO, TABLE, TRUTH = sys.argv[1:4]
LOGDIR = os.path.join(REPO, "sample_logs", "holdout", "hf")
VERSION = "transformers {} / accelerate {} / torch {}".format(
    md.version("transformers"), md.version("accelerate"), md.version("torch"))
CONSOLE_RE = re.compile(r"'(\w+)': '(-?(?:nan|inf))'", re.I)
JSON_RE = re.compile(r'"(\w+)": (NaN|-?Infinity)')
EPOCH_RE = re.compile(r"'epoch': '([0-9.e+-]+)'")


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
for rec in csv.reader(open(TABLE), delimiter="\t"):
    name, fault, capture, nofilter, desc, argv = rec
    nofilter = nofilter == "1"
    path = os.path.join(LOGDIR, name)
    is_json = name.endswith(".json")
    label = name[:-len(".log")] if name.endswith(".log") else name[:-len(".json")]
    truth = json.load(open(os.path.join(TRUTH, label + ".json")))
    line_no, metrics, line_epoch, line = scan(path, is_json)
    notes = [desc, "train_hf.py " + argv]
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
                bad = [k for k, v in entry.items() if isinstance(v, float) and not math.isfinite(v)]
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
            if nofilter:
                notes.append("first non-finite line shows {} before the loss; metric/epoch/step "
                             "= first non-finite value shown and the logged step of that "
                             "line".format(metrics))
            else:
                notes.append("loss never prints nan/inf (filter adds the running mean instead; "
                             "'loss': '0' once all steps of a window are nan); metric/epoch/step "
                             "= first non-finite value shown and the logged step of that line")
    if capture == "pipe":
        notes.append("pipe: tqdm bar (stderr, unbuffered) is \\r-only text; dict lines (stdout, "
                     "block-buffered) come in bursts, the first dict of a burst on the same "
                     "\\n-line as the preceding bar redraws")
    if capture == "tty":
        notes.append("tty: tqdm bar on stderr with \\r redraws, CRLF line ends")
    rows.append([os.path.relpath(path, REPO), "hf_trainer", VERSION, capture, "hf_trainer", fault,
                 metric, epoch, step, "" if line_no is None else str(line_no), "; ".join(notes)])
    print(f"{name}: line {line_no} {metrics} :: {line[-200:] if line else ''}", file=sys.stderr)

w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["file", "framework", "framework_version", "capture", "format", "fault",
            "first_nonfinite_metric", "first_nonfinite_epoch", "first_nonfinite_step",
            "first_nonfinite_line", "notes"])
w.writerows(sorted(rows))
PYEOF
echo "manifest: $GEN/manifest_holdout.csv"
