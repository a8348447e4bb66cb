"""Where does this StyleEx keep what its classifiers decide? (evidence for the searches' ceiling; not part of the main job)

StyleEx feeds the classifiers' logits c to every style affine: styles = A([w, c]). For each phantom classifier this
script takes the searched test images it does not assign to its finding (the same seeded choice as the search commands)
and decodes them again with c replaced by the mean c of the images it does assign (its own two logits only, then the
whole c), and reports:
  - flipped: the share of those images the classifier then calls positive;
  - channels for 50 / 80 / 95%: how many of the StyleSpace coordinates carry that share of the style change
    the swap causes (sum of squares); a search that moves one coordinate at a time (AttFind) can only reach what
    one channel carries;
  - top-8 only: flipped when just the 8 coordinates most changed by the whole swap take their swapped value.
Usage: python checkpoints/phantom/conditioning_swap.py MANIFEST [--n-images 100] [--out FILE.md]
"""
import argparse, sys
from pathlib import Path
import torch
from chexplaining.core import atomic_path, markdown_table
from chexplaining.explain import load_explainer, search_images
from chexplaining.styleex import to_unit

HERE = Path(__file__).resolve().parent
CLASSIFIERS = ['cardiomegaly', 'pleural_effusion', 'atelectasis', 'cardiomegaly_shortcut']

@torch.no_grad()
def decode_probs(sx, explained, styles):
    G = sx.G
    return explained(to_unit(G.synthesize(G.unflatten_styles(styles))).clamp(0, 1))

@torch.no_grad()
def swap_row(name, manifest, n_images):
    sx, cond, explained, _, rec = load_explainer(HERE/'styleex.pt', HERE/f'{name}.pt')
    enc = search_images(sx, cond, explained, manifest, n_images=n_images)
    neg = enc.p_rec <= 0.5
    if (~neg).sum() == 0: raise SystemExit(f'{name}: no searched image is assigned to the finding; raise --n-images')
    G, ws, c = sx.G, enc.ws[neg], enc.c[neg]
    c_pos = enc.c[~neg].mean(0, keepdim=True)
    own = [i for i, r in enumerate(cond.records) if r['sha256'] == rec.get('sha256')] or [cond.names.index(explained.name)]
    own_c = c.clone(); own_c[:, 2 * own[0]:2 * own[0] + 2] = c_pos[:, 2 * own[0]:2 * own[0] + 2]
    row = {'classifier': name, 'images': int(neg.sum()),
           'median p': f'{decode_probs(sx, explained, enc.styles[neg]).median():.1e}'}
    for label, c_new in (('its logits', own_c), ('whole c', c_pos.expand_as(c))):
        st = G.flatten_styles(G.styles(ws, c_new))
        row[f'flipped, {label} swapped'] = f'{(decode_probs(sx, explained, st) > 0.5).float().mean():.0%}'
        if label == 'whole c':
            change = (st - enc.styles[neg]).square().mean(0)
            share = change.sort(descending=True).values.cumsum(0) / change.sum()
            for q in (0.5, 0.8, 0.95): row[f'channels for {q:.0%}'] = int((share < q).sum()) + 1
            top = change.topk(8).indices
            part = enc.styles[neg].clone(); part[:, top] = st[:, top]
            row['flipped, top-8 channels only'] = f'{(decode_probs(sx, explained, part) > 0.5).float().mean():.0%}'
    row['of channels'] = enc.styles.shape[1]
    return row

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('manifest'); ap.add_argument('--n-images', type=int, default=100); ap.add_argument('--out')
    a = ap.parse_args()
    torch.manual_seed(0)
    rows = [swap_row(n, a.manifest, a.n_images) for n in CLASSIFIERS]
    text = markdown_table([list(r.values()) for r in rows], list(rows[0])) + '\n'
    print(text)
    if a.out:
        with atomic_path(a.out) as tmp: Path(tmp).write_text(text)
