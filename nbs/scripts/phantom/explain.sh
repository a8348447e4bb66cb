#!/usr/bin/env bash
# The explanation runs on the shipped phantom models: AttFind, EigenFind and latent shift for the four classifiers,
# with the factor reader's ground truth. Two lanes in parallel (one CPU core each); about 55 minutes on 2 cores.
#   PHANTOM=path/to/phantom/manifest.csv OUT=runs/explain bash nbs/scripts/phantom/explain.sh
# INVERT=30 inverts the searched images with the encoder + 30 latent steps (--invert-steps; ~1.7 s per image on one
# core, about 45 minutes more); the shipped explanations/ use the encoder alone (INVERT unset or 0).
# The phantom is the one the models were trained on: chexplaining phantom --n 20000 --size 64 --seed 0 --out data/phantom
set -euo pipefail
cd "$(dirname "$0")/../../.."
PHANTOM=${PHANTOM:-data/phantom/manifest.csv}
OUT=${OUT:-runs/explain}
N=${N:-100}
INVERT=${INVERT:-0}
CK=checkpoints/phantom
common=(--styleex $CK/styleex.pt --manifest "$PHANTOM" --reader $CK/reader.pt --n-images "$N" --threads 1 --invert-steps "$INVERT")
run() {   # run CORE CLASSIFIER [variants]
  local core=$1 c=$2 variants=${3:-}
  taskset -c "$core" chexplaining attfind   "${common[@]}" --classifier $CK/$c.pt --out "$OUT/attfind_$c"        # StyleEx: t = 1
  taskset -c "$core" chexplaining eigenfind "${common[@]}" --classifier $CK/$c.pt --out "$OUT/eigenfind_$c"      # the paper: d = 5 (w units)
  taskset -c "$core" chexplaining eigenfind "${common[@]}" --classifier $CK/$c.pt --out "$OUT/eigenfind-latent_$c" \
    --basis latent --step 3 --step-unit sd                                                                   # the encoded images' principal directions
  taskset -c "$core" chexplaining eigenfind "${common[@]}" --classifier $CK/$c.pt --out "$OUT/eigenfind-latent-m01_$c" \
    --basis latent --step 3 --step-unit sd --drop-margin 0.01                                                # ... dropping a direction only beyond 1 point
  taskset -c "$core" chexplaining eigenfind "${common[@]}" --classifier $CK/$c.pt --out "$OUT/eigenfind-ica_$c" \
    --basis ica --n-directions 15 --step 3 --step-unit sd --amounts 0,0.5,1,1.5,2,2.5,3                      # their independent directions, and how far they must go
  taskset -c "$core" chexplaining latent-shift "${common[@]}" --classifier $CK/$c.pt --out "$OUT/shift_$c"
  if [ -n "$variants" ]; then   # the shortcut pair: larger edits too
    taskset -c "$core" chexplaining attfind   "${common[@]}" --classifier $CK/$c.pt --out "$OUT/attfind-t2.5_$c" --shift 2.5   # the paper's code
    taskset -c "$core" chexplaining eigenfind "${common[@]}" --classifier $CK/$c.pt --out "$OUT/eigenfind-sd3_$c" --step 3 --step-unit sd
  fi
}
mkdir -p "$OUT"
(run 0 cardiomegaly variants; run 0 pleural_effusion) > "$OUT/lane0.log" 2>&1 &
(run 1 cardiomegaly_shortcut variants; run 1 atelectasis) > "$OUT/lane1.log" 2>&1 &
wait
echo "done: $OUT"
