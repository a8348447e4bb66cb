"""Where does the shipped phantom StyleEx keep what its classifiers decide? (`search.conditioning_spread` on each classifier)

For each phantom classifier: the searched test images it does not assign to its finding (the same seeded choice as
the search commands), decoded again with the classifiers' logits c replaced by the mean c of the images it does
assign (its own two logits only, then the whole c): how many flip, over how many StyleSpace channels the style change
spreads, and how many flip when only the 8 most changed channels are swapped. The main job writes the same table
(`figures/tables/phantom_conditioning`) for its 50 images per classifier.
Usage: python nbs/scripts/phantom/conditioning_swap.py MANIFEST [--n-images 100] [--out FILE.md]
"""
import argparse
from pathlib import Path
from chexplaining.core import atomic_path, markdown_table
from chexplaining.explain import load_explainer, search_images
from chexplaining.search import conditioning_columns, conditioning_spread

HERE = Path(__file__).resolve().parents[3]/'checkpoints'/'phantom'   # the shipped models
CLASSIFIERS = ['cardiomegaly', 'pleural_effusion', 'atelectasis', 'cardiomegaly_shortcut']
HEADER = ['classifier', 'images', 'median p', 'flipped, its logits swapped', 'flipped, whole c swapped', 'channels for 50%',
          'channels for 80%', 'channels for 95%', 'flipped, top-8 channels only', 'of channels']

def swap_row(name, manifest, n_images):
    sx, cond, explained, _, record = load_explainer(HERE/'styleex.pt', HERE/f'{name}.pt')
    enc = search_images(sx, cond, explained, manifest, n_images=n_images)
    s = conditioning_spread(sx, explained, enc, own=conditioning_columns(cond, record), top=8)
    pct = lambda v: f'{v:.0%}'
    return [name, s['images'], f"{s['p_median']:.1e}", pct(s['flipped_own']), pct(s['flipped_all']), s['channels_50'],
            s['channels_80'], s['channels_95'], pct(s['flipped_top']), s['channels']]

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('manifest'); ap.add_argument('--n-images', type=int, default=100); ap.add_argument('--out')
    a = ap.parse_args()
    text = markdown_table([swap_row(n, a.manifest, a.n_images) for n in CLASSIFIERS], HEADER) + '\n'
    print(text)
    if a.out:
        with atomic_path(a.out) as tmp: Path(tmp).write_text(text)
