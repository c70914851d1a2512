#!/usr/bin/env bash
# (Re)create every Hugging Face Trainer sample log + manifest from scratch.
# Usage: VENV=/opt/nanlog-dev/venv-hf bash make_hf.sh
# Needs: torch==2.13.0 (CPU), transformers, accelerate, numpy in $VENV; `script` (util-linux).
set -u
VENV=${VENV:-/opt/nanlog-dev/venv-hf}
PY="$VENV/bin/python"
GEN="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$GEN/../../.." && pwd)"
LOGS="$REPO/sample_logs/hf"
RUNS=${RUNS:-/tmp/hf_runs}
TRUTH=/opt/nanlog-dev/truth
mkdir -p "$LOGS" "$RUNS" "$TRUTH"
rm -f "$LOGS"/hf_*.log "$LOGS"/hf_*_trainer_state.json

run_tty() {  # fault label [extra args]
  local fault=$1 label=$2; shift 2
  rm -rf "${RUNS:?}/$label"
  ( cd "$RUNS" && script -qec "stty cols 120 rows 40; $PY $GEN/train_hf.py --fault $fault --label $label $*" /dev/null ) \
    > "$LOGS/$label.log" 2>&1
  echo "tty  $label rc=$? $(wc -c < "$LOGS/$label.log") bytes"
}
run_pipe() {
  local fault=$1 label=$2; shift 2
  rm -rf "${RUNS:?}/$label"
  ( cd "$RUNS" && env -u PYTHONUNBUFFERED "$PY" "$GEN/train_hf.py" --fault "$fault" --label "$label" "$@" 2>&1 | cat > "$LOGS/$label.log" )
  echo "pipe $label $(wc -c < "$LOGS/$label.log") bytes"
}

# most important first
for f in healthy bad_input_data exploding_gradients learning_rate_too_high \
         unstable_loss_function label_out_of_range invalid_learning_rate; do
  run_tty "$f" "hf_${f}_tty"
done
for f in bad_input_data exploding_gradients; do
  run_tty "$f" "hf_${f}_nofilter_tty" --nofilter
done
for f in healthy bad_input_data exploding_gradients; do
  run_pipe "$f" "hf_${f}_pipe"
done
for f in bad_input_data exploding_gradients; do
  run_pipe "$f" "hf_${f}_nofilter_pipe" --nofilter
done

# trainer_state.json written by the Trainer's own checkpoint save at the last step (tty runs)
for f in healthy bad_input_data exploding_gradients; do
  src=$(ls -d "$RUNS/hf_${f}_tty"/checkpoint-* | sort -t- -k2 -n | tail -1)/trainer_state.json
  cp "$src" "$LOGS/hf_${f}_trainer_state.json"
  cp "$TRUTH/hf_${f}_tty.json" "$TRUTH/hf_${f}_trainer_state.json"
done

# mixed_precision_overflow is not produced: fp16=True with use_cpu=True is silently plain fp32
# in accelerate (native_amp=False on a cpu device, no autocast, no GradScaler).

"$PY" "$GEN/make_manifest.py" "$REPO" > "$GEN/manifest.csv"
echo "manifest: $GEN/manifest.csv"
