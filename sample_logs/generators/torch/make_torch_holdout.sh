#!/usr/bin/env bash
# Re-creates the HELD-OUT Lightning / plain-PyTorch sample logs (sample_logs/holdout/torch/), their
# ground-truth sidecars (/opt/nanlog-dev/truth/holdout/) and manifest_holdout.csv from scratch.
# Same training scripts and faults as make_torch.sh, but different settings (seed, width/depth,
# batch size / batches per epoch, learning rate within the fault's range, NaN batch, label batch,
# decay length, epochs, tty vs pipe, style).
#
#   VENV=/opt/nanlog-dev/venv-torch bash make_torch_holdout.sh
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
VENV="${VENV:-/opt/nanlog-dev/venv-torch}"
PY="$VENV/bin/python"
RICH_DIR="${RICH_DIR:-/opt/nanlog-dev/rich-extra}"
TRUTH="${TRUTH_DIR:-/opt/nanlog-dev/truth/holdout}"
WORK="${WORK_DIR:-/tmp/nanlog_torch_holdout_work}"
OUT="$REPO/sample_logs/holdout/torch"
REL="sample_logs/holdout/torch"
RUNS="$WORK/runs.tsv"

if "$PY" -c "import rich" 2>/dev/null; then
  echo "error: rich is importable in $VENV; uninstall it (Lightning would switch to Rich bars)" >&2
  exit 1
fi
if [ ! -d "$RICH_DIR/rich" ]; then
  "$VENV/bin/pip" install -q --target "$RICH_DIR" rich
fi

mkdir -p "$OUT" "$TRUTH" "$WORK"
rm -f "$OUT"/lightning_*.log "$OUT"/lightning_*_metrics.csv "$OUT"/pytorch_*.log
rm -f "$TRUTH"/lightning_*.json "$TRUTH"/pytorch_*.json
: > "$RUNS"
unset PYTHONUNBUFFERED

# run <tty|pipe> <outfile> <command...>   (command is one shell string)
run() {
  local cap="$1" out="$2" cmd="$3"
  echo "[$cap] $(basename "$out")"
  if [ "$cap" = tty ]; then
    script -qec "stty cols 120 rows 40; $cmd" /dev/null > "$out" 2>&1
  else
    bash -c "$cmd" 2>&1 | cat > "$out"
  fi
}
# record <file rel to repo> <framework> <capture> <format> <fault> <truth name> <notes>
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RUNS"; }

LV="$("$PY" -c 'import lightning, torch; print(f"lightning {lightning.__version__} / torch {torch.__version__}")')"
TV="$("$PY" -c 'import torch; print(f"torch {torch.__version__}")')"
LT="$PY $HERE/train_lightning.py --workdir $WORK"
PT="$PY $HERE/train_plain.py"

# ------------------------------------------------------------------ Lightning
# lt <cap> <fault> <variant> <csv:yes|no> <bar:tqdm|rich> <notes> <extra args...>
lt() {
  local cap="$1" fault="$2" var="$3" csv="$4" bar="$5" notes="$6"; shift 6
  local pre="lightning" env=""
  if [ "$bar" = rich ]; then pre="lightning_rich"; env="PYTHONPATH=$RICH_DIR "; fi
  local name="${pre}_${fault}_${var}_${cap}"
  local csvopt="" mcsv="$OUT/${pre}_${fault}_${var}_metrics.csv"
  [ "$csv" = yes ] && csvopt="--csv-copy $mcsv"
  run "$cap" "$OUT/$name.log" "$env$LT --fault $fault --bar $bar --truth $TRUTH/$name.json $csvopt $*"
  record "$REL/$name.log" lightning "$cap" lightning "$fault" "$name" "$notes; args: $*"
  if [ "$csv" = yes ] && [ -f "$mcsv" ]; then
    cp "$TRUTH/$name.json" "$TRUTH/${pre}_${fault}_${var}_metrics.json"
    record "$REL/$(basename "$mcsv")" lightning file lightning "$fault" "${pre}_${fault}_${var}_metrics" \
      "CSVLogger metrics.csv of the $cap run; args: $*"
  fi
}

lt tty healthy s7wide yes tqdm "converges; width 64, batch 32, 12 batches/epoch" \
   --seed 7 --width 64 --batch 32 --n-batches 12 --epochs 3
lt pipe healthy lr008noisy no tqdm "Adam lr 0.08 (high but stable): train_loss_step noisy/spiky 0.4..2.6, stays finite, val_loss falls" \
   --seed 31 --lr 0.08 --epochs 5
lt tty bad_input_data b3 yes tqdm "NaN feature in a sample of batch 3 (no shuffle), batch 32, 10 batches/epoch" \
   --seed 11 --nan-batch 3 --batch 32 --n-batches 10 --epochs 2
lt pipe bad_input_data b15deep no tqdm "NaN feature in a sample of batch 15, 2 hidden layers of 48" \
   --seed 23 --nan-batch 15 --depth 2 --width 48 --epochs 2
lt pipe exploding_gradients lr105 no tqdm "linear regression, 8 features, SGD lr=1.05 above the stability limit: loss grows for tens of steps, then inf/nan" \
   --seed 5 --dim 8 --lr 1.05 --epochs 6
lt tty exploding_gradients lr13 yes tqdm "linear regression, SGD lr=1.3, batch 32: geometric growth then inf/nan" \
   --seed 4 --lr 1.3 --batch 32 --n-batches 12 --epochs 8
lt tty learning_rate_too_high lr50 yes tqdm "SGD lr=50: loss jumps within the first steps, then nan" \
   --seed 3 --lr 50 --epochs 2
lt tty unstable_loss_function s21 no rich "RichProgressBar; hand-written BCE log(1-p) with p saturating to 1: decline then sudden nan; width 64, Adam lr 0.02" \
   --seed 21 --width 64 --lr 0.02 --epochs 3
lt pipe unstable_loss_function s3b32 no tqdm "hand-written BCE: decline then sudden nan; batch 32, 10 batches/epoch" \
   --seed 3 --batch 32 --n-batches 10 --epochs 8
lt pipe label_out_of_range b9 no tqdm "label 8000 with 5 classes in batch 9" \
   --seed 2 --label-batch 9 --epochs 2
lt tty invalid_learning_rate d20 yes tqdm "LambdaLR poly decay over 20 steps (np.power of a negative base -> nan lr), lr logged; batch 32, 10 batches/epoch" \
   --seed 8 --decay-steps 20 --batch 32 --n-batches 10 --epochs 3
lt tty mixed_precision_overflow s9 yes tqdm "fp16 MixedPrecision plugin + CPU GradScaler, target ~3e4: fp16 output overflows to inf" \
   --seed 9 --width 16 --epochs 4

# ------------------------------------------------------------------ plain PyTorch loops
# pt <cap> <style> <fault> <variant> <notes> <extra args...>
pt() {
  local cap="$1" style="$2" fault="$3" var="$4" notes="$5"; shift 5
  local name="pytorch_${style}_${fault}_${var}_${cap}"
  run "$cap" "$OUT/$name.log" "$PT --style $style --fault $fault --truth $TRUTH/$name.json $*"
  record "$REL/$name.log" pytorch "$cap" plain "$fault" "$name" "style=$style; $notes; args: $*"
}

pt pipe print healthy acc2layer "converges; batch accuracy printed; 2 hidden layers" \
   --seed 99 --depth 2 --acc
pt pipe logging healthy lr008noisy "Adam lr 0.08 (high but stable): loss noisy/spiky, stays finite; acc printed" \
   --seed 31 --lr 0.08 --epochs 5 --acc
pt pipe fp16 healthy scale "fp16 autocast + GradScaler(init_scale=2**24): early steps overflow in backward, scaler skips them and halves the scale (2**24 -> 2**16); loss stays finite" \
   --seed 12 --init-scale 16777216 --acc
pt pipe logging bad_input_data b13 "NaN feature in a sample of batch 13" \
   --seed 8 --nan-batch 13 --epochs 2
pt pipe chinese exploding_gradients lr105 "linear regression, 8 features, SGD lr=1.05: long growth then inf/nan" \
   --seed 5 --dim 8 --lr 1.05 --epochs 6
pt tty tqdm exploding_gradients lr13 "tqdm postfix; SGD lr=1.3, batch 32" \
   --seed 4 --lr 1.3 --batch 32 --n-batches 12 --epochs 8
pt pipe logging learning_rate_too_high lr500 "SGD lr=500, width 64: loss jumps then nan" \
   --seed 17 --lr 500 --width 64
pt pipe chinese learning_rate_too_high lr50 "SGD lr=50: loss jumps then nan" \
   --seed 3 --lr 50
pt pipe print unstable_loss_function s3b32 "hand-written BCE: decline then sudden nan; batch 32" \
   --seed 3 --batch 32 --n-batches 10 --epochs 10
pt pipe print label_out_of_range b2 "label 8000 with 5 classes in batch 2" \
   --seed 5 --label-batch 2
pt pipe chinese invalid_learning_rate d45 "LambdaLR poly decay over 45 steps -> 学习率: nan" \
   --seed 8 --decay-steps 45 --epochs 4
pt pipe print invalid_learning_rate d25b8 "LambdaLR poly decay over 25 steps -> lr nan; batch 8, 16 batches/epoch" \
   --seed 14 --decay-steps 25 --batch 8 --n-batches 16 --epochs 3
pt pipe fp16 mixed_precision_overflow w64 "fp16 autocast + GradScaler, width 64: output overflows to inf" \
   --seed 6 --width 64
pt pipe print wrong_output_activation acc "relu on the output + hand-written CE on out/sum(out): nan only in epoch-1 batches with an all-zero output row; relu backward zeroes those gradients so weights stay finite and training recovers (accuracy rises to ~0.7, NOT chance)" \
   --seed 1234 --epochs 5 --acc

"$PY" "$HERE/build_manifest.py" --repo "$REPO" --runs "$RUNS" --truth "$TRUTH" \
  --lightning-version "$LV" --torch-version "$TV" --out "$HERE/manifest_holdout.csv"
