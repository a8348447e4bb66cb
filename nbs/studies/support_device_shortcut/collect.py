"""Collect the support-device shortcut study (run.sh) as Markdown: reliance, and per search the ranks of the attributes
whose dominant factor is a line or tube, and its fidelity to the reliance.   python collect.py WORK_DIR"""
import json, sys
from pathlib import Path
import pandas as pd
from chexplaining.reliance import search_fidelity

W = Path(sys.argv[1] if len(sys.argv) > 1 else 'runs/studies/support_device_shortcut')
rel = pd.read_csv(W/'reliance'/'reliance.csv')
info = json.loads((W/'reliance'/'reliance.json').read_text())
print(f"# A support-device shortcut: reliance and what each search finds\n\nClassifier: Cardiomegaly trained on "
      f"`--shortcut support_device:Cardiomegaly:0.9` (sha256 `{info['classifier_sha256'][:12]}`); {info['n_images']} clean test patients "
      f"for reliance; 100 searched images per method with the shipped phantom StyleEx (`checkpoints/phantom/styleex.pt`).\n")
print('## Reliance (mean |change of log-odds| when the factor moves; top 6)\n')
print('| factor | mean abs change | mean signed change | flip rate |\n|---|---|---|---|')
for r in rel.head(6).itertuples():
    print(f'| {r.factor} | {r.mean_abs_change:.2f} | {r.mean_signed_change:.2f} | {100 * r.flip_rate:.0f}% |')
print('\n## The searches\n')
print('| method | explained (top-k) | attributes whose dominant factor is a line or tube (rank) | support device found in top 3 | rank correlation with reliance | shortcuts found |')
print('|---|---|---|---|---|---|')
for m in ('attfind', 'eigenfind', 'eigenfind-latent', 'eigenfind-ica', 'latent-shift'):
    f = W/m
    if not (f/'groundtruth.json').exists(): print(f'| {m} | (not run) | | | | |'); continue
    fi = search_fidelity(rel, f)
    gt = json.loads((f/'groundtruth.json').read_text())
    ranks = [int(a['rank']) for a in gt['attributes'] if a['dominant_factor'] in ('gt_support_device', 'gt_support_kind')]
    print(f"| {m} | {100 * fi['summary']['explained']:.0f}% | {', '.join(map(str, ranks)) or 'none'} | {'yes' if any(r <= 3 for r in ranks) else 'no'} "
          f"| {fi['rank_correlation']:.2f} | {', '.join(fi['shortcuts_found']) or '-'} (shortcuts: {', '.join(fi['shortcuts']) or '-'}) |")
