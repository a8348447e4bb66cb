"""README.md is made from nbs/index.ipynb, so the two cannot drift: its markdown cells before the first code cell, as
they are (nbdev's `nbdev_readme` renders the same cells with Quarto where Quarto is installed; the code cells below them
are hidden project checks).
    python nbs/scripts/readme.py           # write README.md
    python nbs/scripts/readme.py --check   # exit 1 when README.md is not what index.ipynb makes (CI)
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

def readme_text(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    "The README that `nb_path` makes: its leading markdown cells, one blank line between them."
    cells = json.loads(Path(nb_path).read_text(encoding='utf-8'))['cells']
    lead = []
    for c in cells:
        if c['cell_type'] != 'markdown': break
        lead.append(''.join(c['source']).strip('\n'))
    if not lead: sys.exit(f'{nb_path}: no markdown cell before the first code cell; the README is made from them')
    return '\n\n'.join(lead) + '\n'

def main(args):
    text, out = readme_text(), ROOT/'README.md'
    if '--check' in args:
        if out.read_text(encoding='utf-8') != text:
            sys.exit('README.md is not what nbs/index.ipynb makes: edit nbs/index.ipynb, then run python nbs/scripts/readme.py')
        print('README.md = nbs/index.ipynb'); return
    tmp = out.with_name('.README.md.tmp'); tmp.write_text(text, encoding='utf-8'); tmp.replace(out)
    print(f'README.md written from nbs/index.ipynb ({len(text.encode()) / 1024:.1f} KB)')

if __name__ == '__main__': main(sys.argv[1:])
