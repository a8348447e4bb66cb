"""Copy the small result files of an `explain.sh` run into `checkpoints/phantom/explanations/` and write the comparison
of every run (`methods.csv`, full precision; `methods.md`, three significant digits).
    python nbs/scripts/phantom/collect_explanations.py runs/explain
Each `attributes.json` is rewritten for where it now lives: its manifest recorded relative to it, with the manifest's
sha256, and the StyleEx's generator and StyleSpace layout (files written before the search recorded them get them here).
"""
import json, os, shutil, sys
from pathlib import Path
from chexplaining.core import atomic_path, atomic_write, atomic_save_json, markdown_table
from chexplaining.groundtruth import methods_table
from chexplaining.schema import manifest_hash

KEEP = ('attributes.csv', 'groundtruth.json', 'factor_effects.csv', 'amount_sweep.csv', 'amount_sweep.png')
ROOT = Path(__file__).resolve().parents[3]

def relocated(att: dict, src: Path, dst: Path, styleex_records: dict) -> dict:
    "The attributes `att` of folder `src`, as recorded in folder `dst`."
    rec = att.get('manifest')
    found = next((p for p in ([src/rec, Path(rec), ROOT/rec] if rec else []) if p.is_file()), None)
    if found is None: sys.exit(f'{src}/attributes.json: its manifest {rec} is not there; run from the folder explain.sh ran in')
    att = dict(att, manifest=os.path.relpath(found.resolve(), dst.resolve()), manifest_sha256=manifest_hash(found))
    sx = att.get('styleex') or {}
    if 'generator_sha256' not in sx:   # written before searches recorded it: the model is the one named, loaded once
        from chexplaining.styleex import load_styleex
        from chexplaining.explain import styleex_record
        path = next(p for p in (src/sx['path'], Path(sx['path']), ROOT/sx['path']) if p.exists())
        if path not in styleex_records: styleex_records[path] = styleex_record(load_styleex(path, 'cpu'))
        att['styleex'] = dict(styleex_records[path], path=sx['path'], step=sx.get('step'))
    return att

def main(src: str):
    src, dst = Path(src), ROOT/'checkpoints'/'phantom'/'explanations'
    runs = sorted(p for p in src.iterdir() if (p/'attributes.json').is_file())
    if not runs: sys.exit(f'{src}: no search folders (attributes.json) in it; give the OUT of explain.sh')
    models = {}
    for r in runs:
        (dst/r.name).mkdir(parents=True, exist_ok=True)
        for n in KEEP:
            if (r/n).is_file():
                with atomic_path(dst/r.name/n) as tmp: shutil.copyfile(r/n, tmp)
        atomic_save_json(relocated(json.loads((r/'attributes.json').read_text()), r, dst/r.name, models), dst/r.name/'attributes.json')
    t = methods_table(runs); t.insert(0, 'run', [r.name for r in runs])
    with atomic_write(dst/'methods.csv') as f: t.to_csv(f, index=False)
    show = t.drop(columns=['fid_extractor'], errors='ignore')
    fmt = lambda v: f'{v:.3g}' if isinstance(v, float) else str(v)
    rows = [[fmt(v) for v in row] for row in show.itertuples(index=False)]
    with atomic_write(dst/'methods.md') as f: f.write(markdown_table(rows, show.columns) + '\n')
    print(f'{len(runs)} runs -> {dst}')

if __name__ == '__main__': main(sys.argv[1] if len(sys.argv) > 1 else 'runs/explain')
