"""Collect the confounding study (run.sh) as Markdown: each classifier's reliance (the label factor and every
confounder: view-driven scale and inspiration, age-driven bone density, sex-driven breast and habitus, lines and tubes)
and, per search, its fidelity to that reliance.   python collect.py WORK_DIR"""
import json, sys
from pathlib import Path
import pandas as pd
from chexplaining.reliance import search_fidelity, shortcut_factors
from chexplaining.quality import LABEL_FACTORS

W = Path(sys.argv[1] if len(sys.argv) > 1 else 'runs/studies/confounding')
CONFOUNDERS = ['gt_support_device', 'gt_scale', 'gt_inspiration', 'gt_bone_density', 'gt_breast', 'gt_body_width', 'gt_pacemaker']
strip = lambda x: x.removeprefix('gt_')
names = {'cardiomegaly': 'Cardiomegaly', 'pleural_effusion': 'Pleural Effusion', 'atelectasis': 'Atelectasis'}
print('# Classifiers trained with realistic confounding: what they use, and what the searches reveal\n')
print('Phantom `--confounding realistic` (view, sex, age and lines drawn with the findings at the CheXpert training labels\' '
      'co-occurrence rates); reliance on 500 confounded test patients; 50 searched images per method with the shipped StyleEx.\n')
print('## Reliance: mean |change of log-odds| when the factor moves\n')
print('| classifier | label factor(s) | ' + ' | '.join(c.removeprefix('gt_') for c in CONFOUNDERS) + ' | largest other factor |')
print('|---|---|' + '---|' * len(CONFOUNDERS) + '---|')
rel = {}
for c, t in names.items():
    p = W/c/'reliance'/'reliance.csv'
    if not p.exists(): continue
    r = rel[c] = pd.read_csv(p)
    s = r.set_index('factor')['mean_abs_change']
    lab = LABEL_FACTORS[t]
    other = s.drop(lab + CONFOUNDERS, errors='ignore')
    labs = ', '.join(f'{strip(f)} {s[f]:.2f}' for f in lab)
    print(f'| {t} | {labs} | ' + ' | '.join(f'{s[f]:.2f}' for f in CONFOUNDERS)
          + f' | {strip(other.idxmax())} {other.max():.2f} |')
print('\nShortcuts (reliance >= 0.25 of the label factor\'s): ' + '; '.join(
    names[c] + ': ' + (', '.join(map(strip, shortcut_factors(r, LABEL_FACTORS[names[c]]))) or 'none') for c, r in rel.items()) + '.\n')
print('## The searches against reliance\n')
print('| classifier | method | explained | rank correlation | top-1 recovered | top-3 recovered | method top 3 | confounders among the dominant factors of its top 3 |')
print('|---|---|---|---|---|---|---|---|')
for c, t in names.items():
    for m in ('attfind', 'eigenfind', 'eigenfind-latent', 'eigenfind-ica', 'latent-shift'):
        f = W/c/m
        if c not in rel or not (f/'groundtruth.json').exists(): continue
        fi = search_fidelity(rel[c], f)
        conf = [strip(x) for x in fi['top3_dominant'] if x in CONFOUNDERS]
        top3 = ', '.join(map(strip, fi['method_top3']))
        print(f"| {t} | {m} | {100 * fi['summary']['explained']:.0f}% | {fi['rank_correlation']:.2f} | {'yes' if fi['top1_recovered'] else 'no'} "
              f"| {round(3 * fi['top3_recovered'])}/3 | {top3} | {', '.join(conf) or '-'} |")
