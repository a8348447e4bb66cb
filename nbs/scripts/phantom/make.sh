#!/usr/bin/env bash
# Rebuild every shipped phantom model from scratch (see README.md beside this file for what each step is).
#   bash nbs/scripts/phantom/make.sh [WORK_DIR]        (default WORK_DIR: runs/phantom-models)
# Each step is skipped when its output exists, so an interrupted run continues where it stopped
# (train-styleex itself resumes from its last checkpoint). On 2 CPU cores: ~15 min of data and small models,
# then about 99 min of StyleEx training (3,608 steps with --threads 2; about 2.5 h on one core), 38 min
# of fitting a wider encoder to its generator and 47 min of a second fit for lines and tubes.
set -euo pipefail
cd "$(dirname "$0")/../../.."
W=${1:-runs/phantom-models}
D=$W/data
STEPS=${STYLEEX_STEPS:-3608}
mkdir -p "$W"
[ -f "$D/phantom/manifest.csv" ] || chexplaining phantom --out "$D/phantom" --n 20000 --size 64 --seed 0
[ -f "$D/phantom_shortcut/manifest.csv" ] || chexplaining phantom --out "$D/phantom_shortcut" --n 20000 --size 64 --seed 0 --shortcut pacemaker:Cardiomegaly:0.9
train() {  # train(manifest, target, out)
  if [ -f "$3/history.json" ] && python -c "import json, sys; sys.exit(len(json.load(open('$3/history.json'))['epochs']) < 6)"; then return 0; fi
  local resume=(); [ -f "$3/last.pt" ] && resume=(--resume)
  chexplaining train-classifier --manifest "$1" --target "$2" --arch small --size 64 --epochs 6 --out "$3" --threads 1 "${resume[@]}"
}
train "$D/phantom/manifest.csv" Cardiomegaly "$W/cls_cardiomegaly"
train "$D/phantom/manifest.csv" "Pleural Effusion" "$W/cls_pleural_effusion"
train "$D/phantom/manifest.csv" Atelectasis "$W/cls_atelectasis"
train "$D/phantom_shortcut/manifest.csv" Cardiomegaly "$W/cls_cardiomegaly_shortcut"
[ -f "$W/reader/best.pt" ] || chexplaining train-reader --manifest "$D/phantom/manifest.csv" --out "$W/reader" --size 64 --threads 1
resume=(); [ -f "$W/styleex/last.pt" ] && resume=(--resume)
chexplaining train-styleex --manifest "$D/phantom/manifest.csv" --config phantom-cpu --out "$W/styleex" --steps "$STEPS" \
  --classifier "$W/cls_cardiomegaly/best.pt" --classifier "$W/cls_pleural_effusion/best.pt" \
  --classifier "$W/cls_atelectasis/best.pt" --classifier "$W/cls_cardiomegaly_shortcut/best.pt" \
  --checkpoint-every 100 --eval-every 250 --threads 2 "${resume[@]}"
# a wider encoder fitted to the frozen G_ema (38 min with --threads 2): reads heart size better than the jointly
# trained one; w_topk weighs each reconstruction's worst pixels, where a dropped pacemaker shows
resume=(); [ -f "$W/encoder/last.pt" ] && resume=(--resume)
chexplaining train-encoder --styleex "$W/styleex/inference.pt" --manifest "$D/phantom/manifest.csv" --out "$W/encoder" \
  --classifier "$W/cls_cardiomegaly/best.pt" --classifier "$W/cls_pleural_effusion/best.pt" \
  --classifier "$W/cls_atelectasis/best.pt" --classifier "$W/cls_cardiomegaly_shortcut/best.pt" \
  --preset phantom-wide --threads 2 "${resume[@]}"   # the settings: ENCODER_FIT_PRESETS in nbs/11_styleex.ipynb
# a second fit on top of it for thin structures (lines, tubes, pacemaker leads; 47 min with --threads 1)
resume=(); [ -f "$W/encoder_refine/last.pt" ] && resume=(--resume)
chexplaining train-encoder --styleex "$W/encoder/inference.pt" --manifest "$D/phantom/manifest.csv" --out "$W/encoder_refine" \
  --classifier "$W/cls_cardiomegaly/best.pt" --classifier "$W/cls_pleural_effusion/best.pt" \
  --classifier "$W/cls_atelectasis/best.pt" --classifier "$W/cls_cardiomegaly_shortcut/best.pt" \
  --preset phantom-lines --threads 2 "${resume[@]}"
chexplaining eval-styleex --styleex "$W/encoder_refine/inference.pt" --manifest "$D/phantom/manifest.csv" --reader "$W/reader/best.pt" \
  --out "$W/encoder_refine/quality.json" --n-images 2000 --n-samples 2000
echo "done: models in $W; copy them with: bash nbs/scripts/phantom/publish.sh $W"
