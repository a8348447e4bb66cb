"""AttFind speed against the public implementations' loop, on the same checkpoint, images and coordinates.

The public implementations (Google's StyleEx notebook, the paper's code, the 2022 reproducibility study) evaluate an
AttFind edit by writing it into the affine layer's bias in place and running the whole generator, from w, on one
image: one generator pass per image x coordinate x direction. This script runs that loop (`public-loop`) and this
project's AttFind in both modes on the same images and coordinates, and prints time, generated images and ratios:

- `exact`: every edit, batched, synthesis restarted after the edited layer from cached activations;
- `screened`: one backward pass per image ranks every edit by a first-order estimate; the best --m are evaluated exactly.

It also prints how often the screened per-image top-k (by effect) equals the exact one, and EigenFind's and latent
shift's time on the same images.

    python benchmarks/bench_search.py [--styleex checkpoints/phantom/styleex.pt] [--classifier checkpoints/phantom/cardiomegaly.pt]
        [--manifest /path/phantom/manifest.csv] [--n-images 2] [--m 64] [--top-k 8] [--threads 1] [--device auto]

Without --manifest the images are rendered from the phantom (seeded), so the script runs on a fresh clone.
"""
import argparse, time
import torch
from chexplaining.core import get_device, set_threads
from chexplaining.explain import load_explainer
from chexplaining.search import (encode_images, style_bounds, attfind_targets, style_edit_probs, style_gradients,
                                 screen_attributes, eigenfind, latent_shift, style_steps)
from chexplaining.styleex import to_unit


def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()


@torch.no_grad()
def public_loop(sx, explained, enc, new, dev):
    "One generator pass per (image, coordinate, direction), the edit written into the affine bias in place."
    G = sx.G
    steps = style_steps(G)
    offsets = torch.cumsum(torch.tensor([0] + G.style_dims), 0)
    N, D = enc.styles.shape
    probs = torch.empty(N, D, 2)
    for i in range(N):
        w, c = enc.ws[i:i + 1].to(dev), enc.c[i:i + 1].to(dev)
        for j in range(D):
            k = int(steps[j]); ch = j - int(offsets[k])
            aff = G.steps[k].affine
            for d in range(2):
                delta = float(new[i, j, d] - enc.styles[i, j])
                old = aff.bias.data[ch].clone()
                aff.bias.data[ch] += delta / aff.bias_gain           # the style is affine(w) = W w + b * bias_gain
                img = G(w, c)
                probs[i, j, d] = explained(to_unit(img).clamp(0, 1)).cpu()[0]
                aff.bias.data[ch] = old
    return probs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--styleex', default='checkpoints/phantom/styleex.pt')
    ap.add_argument('--classifier', default='checkpoints/phantom/cardiomegaly.pt')
    ap.add_argument('--manifest', default=None, help='images to search (default: a seeded phantom rendered here)')
    ap.add_argument('--n-images', type=int, default=2)
    ap.add_argument('--m', type=int, default=64)
    ap.add_argument('--top-k', type=int, default=8)
    ap.add_argument('--batch', type=int, default=256)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--device', default='auto')
    ap.add_argument('--no-loop', action='store_true', help='skip the public loop (slow on the CPU)')
    ap.add_argument('--agreement-images', type=int, default=0,
                    help='also run AttFind exact and screened (M = --m and 4 x --m) on this many images and compare their greedy top-k')
    a = ap.parse_args()
    set_threads(a.threads)
    dev = get_device(a.device)
    sx, cond, explained, warn, _ = load_explainer(a.styleex, a.classifier, None, dev)
    if a.manifest:
        from chexplaining.dataset import CXRDataset
        ds = CXRDataset(a.manifest, split='test', views='all', size=sx.resolution, cache='auto')
        x = torch.stack([ds[i]['img'] for i in range(min(len(ds), 400))])
    else:
        from chexplaining.phantom import phantom_factors, render_phantom, phantom_noise_seed
        f = phantom_factors(400, seed=1)
        cols = [c for c in f if c.startswith('gt_')]
        x = torch.stack([torch.from_numpy(render_phantom(r, sx.resolution, phantom_noise_seed(1, i)))[None]
                         for i, r in enumerate(f[cols].to_dict('records'))])
    enc_all = encode_images(sx, cond, explained, x)
    lo, hi = style_bounds(enc_all.styles)                         # dataset bounds from all 400 images
    enc = enc_all.subset(torch.nonzero(enc_all.p_rec <= 0.5)[:, 0][:a.n_images])
    N, D = enc.styles.shape
    new = attfind_targets(enc.styles, lo, hi, 1.0)
    print(f'{a.styleex}: {D} StyleSpace coordinates, {N} images not assigned to {explained.target}; device {dev}, '
          f'{torch.get_num_threads()} threads')
    rows = []

    def run(name, fn):
        sync(dev); t = time.perf_counter(); out = fn(); sync(dev)
        rows.append((name, time.perf_counter() - t)); return out

    counter = {}
    image = torch.arange(N).repeat_interleave(2 * D)
    coord = torch.arange(D).repeat_interleave(2).repeat(N)
    dd = torch.tensor([0, 1]).repeat(N * D)
    ex = run('exact', lambda: style_edit_probs(sx.G, explained, enc.styles, image, coord, new[image, coord, dd], batch=a.batch,
                                               counter=counter)).reshape(N, D, 2)
    n_exact = counter['images']

    def screened():
        g, p = style_gradients(sx.G, explained, enc.styles)
        attrs = screen_attributes(g, enc.styles, new, p, a.m)
        c2 = attrs // 2
        im = torch.arange(N).repeat_interleave(len(attrs))
        cc, d2 = c2.repeat(N), (attrs % 2).repeat(N)
        return attrs, style_edit_probs(sx.G, explained, enc.styles, im, cc, new[im, cc, d2], batch=a.batch).reshape(N, len(attrs))
    attrs, sp = run('screened', screened)
    n_screened = N * len(attrs)
    if not a.no_loop:
        lp = run('public loop', lambda: public_loop(sx, explained, enc, new, dev))
        err = float((lp - ex).abs().max())
    # agreement: per image, the screened top-k edits (by effect) against the exact top-k
    eff_exact = (ex - enc.p_rec.reshape(-1, 1, 1)).reshape(N, 2 * D)
    screened_full = torch.full((N, 2 * D), -1.0); screened_full[:, attrs] = sp - enc.p_rec.reshape(-1, 1)
    k = a.top_k
    same_set = [set(torch.topk(eff_exact[i], k).indices.tolist()) == set(torch.topk(screened_full[i], k).indices.tolist()) for i in range(N)]
    overlap = [len(set(torch.topk(eff_exact[i], k).indices.tolist()) & set(torch.topk(screened_full[i], k).indices.tolist())) / k for i in range(N)]
    run('eigenfind (20 directions)', lambda: eigenfind(sx, explained, enc, k=min(8, 40), batch=a.batch))
    run('latent shift (16 steps)', lambda: latent_shift(sx, explained, enc, batch=a.batch))
    if a.agreement_images:
        from chexplaining.search import attfind
        e2 = enc_all.subset(torch.nonzero(enc_all.p_rec <= 0.5)[:, 0][:a.agreement_images])
        ex_res = attfind(sx, explained, e2, mode='exact', k=a.top_k, bounds_from=enc_all.styles, batch=a.batch)
        print(f'\ngreedy top-{a.top_k} on {len(e2)} images: exact {ex_res.info["seconds"]:.0f} s, explains {100 * ex_res.coverage[-1]:.0f}%')
        for m in (a.m, 4 * a.m):
            sc = attfind(sx, explained, e2, mode='screened', m=m, k=a.top_k, bounds_from=enc_all.styles, batch=a.batch)
            same = set(sc.attributes.id) == set(ex_res.attributes.id)
            ov = len(set(sc.attributes.id) & set(ex_res.attributes.id)) / max(1, len(ex_res.attributes))
            print(f'screened M={m}: {sc.info["seconds"]:.0f} s, explains {100 * sc.coverage[-1]:.0f}%; top-{a.top_k} set equal to exact: {same}; '
                  f'overlap {100 * ov:.0f}%; first attribute equal: {sc.attributes.id.iloc[0] == ex_res.attributes.id.iloc[0]}')
    t = dict(rows)
    base = t.get('public loop')
    print(f"\n{'method':<28}{'seconds':>10}{'generated images':>18}{'vs public loop':>16}")
    imgs = {'public loop': N * 2 * D, 'exact': n_exact, 'screened': n_screened}
    for name, sec in rows:
        ratio = f'{base / sec:.1f}x faster' if base else '-'
        print(f"{name:<28}{sec:>10.1f}{imgs.get(name, ''):>18}{ratio:>16}")
    if base: print(f'\nexact == public loop: largest probability difference {err:.2e}')
    print(f'screened (M={a.m}) per-image top-{k} equal to exact in {sum(same_set)}/{N} images; mean overlap {100 * sum(overlap) / N:.0f}%')


if __name__ == '__main__':
    main()
