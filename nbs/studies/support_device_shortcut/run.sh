#!/usr/bin/env bash
# Study: does any search find a support-device shortcut? (issue 26)
# A Cardiomegaly classifier trained where a line or tube comes with 90% of the positives and 10% of the negatives
# (chexplaining phantom --shortcut support_device:Cardiomegaly:0.9), its reliance by intervention, and every search
# (AttFind, EigenFind with its three bases, latent shift) with the shipped phantom StyleEx, which was not trained for
# this classifier (allowed, with its warning). About 12 minutes on two cores (the classifier 2 min, 100 images a search).
#   bash nbs/studies/support_device_shortcut/run.sh [WORK_DIR]     (default WORK_DIR: runs/studies/support_device_shortcut)
# Then: python nbs/studies/support_device_shortcut/collect.py WORK_DIR > nbs/studies/support_device_shortcut/results.md
set -euo pipefail
cd "$(dirname "$0")/../../.."
W=${1:-runs/studies/support_device_shortcut}
CK=checkpoints/phantom
CLF=${CLF:-$W/classifier/best.pt}
mkdir -p "$W"
[ -f "$W/data/clean/manifest.csv" ] || chexplaining phantom --out "$W/data/clean" --n 20000 --size 64 --seed 0
[ -f "$W/data/shortcut/manifest.csv" ] || chexplaining phantom --out "$W/data/shortcut" --n 20000 --size 64 --seed 0 --shortcut support_device:Cardiomegaly:0.9
[ -f "$CLF" ] || chexplaining train-classifier --manifest "$W/data/shortcut/manifest.csv" --target Cardiomegaly --arch small --size 64 \
  --epochs 6 --out "$W/classifier" --threads 2
M=$W/data/clean/manifest.csv   # explained on clean test patients, as the shipped shortcut classifier is
[ -f "$W/reliance/reliance.json" ] || chexplaining reliance --classifier "$CLF" --manifest "$M" --out "$W/reliance" --threads 2
common=(--styleex $CK/styleex.pt --classifier "$CLF" --manifest "$M" --reader $CK/reader.pt --n-images 100 --threads 1)
lane0() {
  [ -f "$W/attfind/attributes.json" ] || chexplaining attfind "${common[@]}" --out "$W/attfind"
  [ -f "$W/eigenfind/attributes.json" ] || chexplaining eigenfind "${common[@]}" --out "$W/eigenfind"
  [ -f "$W/latent-shift/attributes.json" ] || chexplaining latent-shift "${common[@]}" --out "$W/latent-shift"
}
lane1() {
  [ -f "$W/eigenfind-latent/attributes.json" ] || chexplaining eigenfind "${common[@]}" --out "$W/eigenfind-latent" --basis latent --step 3 --step-unit sd
  [ -f "$W/eigenfind-ica/attributes.json" ] || chexplaining eigenfind "${common[@]}" --out "$W/eigenfind-ica" --basis ica --n-directions 15 --step 3 --step-unit sd
}
lane0 > "$W/lane0.log" 2>&1 & lane1 > "$W/lane1.log" 2>&1 & wait
echo "done: $W"
