"""Heart-size fidelity against pacemakers kept for the wide encoders fitted to the shipped G_ema (this folder's *.json).
Run from the repository root: python nbs/scripts/encoder_fit/plot_tradeoff.py"""
import json
from pathlib import Path
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt

here = Path(__file__).resolve().parents[3]/'nbs'/'studies'/'encoder_fit'/'wide'   # the study's files
fits = json.loads((here/'fits.json').read_text())      # label -> quality file (relative to this folder or the repo root)
offsets = {'wide, c always given': (-20, 8), 'w_distill 6, w_logit 1.5': (-105, -12), 'w_distill 6': (8, 2), 'w_distill 10': (7, -5),
           'w_topk 2 (shipped)': (-95, 6), 'w_distill 3, w_topk 2': (-40, -12), 'joint (shipped before)': (6, -11)}   # keep labels apart
fig, ax = plt.subplots(figsize=(6.4, 4.4))
for label, f in fits.items():
    p = here/f if (here/f).is_file() else Path(f)
    q = json.loads(p.read_text())
    heart, kept = q['factors']['gt_ctr']['r_reader'], q['devices']['pacemaker']['kept']
    # the rest of the bar: effusions r >= 0.9 and every classifier's agreement >= 0.95 (hollow where one misses)
    rest = (min(q['factors'][k]['r_reader'] for k in ('gt_effusion_left', 'gt_effusion_right')) >= 0.9
            and min(v['agreement'] for v in q['classifiers'].values()) >= 0.95)
    ax.scatter(kept * 100, heart, s=40, zorder=3, **({} if rest else {'facecolors': 'none', 'edgecolors': 'black'}))
    ax.annotate(label, (kept * 100, heart), textcoords='offset points', xytext=offsets.get(label, (6, 4)), fontsize=8)
ax.axhline(0.9, color='grey', ls='--', lw=1); ax.axvline(90, color='grey', ls='--', lw=1)
ax.fill_between([90, 100], 0.9, 0.93, color='tab:green', alpha=0.08, label="issue 6's bar (heart r >= 0.9, kept >= 90%)")
ax.set_xlim(-3, 125); ax.set_xticks(range(0, 101, 20)); ax.set_ylim(0.885, 0.925)
ax.set_xlabel('pacemakers kept in the reconstruction (%)'); ax.set_ylabel('heart size r, reader(x) vs reader(G(E(x)))')
ax.set_title('Encoders of the shipped G_ema, 2,000 phantom test images\n(hollow: misses the effusion or agreement bar)', fontsize=10); ax.legend(loc='lower left', fontsize=8)
fig.tight_layout()
for ext in ('png', 'pdf'): fig.savefig(here/f'tradeoff.{ext}', dpi=150, **({'metadata': {'CreationDate': None}} if ext == 'pdf' else {}))
print('wrote', here/'tradeoff.png')
