#!/usr/bin/env bash
# (Re)creates every Keras sample log under sample_logs/keras/ and the manifest, from scratch.
# Real Keras output only: each run is captured raw (tty via script(1), or through a pipe).
#   VENV=/opt/nanlog-dev/venv-keras bash sample_logs/generators/keras/make_keras.sh
# The venv needs: tensorflow==2.21.0 tf-keras==2.21.0 numpy
set -u
VENV=${VENV:-/opt/nanlog-dev/venv-keras}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
OUT=$REPO/sample_logs/keras
TRUTH=${TRUTH:-/opt/nanlog-dev/truth}
PY=$VENV/bin/python
mkdir -p "$OUT" "$TRUTH"
rm -f "$OUT"/*.log

# run NAME CAPTURE ARGS... ; NAME is the log name without .log
run() {
  local name=$1 capture=$2; shift 2
  local cmd="$PY $HERE/train_keras.py $* --truth $TRUTH/$name.json"
  rm -f "$TRUTH/$name.json"
  echo ">> $name ($capture): $*" >&2
  if [ "$capture" = tty ]; then
    script -qec "stty cols 120 rows 40; $cmd" /dev/null > "$OUT/$name.log" 2>&1
  else
    bash -c "$cmd" 2>&1 | cat > "$OUT/$name.log"
  fi
}

# 1. Keras 3, verbose=1 (progress bar)
for f in healthy bad_input_data exploding_gradients learning_rate_too_high \
         unstable_loss_function label_out_of_range wrong_output_activation \
         invalid_learning_rate mixed_precision_overflow; do
  run keras3_${f}_v1_tty tty --api keras3 --fault $f --verbose 1
done
for f in healthy bad_input_data exploding_gradients label_out_of_range; do
  run keras3_${f}_v1_pipe pipe --api keras3 --fault $f --verbose 1
done
# 2. Keras 3, verbose=2 (one line per epoch) with validation data
for f in healthy exploding_gradients; do
  run keras3_${f}_v2_pipe pipe --api keras3 --fault $f --verbose 2 --val
done
# 3. tf-keras (Keras 2 API)
for f in healthy bad_input_data exploding_gradients learning_rate_too_high \
         unstable_loss_function label_out_of_range wrong_output_activation \
         invalid_learning_rate; do
  run tfkeras_${f}_v1_tty tty --api tfkeras --fault $f --verbose 1
done
for f in healthy exploding_gradients bad_input_data; do
  run tfkeras_${f}_v1_pipe pipe --api tfkeras --fault $f --verbose 1
done
for f in healthy learning_rate_too_high; do
  run tfkeras_${f}_v2_pipe pipe --api tfkeras --fault $f --verbose 2 --val
done
run tfkeras_bad_input_data_terminateonnan_v1_tty tty --api tfkeras --fault bad_input_data \
    --verbose 1 --terminate-on-nan

"$PY" "$HERE/make_manifest.py" --logs "$OUT" --truth "$TRUTH" --repo "$REPO" \
    --out "$HERE/manifest.csv"
