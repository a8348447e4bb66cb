#!/usr/bin/env bash
# Copy the inference weights made by make.sh into checkpoints/phantom/ and write SHA256SUMS.
#   bash nbs/scripts/phantom/publish.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/../../../checkpoints/phantom"   # the files are copied here
W=${1:-../../runs/phantom-models}
case "$W" in /*) ;; *) W="$PWD/../../$W"; [ -d "$W" ] || W="$1";; esac
cp "$W/cls_cardiomegaly/best.pt" cardiomegaly.pt
cp "$W/cls_pleural_effusion/best.pt" pleural_effusion.pt
cp "$W/cls_atelectasis/best.pt" atelectasis.pt
cp "$W/cls_cardiomegaly_shortcut/best.pt" cardiomegaly_shortcut.pt
cp "$W/reader/best.pt" reader.pt
cp "$W/encoder_refine/inference.pt" styleex.pt       # G_ema with the fitted encoder (two fits: phantom-wide, then phantom-lines)
cp "$W/encoder_refine/quality.json" styleex_quality.json
cp "$W/styleex/metrics.jsonl" styleex_metrics.jsonl
cp "$W/encoder/metrics.jsonl" styleex_encoder_metrics.jsonl   # the fits' logs, as nbs/train.ipynb publishes them
cp "$W/encoder_refine/metrics.jsonl" styleex_encoder_refine_metrics.jsonl
sha256sum cardiomegaly.pt pleural_effusion.pt atelectasis.pt cardiomegaly_shortcut.pt reader.pt styleex.pt > SHA256SUMS
du -ch *.pt | tail -1
