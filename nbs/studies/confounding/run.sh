#!/usr/bin/env bash
# Study: classifiers trained where view, sex, age and lines come with the findings at CheXpert's co-occurrence rates
# (chexplaining phantom --confounding realistic): which confounders does each rely on (reliance by intervention), and
# does any search reveal them? Every search runs with the shipped phantom StyleEx, which was trained for the clean
# classifiers (explaining others is allowed, with its warning). About 30 minutes on two cores (50 images a search; N=100 for more).
#   bash nbs/studies/confounding/run.sh [WORK_DIR]      (default WORK_DIR: runs/studies/confounding)
# Then: python nbs/studies/confounding/collect.py WORK_DIR > nbs/studies/confounding/results.md
set -euo pipefail
cd "$(dirname "$0")/../../.."
W=${1:-runs/studies/confounding}
N=${N:-50}
CK=checkpoints/phantom
mkdir -p "$W"
[ -f "$W/data/confounded/manifest.csv" ] || chexplaining phantom --out "$W/data/confounded" --n 20000 --size 64 --seed 0 --confounding realistic
for t in Cardiomegaly "Pleural Effusion" Atelectasis; do
  c=$(echo "$t" | tr 'A-Z ' 'a-z_')
  [ -f "$W/$c/classifier/best.pt" ] || chexplaining train-classifier --manifest "$W/data/confounded/manifest.csv" --target "$t" --arch small \
    --size 64 --epochs 6 --out "$W/$c/classifier" --threads 2
  # reliance and the searches on the confounded test patients: the data the classifier would meet
  [ -f "$W/$c/reliance/reliance.json" ] || chexplaining reliance --classifier "$W/$c/classifier/best.pt" \
    --manifest "$W/data/confounded/manifest.csv" --out "$W/$c/reliance" --threads 2
done
search() {  # search CLASSIFIER_NAME
  local c=$1 common=(--styleex $CK/styleex.pt --classifier "$W/$1/classifier/best.pt" --manifest "$W/data/confounded/manifest.csv"
                     --reader $CK/reader.pt --n-images "$N" --threads 1)
  [ -f "$W/$c/attfind/attributes.json" ] || chexplaining attfind "${common[@]}" --out "$W/$c/attfind"
  [ -f "$W/$c/eigenfind/attributes.json" ] || chexplaining eigenfind "${common[@]}" --out "$W/$c/eigenfind"
  [ -f "$W/$c/eigenfind-latent/attributes.json" ] || chexplaining eigenfind "${common[@]}" --out "$W/$c/eigenfind-latent" --basis latent --step 3 --step-unit sd
  [ -f "$W/$c/eigenfind-ica/attributes.json" ] || chexplaining eigenfind "${common[@]}" --out "$W/$c/eigenfind-ica" --basis ica --n-directions 15 --step 3 --step-unit sd
  [ -f "$W/$c/latent-shift/attributes.json" ] || chexplaining latent-shift "${common[@]}" --out "$W/$c/latent-shift"
}
(search cardiomegaly; search atelectasis) > "$W/lane0.log" 2>&1 & (search pleural_effusion) > "$W/lane1.log" 2>&1 & wait
echo "done: $W"
