#!/usr/bin/env bash
# Re-creates every Lightning / plain-PyTorch sample log, the ground-truth sidecars and
# sample_logs/generators/torch/manifest.csv from scratch.
#
#   VENV=/opt/nanlog-dev/venv-torch bash make_torch.sh
#
# The venv needs: torch (CPU), lightning, numpy, pandas, tqdm. It must NOT contain rich, so that
# Lightning's default progress bar / model summary are the TQDM / plain-table ones; rich is
# installed separately into $RICH_DIR (pip --target) and put on PYTHONPATH only for the
# RichProgressBar runs.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
VENV="${VENV:-/opt/nanlog-dev/venv-torch}"
PY="$VENV/bin/python"
RICH_DIR="${RICH_DIR:-/opt/nanlog-dev/rich-extra}"
TRUTH="${TRUTH_DIR:-/opt/nanlog-dev/truth}"
WORK="${WORK_DIR:-/tmp/nanlog_torch_work}"
LDIR="$REPO/sample_logs/lightning"
PDIR="$REPO/sample_logs/pytorch"
RUNS="$WORK/runs.tsv"

if "$PY" -c "import rich" 2>/dev/null; then
  echo "error: rich is importable in $VENV; uninstall it (Lightning would switch to Rich bars)" >&2
  exit 1
fi
if [ ! -d "$RICH_DIR/rich" ]; then
  "$VENV/bin/pip" install -q --target "$RICH_DIR" rich
fi

mkdir -p "$LDIR" "$PDIR" "$TRUTH" "$WORK"
rm -f "$LDIR"/lightning_*.log "$LDIR"/lightning_*_metrics.csv "$PDIR"/pytorch_*.log
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
LT="$PY $HERE/train_lightning.py"
PT="$PY $HERE/train_plain.py"

# ------------------------------------------------------------------ Lightning, default TQDM bar
for fault in healthy bad_input_data exploding_gradients learning_rate_too_high \
             unstable_loss_function label_out_of_range invalid_learning_rate mixed_precision_overflow; do
  name="lightning_${fault}_tty"
  run tty "$LDIR/$name.log" "$LT --fault $fault --truth $TRUTH/$name.json --csv-copy $LDIR/lightning_${fault}_metrics.csv"
  record "sample_logs/lightning/$name.log" lightning tty lightning "$fault" "$name" ""
  if [ -f "$LDIR/lightning_${fault}_metrics.csv" ]; then
    cp "$TRUTH/$name.json" "$TRUTH/lightning_${fault}_metrics.json"
    record "sample_logs/lightning/lightning_${fault}_metrics.csv" lightning file lightning "$fault" \
      "lightning_${fault}_metrics" "CSVLogger metrics.csv of the tty run"
  fi
done
for fault in healthy bad_input_data exploding_gradients; do
  name="lightning_${fault}_pipe"
  run pipe "$LDIR/$name.log" "$LT --fault $fault --truth $TRUTH/$name.json"
  record "sample_logs/lightning/$name.log" lightning pipe lightning "$fault" "$name" ""
done
# detect_anomaly=True on the unstable loss
name="lightning_anomaly_unstable_loss_function_tty"
run tty "$LDIR/$name.log" "$LT --fault unstable_loss_function --detect-anomaly --truth $TRUTH/$name.json"
record "sample_logs/lightning/$name.log" lightning tty lightning unstable_loss_function "$name" ""
# RichProgressBar
for fault in healthy bad_input_data; do
  name="lightning_rich_${fault}_tty"
  run tty "$LDIR/$name.log" "PYTHONPATH=$RICH_DIR $LT --fault $fault --bar rich --truth $TRUTH/$name.json"
  record "sample_logs/lightning/$name.log" lightning tty lightning "$fault" "$name" ""
done

# ------------------------------------------------------------------ plain PyTorch loops
for sf in print:healthy print:exploding_gradients print:bad_input_data print:learning_rate_too_high \
          print:unstable_loss_function print:invalid_learning_rate \
          logging:healthy logging:exploding_gradients logging:label_out_of_range \
          chinese:healthy chinese:bad_input_data \
          anomaly:unstable_loss_function fp16:mixed_precision_overflow; do
  style="${sf%%:*}"; fault="${sf#*:}"
  name="pytorch_${style}_${fault}_pipe"
  run pipe "$PDIR/$name.log" "$PT --style $style --fault $fault --truth $TRUTH/$name.json"
  record "sample_logs/pytorch/$name.log" pytorch pipe plain "$fault" "$name" "style=$style"
done
name="pytorch_tqdm_exploding_gradients_tty"
run tty "$PDIR/$name.log" "$PT --style tqdm --fault exploding_gradients --truth $TRUTH/$name.json"
record "sample_logs/pytorch/$name.log" pytorch tty plain exploding_gradients "$name" "style=tqdm"

"$PY" "$HERE/build_manifest.py" --repo "$REPO" --runs "$RUNS" --truth "$TRUTH" \
  --lightning-version "$LV" --torch-version "$TV" --out "$HERE/manifest.csv"
