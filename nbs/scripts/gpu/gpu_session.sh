#!/usr/bin/env bash
# One GPU session in one command (issue 30): proves the CUDA path and trains the phantom StyleEx at GPU scale.
#
# Budget: one H100 (or H200), 8 minutes at most (about 7 expected): every stage runs under its own cap (`timeout`) and
# the whole run under a deadline (BUDGET, 470 s), so a slow stage cannot eat the rest; the summary is always written.
# Size: writes at most 7 files into $OUT, each under 16 MiB, about 30 MiB together: summary.md, summary.json,
# bench_gpu.json, styleex_quality.json, results.tar.gz (logs, training curves, grids, searches; < 2 MiB) and the
# GPU-trained StyleEx's inference weights (G_ema + encoder, float32, ~22 MiB) in two parts styleex_gpu.pt.part0/1
# (`cat styleex_gpu.pt.part* > styleex_gpu.pt`; its sha256 is in summary.json).
#
# Stages (seconds on an H100 as estimated before any GPU ran this | cap; the dry run measures the plumbing only):
#   setup       carried wheels (nbdev, IPython: the GPU machine has no package index), environment   10 | 45
#   phantom     chexplaining phantom --n 20000 --size 64 --seed 0, manifest sha256 checked             10 | 60
#   bench       benchmarks/bench_gpu.py: generator and training-step throughput, batch search       90 | 110
#   nbdev_test  --flags gpu on 07_classifier, 11_styleex, 14_search, beside the training below        90 | 300
#   train       train-styleex --config phantom-gpu --max-minutes 2.75, on the four shipped classifiers 190 | 220
#   encoder     train-encoder --preset phantom-lines (the shipped recipe's last fit), --max-minutes 0.6 40 | 70
#   eval        eval-styleex, 2,000 test images and samples, with the shipped reader                   30 | 60
#   explain     conditioning spread and AttFind/EigenFind --n-images 50, this model and the shipped one 40 | 90
#   report      summary.md/json (nbs/scripts/gpu/gpu_report.py), pack $OUT                               5 | reserved
#
# The device tool sends the working tree (tracked and untracked-not-ignored files) plus what `carry` names, 64 MiB at
# most: --prepare adds up what would travel and says when it is over (the tracked files were 62 MiB once the stale
# figures/explanations files went; the sweeps the main job copies there, ~1 MiB each, are most of it).
# Usage:
#   bash nbs/scripts/gpu/gpu_session.sh --prepare   # here, once, with the package index: wheels into .gpu/ (git-ignored)
#   device tool: run(command="bash nbs/scripts/gpu/gpu_session.sh", carry=[".gpu"], timeout_s=560)
#   any CUDA machine with the project installed: OUT=/tmp/gpu_out bash nbs/scripts/gpu/gpu_session.sh
#   bash nbs/scripts/gpu/gpu_session.sh --dry-run   # on a CPU: tiny sizes, every stage, under 3 minutes (.ci/run calls it)
# Environment: OUT (default runs/gpu_session/out, or a temporary folder with --dry-run), WORK (scratch; default a temporary
# folder), BUDGET (seconds), TRAIN_MINUTES, ENCODER_MINUTES, GPU_NOTEBOOKS (names in nbs/, space-separated; the dry run
# tests 14_search, the quickest with a GPU cell), PYTHON (default python3, the GPU machine's torch).
set -uo pipefail
cd "$(dirname "$0")/../../.."
REPO=$PWD
MODE=gpu
case "${1:-}" in
  --dry-run) MODE=dry ;;
  --prepare) MODE=prepare ;;
  "") ;;
  *) echo "usage: $0 [--dry-run | --prepare]" >&2; exit 2 ;;
esac
PY=${PYTHON:-python3}
CK=checkpoints/phantom
CLASSIFIERS=(cardiomegaly pleural_effusion atelectasis cardiomegaly_shortcut)
PHANTOM_SHA=d6c64d203da54b83933ead48213cf44a94255c209ee43dc2955184d2b7c2d2a1   # checkpoints/phantom/train_record.json
# the wheels nbdev_test needs that the GPU machine's image lacks (.library/device/KINDS.md lists what it has), at the
# versions of the project's environment; 1.1 MiB. Left out, checked by running nbdev_test with them made unimportable:
# nbdev's ghapi, fastgit and watchdog (not imported by nbdev_test) and IPython's terminal and completion packages
# (jedi, parso, prompt_toolkit, wcwidth: 6 MiB, unused by execnb's shell; a failing cell's traceback still prints)
WHEELS=(nbdev==2.4.14 fastcore==1.14.5 execnb==0.1.18 astunparse==1.6.3 ipython==9.19.1 ipython_pygments_lexers==1.1.1
        traitlets==5.16.1 matplotlib-inline==0.2.2 pexpect==4.9.0 ptyprocess==0.7.0 stack_data==0.6.3 executing==2.3.0
        asttokens==3.0.2 pure_eval==0.2.4)

if [ "$MODE" = prepare ]; then   # ---- here: fetch the wheels, record the commit, say whether the tree can travel
  set -e
  rm -rf .gpu/wheels; mkdir -p .gpu/wheels
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .gpu/wheels "${WHEELS[@]}"
  printf '{"commit": "%s", "dirty": %s}\n' "$(git rev-parse HEAD)" "$([ -n "$(git status --porcelain -- chexplaining nbs benchmarks)" ] && echo true || echo false)" > .gpu/source.json
  git check-ignore -q .gpu || { echo ".gpu is not git-ignored: add /.gpu/ to .gitignore"; exit 1; }
  tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s}')
  carried=$(du -sb .gpu | cut -f1)
  mib=$(( (tree + carried) / 1048576 ))
  echo "wheels: $(ls .gpu/wheels | wc -l) files, $(( carried / 1024 )) KiB; the tree that travels: $(( tree / 1048576 )) MiB + .gpu = ${mib} MiB (limit 64)"
  [ "$mib" -lt 64 ] || echo "WARNING: over the device tool's 64 MiB: the call will be refused until the tracked files shrink"
  exit 0
fi

# ---- the session ----
T0=$(date +%s)
if [ "$MODE" = dry ]; then
  BUDGET=${BUDGET:-170}; OUT=${OUT:-$(mktemp -d /tmp/gpu_dry_out.XXXXXX)}
  [ -n "${WORK:-}" ] || { WORK=$(mktemp -d /tmp/gpu_dry_work.XXXXXX); CLEAN_WORK=1; }   # removed at the end
  N_PHANTOM=240; N_EVAL=32; N_SEARCH=4; SEARCH_CLASSIFIERS=(cardiomegaly); read -ra NOTEBOOKS <<< "${GPU_NOTEBOOKS:-14_search}"
  TRAIN=(--steps 2 --set batch=4 network.channel_base=64 network.channel_max=8 network.d_channel_base=64 network.d_channel_max=8
         network.e_channel_base=64 network.e_channel_max=8 --checkpoint-every 1 --eval-every 2)
  ENCODER=(--set steps=2 batch=4)
  BENCH=(--dry-run)
else
  BUDGET=${BUDGET:-470}; OUT=${OUT:-$REPO/runs/gpu_session/out}; WORK=${WORK:-$(mktemp -d /tmp/gpu_work.XXXXXX)}
  N_PHANTOM=20000; N_EVAL=2000; N_SEARCH=50; SEARCH_CLASSIFIERS=("${CLASSIFIERS[@]}")
  read -ra NOTEBOOKS <<< "${GPU_NOTEBOOKS:-07_classifier 11_styleex 14_search}"   # the notebooks with #|gpu cells
  # 2.75 minutes: what the 8-minute budget leaves after the other stages (about 2x the shipped model's 58k images if a
  # phantom-gpu step of 64 takes ~0.1 s); steps is only a ceiling, the wall budget stops it (with a checkpoint)
  TRAIN=(--steps 200000 --max-minutes "${TRAIN_MINUTES:-2.75}" --checkpoint-every 1000 --eval-every 1000)
  # the shipped recipe's last encoder fit (nbs/train.ipynb, 4b); the joint encoder already has the phantom-wide widths
  ENCODER=(--set batch=64 steps=600 --max-minutes "${ENCODER_MINUTES:-0.6}")
  BENCH=(--budget 85)
fi
DEADLINE=$(( T0 + BUDGET )); RESERVE=15   # seconds kept for the summary and packing
RES=$WORK/results; DATA=$WORK/data/phantom
THREADS=$(( $(nproc) < 4 ? $(nproc) : 4 ))   # CPU threads of each training and evaluation process
mkdir -p "$OUT" "$RES/logs" "$WORK/bin"
export PYTHONUNBUFFERED=1 PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg
: > "$RES/stages.tsv"
elapsed() { echo $(( $(date +%s) - T0 )); }
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RES/stages.tsv"; }
stage() {   # stage NAME CAP FUNCTION: runs FUNCTION under min(CAP, time left), its output in logs/NAME.log; 0 when it succeeded
  local name=$1 cap=$2 fn=$3 left t rc status
  left=$(( DEADLINE - $(date +%s) - RESERVE )); (( cap > left )) && cap=$left
  if (( cap < 5 )); then record "$name" skipped 0 0 "$cap" "no time left in the ${BUDGET} s budget"; echo "== $(elapsed)s: $name skipped (no time left)"; return 1; fi
  echo "== $(elapsed)s: $name (cap ${cap} s)"
  t=$(date +%s)
  timeout --kill-after=10 "$cap" bash -c "$fn" > "$RES/logs/$name.log" 2>&1
  rc=$?
  case $rc in 0) status=ok ;; 124|137) status=timeout ;; *) status=failed ;; esac
  record "$name" "$status" "$rc" "$(( $(date +%s) - t ))" "$cap" "$( [ $status = ok ] || tail -n 3 "$RES/logs/$name.log" | tr '\t\n|' '   ' | cut -c1-300)"
  echo "   $name: $status (rc $rc) in $(( $(date +%s) - t )) s"
  # what comes back if the whole call is cut short; the report rewrites it at the end
  { echo "# GPU session: stages so far (the run did not reach its report)"; echo; echo '```'; cat "$RES/stages.tsv"; echo '```'; } > "$OUT/summary.md"
  [ $rc = 0 ]
}
export -f elapsed record
export REPO PY CK OUT WORK RES DATA N_PHANTOM N_EVAL N_SEARCH PHANTOM_SHA MODE THREADS
CLASSIFIER_FILES=(); for c in "${CLASSIFIERS[@]}"; do CLASSIFIER_FILES+=("$CK/$c.pt"); done
# bash exports no arrays: the functions get them as strings they split again
export BENCH_S="${BENCH[*]}" TRAIN_S="${TRAIN[*]}" ENCODER_S="${ENCODER[*]}" NOTEBOOKS_S="${NOTEBOOKS[*]}" \
       CLASSIFIER_FILES_S="${CLASSIFIER_FILES[*]}" SEARCH_CLASSIFIERS_S="${SEARCH_CLASSIFIERS[*]}"
arrays='read -ra BENCH <<< "$BENCH_S"; read -ra TRAIN <<< "$TRAIN_S"; read -ra ENCODER <<< "$ENCODER_S"; read -ra NOTEBOOKS <<< "$NOTEBOOKS_S";
        read -ra CLASSIFIER_FILES <<< "$CLASSIFIER_FILES_S"; read -ra SEARCH_CLASSIFIERS <<< "$SEARCH_CLASSIFIERS_S";'

# ---- 0. setup: Python, the carried wheels, a `chexplaining` command, the environment record
setup() {
  set -e
  if ! "$PY" -c 'import nbdev, execnb, IPython' 2>/dev/null; then
    ls .gpu/wheels/*.whl >/dev/null 2>&1 || { echo "nbdev is missing and no wheels were carried: run --prepare here and carry .gpu"; exit 1; }
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$WORK/site" .gpu/wheels/*.whl
  fi
  printf '#!/bin/sh\nexec "%s" -m chexplaining.cli "$@"\n' "$PY" > "$WORK/bin/chexplaining"; chmod +x "$WORK/bin/chexplaining"
  export PATH="$WORK/bin:$WORK/site/bin:$PATH" PYTHONPATH="$PYTHONPATH:$WORK/site"
  "$PY" - <<'PY'
import json, os, subprocess, torch, chexplaining, nbdev
src = json.load(open('.gpu/source.json')) if os.path.exists('.gpu/source.json') else {}
git = lambda *a: subprocess.run(['git', *a], capture_output=True, text=True, check=True).stdout.strip()
try: commit, dirty = git('rev-parse', 'HEAD'), bool(git('status', '--porcelain', '--', 'chexplaining', 'nbs', 'benchmarks'))
except Exception: commit, dirty = src.get('commit', '?'), src.get('dirty')   # no .git on the GPU machine: what --prepare recorded
cuda = torch.cuda.is_available()
env = {'dry_run': os.environ['MODE'] == 'dry', 'torch': torch.__version__, 'cuda': torch.version.cuda, 'nbdev': nbdev.__version__,
       'device': torch.cuda.get_device_name(0) if cuda else 'cpu', 'cpus': os.cpu_count(), 'chexplaining': chexplaining.__version__,
       'code': f"{commit[:12]}{' (uncommitted changes)' if dirty else ''}",
       'train_args': os.environ['TRAIN_S'], 'encoder_args': os.environ['ENCODER_S'], 'notebooks': os.environ['NOTEBOOKS_S']}
json.dump(env, open(os.path.join(os.environ['RES'], 'env.json'), 'w'), indent=1)
print(env)
if os.environ['MODE'] == 'gpu' and not cuda: raise SystemExit('no CUDA device: run this on a GPU, or with --dry-run on a CPU')
PY
  nvidia-smi -L 2>/dev/null || true
}
export -f setup
stage setup 45 setup || { echo "setup failed: $(tail -n 5 "$RES/logs/setup.log")"; }
export PATH="$WORK/bin:$WORK/site/bin:$PATH" PYTHONPATH="$PYTHONPATH:$WORK/site"
SETUP_OK=$(awk -F'\t' '$1 == "setup" {print $2}' "$RES/stages.tsv")

# ---- 1. the phantom the shipped classifiers were trained on, rendered here
phantom() {
  set -e
  chexplaining phantom --n "$N_PHANTOM" --size 64 --seed 0 --out "$DATA" --workers "$(( $(nproc) < 16 ? $(nproc) : 16 ))"
  sha=$(sha256sum "$DATA/manifest.csv" | cut -d' ' -f1)
  if [ "$MODE" = dry ]; then check="dry run: $N_PHANTOM images, not the shipped phantom"
  elif [ "$sha" = "$PHANTOM_SHA" ]; then check="identical to the shipped models' phantom"
  else check="DIFFERS from the shipped models' phantom ($PHANTOM_SHA): this machine renders other bytes"; fi
  "$PY" -c "import json, sys; p = sys.argv[1]; e = json.load(open(p)); e.update(manifest_sha256=sys.argv[2], manifest_check=sys.argv[3]); json.dump(e, open(p, 'w'), indent=1)" \
    "$RES/env.json" "$sha" "$check"
  echo "manifest sha256 $sha: $check"
}
# ---- 2. throughput, alone on the GPU
bench() { "$PY" benchmarks/bench_gpu.py --out "$OUT/bench_gpu.json" "${BENCH[@]}"; }
# ---- 3. the notebooks' GPU cells (in the background, beside training: they use the CPUs, the GPU a little)
nbdev_tests() {
  local pids=() nb rc=0 t
  : > "$RES/nbdev_test.tsv"
  for nb in "${NOTEBOOKS[@]}"; do
    ( t=$(date +%s); nbdev_test --flags gpu --path "nbs/$nb.ipynb" --timing > "$RES/logs/nbdev_test_$nb.log" 2>&1
      printf '%s\t%s\t%s\n' "$nb" "$?" "$(( $(date +%s) - t ))" >> "$RES/nbdev_test.tsv" ) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  cat "$RES/nbdev_test.tsv"
  ! awk -F'\t' '$2 != 0 {bad = 1} END {exit !bad}' "$RES/nbdev_test.tsv"
}
# ---- 4. StyleEx from scratch for the four shipped classifiers
train() {
  set -e
  chexplaining train-styleex --manifest "$DATA/manifest.csv" --config phantom-gpu --out "$WORK/styleex" \
    --classifier "${CLASSIFIER_FILES[@]}" --threads "$THREADS" "${TRAIN[@]}"
}
encoder() {
  set -e
  chexplaining train-encoder --styleex "$WORK/styleex/inference.pt" --manifest "$DATA/manifest.csv" --out "$WORK/encoder" \
    --classifier "${CLASSIFIER_FILES[@]}" --preset phantom-lines --threads "$THREADS" "${ENCODER[@]}"
}
evaluate() {
  set -e
  mkdir -p "$RES/quality"
  chexplaining eval-styleex --styleex "$MODEL" --manifest "$DATA/manifest.csv" --reader $CK/reader.pt --classifier "${CLASSIFIER_FILES[@]}" \
    --out "$RES/quality/styleex_quality.json" --n-images "$N_EVAL" --n-samples "$N_EVAL" --threads "$THREADS"
  cp "$RES/quality/styleex_quality.json" "$OUT/styleex_quality.json"
}
# ---- 5. where each model keeps the decision, and a short search, on the same test images for both models
explain() {
  local jobs=() m model c rc=0
  for m in gpu shipped; do
    model=$MODEL; [ $m = shipped ] && model=$CK/styleex.pt
    "$PY" nbs/scripts/phantom/conditioning_swap.py "$DATA/manifest.csv" --styleex "$model" --n-images "$N_SEARCH" --device auto \
      --classifiers "${SEARCH_CLASSIFIERS[@]}" --out "$RES/conditioning_$m.md" --json "$RES/conditioning_$m.json" > "$RES/logs/conditioning_$m.log" 2>&1 &
    jobs+=($!)
    for c in "${SEARCH_CLASSIFIERS[@]}"; do
      for s in attfind eigenfind; do
        extra=(); [ $s = attfind ] && [ "$MODE" = dry ] && extra=(--n-bounds 16)
        chexplaining $s --styleex "$model" --classifier $CK/$c.pt --manifest "$DATA/manifest.csv" --reader $CK/reader.pt \
          --n-images "$N_SEARCH" --no-figures --threads 1 --out "$RES/search/$m/${s}_$c" "${extra[@]}" > "$RES/logs/${s}_${m}_$c.log" 2>&1 &
        jobs+=($!)
      done
    done
  done
  for p in "${jobs[@]}"; do wait "$p" || rc=1; done
  return $rc
}
export -f phantom bench nbdev_tests train encoder evaluate explain

if [ "$SETUP_OK" = ok ]; then
  stage phantom 60 "$arrays phantom"
  stage bench 110 "$arrays bench"
  stage nbdev_test 300 "$arrays nbdev_tests" &
  NBDEV=$!
  if [ -f "$DATA/manifest.csv" ]; then
    stage train 220 "$arrays train"
    if [ -f "$WORK/styleex/inference.pt" ]; then
      stage encoder 70 "$arrays encoder"
      MODEL=$WORK/styleex/inference.pt; [ -f "$WORK/encoder/inference.pt" ] && MODEL=$WORK/encoder/inference.pt
      export MODEL
      stage eval 60 "$arrays evaluate"
      stage explain 90 "$arrays explain"
    fi
  fi
  wait $NBDEV
fi

# ---- 6. always: the summary and what comes back
echo "== $(elapsed)s: report"
"$PY" -c "import json, sys; p = sys.argv[1]; e = json.load(open(p)) if __import__('os').path.exists(p) else {}; e.update(total_s=int(sys.argv[2]), budget_s=int(sys.argv[3])); json.dump(e, open(p, 'w'), indent=1)" \
  "$RES/env.json" "$(elapsed)" "$BUDGET" 2>/dev/null
for d in styleex encoder; do   # the small files of the two runs (no last.pt, no weights)
  [ -d "$WORK/$d" ] || continue
  mkdir -p "$RES/$([ $d = styleex ] && echo train || echo encoder)"
  dst=$RES/$([ $d = styleex ] && echo train || echo encoder)
  cp "$WORK/$d"/*.json "$WORK/$d"/*.jsonl "$WORK/$d"/*.png "$dst/" 2>/dev/null
  last_grid=$(ls "$WORK/$d"/grids/*.png 2>/dev/null | tail -n 1); [ -n "$last_grid" ] && cp "$last_grid" "$dst/"
done
if [ -n "${MODEL:-}" ] && [ -f "$MODEL" ]; then   # the inference weights, in parts under 16 MiB
  split -b 15m -d -a 1 "$MODEL" "$OUT/styleex_gpu.pt.part"
  printf '{"file": "styleex_gpu.pt", "from": "%s", "bytes": %s, "sha256": "%s"}\n' "${MODEL#$WORK/}" "$(stat -c %s "$MODEL")" \
    "$(sha256sum "$MODEL" | cut -d' ' -f1)" > "$RES/model.json"
fi
"$PY" nbs/scripts/gpu/gpu_report.py "$RES" "$OUT" > "$RES/logs/report.log" 2>&1 || echo "report failed: $(tail -n 5 "$RES/logs/report.log")"
[ -f "$RES/model.json" ] && "$PY" -c "import json, sys; s = json.load(open(sys.argv[1])); s['model'] = json.load(open(sys.argv[2])); json.dump(s, open(sys.argv[1], 'w'), indent=1)" "$OUT/summary.json" "$RES/model.json" 2>/dev/null
cp "$RES/stages.tsv" "$RES/logs/" 2>/dev/null
tar -czf "$OUT/results.tar.gz" -C "$WORK" results
if [ "$(stat -c %s "$OUT/results.tar.gz")" -ge 16000000 ]; then   # too big to come back: the logs and tables alone
  tar -czf "$OUT/results.tar.gz" -C "$WORK" --exclude='*.png' --exclude='*.gif' results
fi
[ -f "$OUT/summary.md" ] || { echo "# GPU session: the report failed"; echo; cat "$RES/stages.tsv"; } > "$OUT/summary.md"
echo; cat "$OUT/summary.md"
echo; echo "$(ls "$OUT" | wc -l) files in $OUT ($(du -sh "$OUT" | cut -f1)); $(elapsed) s of $BUDGET"
awk -F'\t' '$2 != "ok" {bad = 1} END {exit bad}' "$RES/stages.tsv"; rc=$?   # non-zero when a stage did not succeed
[ "${CLEAN_WORK:-}" = 1 ] && rm -rf "$WORK"
exit $rc
