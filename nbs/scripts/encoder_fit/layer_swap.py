"""Which W+ layers decide heart size and the pacemaker: take layer l of w from another image, read the factors.
Run from the repository root: python nbs/scripts/encoder_fit/layer_swap.py checkpoints/phantom/styleex.pt 600
(the phantom made by `chexplaining phantom --n 20000 --size 64 --seed 0 --out data/phantom`; PHANTOM= to point elsewhere)"""
import os
import torch, numpy as np, sys
from chexplaining.styleex import load_styleex
from chexplaining.quality import conditioning_classifiers
from chexplaining.reader import load_reader
from chexplaining.dataset import CXRDataset
torch.set_num_threads(2); torch.set_grad_enabled(False)
A = load_styleex(sys.argv[1]); n = int(sys.argv[2])
cond, _ = conditioning_classifiers(A, None, 'cpu')
rd = load_reader('checkpoints/phantom/reader.pt', 'cpu'); names = rd.factor_names
ds = CXRDataset(os.environ.get('PHANTOM', 'data/phantom/manifest.csv'), None, split='test', views='all', size=64, cache='auto')
idx = np.sort(torch.randperm(len(ds), generator=torch.Generator().manual_seed(0)).numpy()[:n])
x = torch.stack([ds[int(i)]['img'] for i in idx]); ws, c = A.encode(x), cond(x)
fx = rd(x); jp, jh = names.index('gt_pacemaker'), names.index('gt_ctr'); has = fx[:, jp] > 0.5
perm = torch.roll(torch.arange(n), 1)
def rd_dec(w): return torch.cat([rd(A.decode(w[i:i+100], c[i:i+100]).clamp(0, 1)) for i in range(0, n, 100)])
def show(w, lab):
    fr = rd_dec(w); r = lambda a, b: np.corrcoef(a, b)[0, 1]
    print(f"{lab:14s} heart r(own) {r(fx[:, jh], fr[:, jh]):.3f} r(donor) {r(fx[perm, jh], fr[:, jh]):.3f}  pm kept {(fr[has, jp] > .5).float().mean():.2f} "
          f"pm from donor {(fr[has[perm], jp] > .5).float().mean():.2f}", flush=True)
show(ws, 'none')
for l in range(ws.shape[1]):
    w = ws.clone(); w[:, l] = ws[perm, l]; show(w, f'layer {l}')
for a, b in [(0, 2), (0, 3), (2, 5), (3, 6), (6, 10)]:
    w = ws.clone(); w[:, a:b] = ws[perm, a:b]; show(w, f'layers {a}-{b-1}')
