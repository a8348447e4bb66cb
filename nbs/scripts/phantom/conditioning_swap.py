"""Where does the shipped phantom StyleEx keep what its classifiers decide? (`search.conditioning_spread` on each classifier)

For each phantom classifier: the searched test images it does not assign to its finding (the same seeded choice as
the search commands), decoded again with the classifiers' logits c replaced by the mean c of the images it does
assign (its own two logits only, then the whole c): how many flip, over how many StyleSpace channels the style change
spreads, and how many flip when only the 8 most changed channels are swapped. The main job writes the same table
(`figures/tables/phantom_conditioning`) for its 50 images per classifier. `--styleex` measures another model trained
for the shipped classifiers (`nbs/scripts/gpu/gpu_session.sh` compares its GPU-trained one with the shipped one).
Usage: python nbs/scripts/phantom/conditioning_swap.py MANIFEST [--n-images 100] [--out FILE.md] [--json FILE.json]
                                                                [--styleex MODEL.pt] [--classifiers NAME ...] [--device auto]
"""
import argparse, json
from pathlib import Path
from chexplaining.core import ChexError, atomic_path, markdown_table, get_device
from chexplaining.explain import load_explainer, search_images
from chexplaining.search import conditioning_columns, conditioning_spread

HERE = Path(__file__).resolve().parents[3]/'checkpoints'/'phantom'   # the shipped models
CLASSIFIERS = ['cardiomegaly', 'pleural_effusion', 'atelectasis', 'cardiomegaly_shortcut']
HEADER = ['classifier', 'images', 'median p', 'flipped, its logits swapped', 'flipped, whole c swapped', 'channels for 50%',
          'channels for 80%', 'channels for 95%', 'flipped, top-8 channels only', 'of channels']

def spread(name, manifest, n_images, styleex=HERE/'styleex.pt', device='cpu') -> dict:
    "`conditioning_spread` of `styleex` for the shipped classifier `name` on `n_images` searched test images."
    sx, cond, explained, _, record = load_explainer(styleex, HERE/f'{name}.pt', device=device)
    enc = search_images(sx, cond, explained, manifest, n_images=n_images)
    return {'classifier': name, 'styleex': str(styleex), 'step': sx.info.get('step'),
            **conditioning_spread(sx, explained, enc, own=conditioning_columns(cond, record), top=8)}

def swap_row(s: dict) -> list:
    pct = lambda v: f'{v:.0%}'
    return [s['classifier'], s['images'], f"{s['p_median']:.1e}", pct(s['flipped_own']), pct(s['flipped_all']), s['channels_50'],
            s['channels_80'], s['channels_95'], pct(s['flipped_top']), s['channels']]

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('manifest'); ap.add_argument('--n-images', type=int, default=100); ap.add_argument('--out')
    ap.add_argument('--json', help='also write every figure (full precision) as JSON')
    ap.add_argument('--styleex', default=str(HERE/'styleex.pt'), help='the StyleEx to measure (default: the shipped one)')
    ap.add_argument('--classifiers', nargs='+', default=CLASSIFIERS, help='shipped classifiers (names in checkpoints/phantom)')
    ap.add_argument('--device', default='cpu', help='cpu (default), cuda or auto')
    a = ap.parse_args()
    dev = get_device(a.device)
    rows = []
    for n in a.classifiers:
        try: rows.append(spread(n, a.manifest, a.n_images, a.styleex, str(dev)))
        except ChexError as e:   # e.g. no image of the search is assigned to the finding (a barely trained model): as the main job
            print(f'{n}: {e}'); rows.append({'classifier': n, 'styleex': str(a.styleex), 'error': str(e)})
    text = markdown_table([swap_row(s) for s in rows if 'error' not in s], HEADER) + '\n'
    print(text)
    if a.out:
        with atomic_path(a.out) as tmp: Path(tmp).write_text(text)
    if a.json:
        with atomic_path(a.json) as tmp: Path(tmp).write_text(json.dumps(rows, indent=1) + '\n')
