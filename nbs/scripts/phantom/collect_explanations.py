"""Copy the small result files of an `explain.sh` run into `explanations/` beside this file and write the comparison
of every run (`methods.csv`, full precision; `methods.md`, three significant digits).
    python nbs/scripts/phantom/collect_explanations.py runs/explain
"""
import shutil, sys
from pathlib import Path
from chexplaining.core import atomic_path, atomic_write, markdown_table
from chexplaining.groundtruth import methods_table

KEEP = ('attributes.json', 'attributes.csv', 'groundtruth.json', 'factor_effects.csv', 'amount_sweep.csv', 'amount_sweep.png')

def main(src: str):
    src, dst = Path(src), Path(__file__).resolve().parents[3]/'checkpoints'/'phantom'/'explanations'
    runs = sorted(p for p in src.iterdir() if (p/'attributes.json').is_file())
    if not runs: sys.exit(f'{src}: no search folders (attributes.json) in it; give the OUT of explain.sh')
    for r in runs:
        (dst/r.name).mkdir(parents=True, exist_ok=True)
        for n in KEEP:
            if (r/n).is_file():
                with atomic_path(dst/r.name/n) as tmp: shutil.copyfile(r/n, tmp)
    t = methods_table(runs); t.insert(0, 'run', [r.name for r in runs])
    with atomic_write(dst/'methods.csv') as f: t.to_csv(f, index=False)
    show = t.drop(columns=['fid_extractor'], errors='ignore')
    fmt = lambda v: f'{v:.3g}' if isinstance(v, float) else str(v)
    rows = [[fmt(v) for v in row] for row in show.itertuples(index=False)]
    with atomic_write(dst/'methods.md') as f: f.write(markdown_table(rows, show.columns) + '\n')
    print(f'{len(runs)} runs -> {dst}')

if __name__ == '__main__': main(sys.argv[1] if len(sys.argv) > 1 else 'runs/explain')
