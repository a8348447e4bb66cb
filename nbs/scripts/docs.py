"""Build the documentation site: README.md as the home page, one page per notebook (its prose, code and saved
outputs), the result pages of nbs/docs/ and the studies' READMEs, with a sidebar that follows the pipeline
(data -> classifiers -> StyleEx -> searches -> ground truth -> artefacts -> tools).

    python nbs/scripts/docs.py [--out _docs]

It runs offline with what the `dev` extra installs: nbconvert renders the notebooks, mistune the Markdown, Pygments
colours the code. (nbdev's own `nbdev_docs` needs Quarto, whose PyPI package downloads the Quarto binary from GitHub
when it is installed; see nbs/docs/tools.md.) The site mirrors the repository's layout, so every relative link and
image of a page keeps working: nbs/docs/results.md becomes OUT/nbs/docs/results.html, and the figures a page shows
are copied to OUT/figures/. Open OUT/index.html in a browser; nbs/98_browser.ipynb checks that its images load.
"""
from __future__ import annotations
import argparse, html, os, re, shutil, sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# (section, [source files relative to the repository]); the home page (README.md) comes first, outside any section
SIDEBAR = [
    ('Start here', ['nbs/docs/reproducing.md', 'nbs/docs/results.md']),
    ('Data', ['nbs/00_core.ipynb', 'nbs/01_schema.ipynb', 'nbs/02_sources.ipynb', 'nbs/03_images.ipynb', 'nbs/04_dataset.ipynb',
              'nbs/05_phantom.ipynb', 'nbs/docs/data.md']),
    ('Classifiers', ['nbs/06_distributed.ipynb', 'nbs/07_classifier.ipynb', 'nbs/12_reader.ipynb']),
    ('StyleEx', ['nbs/10_networks.ipynb', 'nbs/11_styleex.ipynb', 'nbs/13_quality.ipynb', 'nbs/docs/styleex.md']),
    ('Searches', ['nbs/14_search.ipynb', 'nbs/15_explain.ipynb', 'nbs/docs/explanations.md']),
    ('Ground truth', ['nbs/16_groundtruth.ipynb', 'nbs/19_reliance.ipynb']),
    ('Artefacts', ['nbs/17_readerstudy.ipynb', 'nbs/18_explorer.ipynb']),
    ('Tools', ['nbs/90_cli.ipynb', 'nbs/docs/tools.md']),
    ('Notebooks to run', ['nbs/train.ipynb', 'nbs/experiments.ipynb', 'nbs/explorer.ipynb']),
    ('Tests', ['nbs/95_faults.ipynb', 'nbs/98_browser.ipynb', 'nbs/99_browser_explorer.ipynb']),
]

CSS = """
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2328; display: flex; }
nav { position: sticky; top: 0; height: 100vh; overflow-y: auto; width: 250px; flex: none; background: #f6f8fa;
      border-right: 1px solid #d0d7de; padding: 16px 12px; box-sizing: border-box; font-size: 14px; }
nav .home { font-weight: 700; font-size: 17px; display: block; margin-bottom: 10px; }
nav h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: #656d76; margin: 14px 0 4px; }
nav a { display: block; padding: 2px 6px; border-radius: 4px; color: #0969da; text-decoration: none; }
nav a:hover { background: #eaeef2; } nav a.here { background: #ddf4ff; font-weight: 600; }
main { flex: 1; min-width: 0; max-width: 1050px; padding: 18px 36px 60px; }
img { max-width: 100%; } table { border-collapse: collapse; margin: 10px 0; font-size: 13px; display: block; overflow-x: auto; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; } th { background: #f6f8fa; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; border-radius: 6px; font-size: 13px; }
code { font-size: 90%; } .input_prompt, .prompt { display: none; }
.output_area pre, .output_text pre { background: #fff; border-left: 3px solid #d0d7de; }
.output_stderr pre { background: #fff8f0; } .cell { margin: 6px 0; }
"""


def pages() -> list[str]:
    "Every page of the site, as source files relative to the repository: the home page, the sidebar, the studies."
    studies = sorted(str(p.relative_to(REPO)) for p in (REPO/'nbs'/'studies').glob('*/README.md'))
    return ['README.md'] + [p for _, ps in SIDEBAR for p in ps] + ['nbs/studies/README.md'] + studies


def target(src: str) -> str:
    "Where source `src` lands in the site (README.md is index.html)."
    return 'index.html' if src == 'README.md' else re.sub(r'\.(md|ipynb)$', '.html', src)


def title_of(src: str) -> str:
    p = REPO/src
    if src == 'README.md': return 'Home'
    if p.suffix == '.md':
        m = re.search(r'^#\s+(.+)$', p.read_text(encoding='utf-8'), re.M)
        return m[1].strip() if m else p.stem
    name = p.stem
    return re.sub(r'^\d+_', '', name).replace('_', ' ')


def sidebar(here: str) -> str:
    rel = lambda t: os.path.relpath(t, os.path.dirname(here) or '.')
    link = lambda src: (f'<a href="{html.escape(rel(target(src)))}"{" class=here" if target(src) == here else ""}>'
                        f'{html.escape(title_of(src))}</a>')
    out = [f'<a class="home" href="{rel("index.html")}">chexplaining</a>']
    for section, srcs in SIDEBAR:
        out.append(f'<h3>{html.escape(section)}</h3>' + ''.join(link(s) for s in srcs if (REPO/s).exists()))
    studies = [p for p in pages() if p.startswith('nbs/studies/') and p != 'nbs/studies/README.md']
    out.append('<h3>Studies</h3>' + link('nbs/studies/README.md') + ''.join(
        f'<a href="{rel(target(s))}">{html.escape(Path(s).parent.name.replace("_", " "))}</a>' for s in studies))
    return '\n'.join(out)


def markdown_html(text: str) -> str:
    import mistune
    return mistune.create_markdown(escape=False, plugins=['table', 'strikethrough', 'url'])(text)


def notebook_html(path: Path) -> str:
    import nbformat
    from nbconvert import HTMLExporter
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not (c.cell_type == 'raw' or c.source.lstrip().startswith('#|hide'))]
    body, _ = HTMLExporter(template_name='basic').from_notebook_node(nb)
    return body


def fix_links(body: str, src: str, linked: list | None = None) -> str:
    """Links from page `src` to .md and .ipynb sources point to their pages (README.md to the home page); the sources
    linked that exist in the repository are appended to `linked` (the site renders them too)."""
    def page(m):
        link, anchor = f'{m[1]}.{m[2]}', m[3] or ''
        dest = os.path.normpath(os.path.join(os.path.dirname(src), link))
        if linked is not None and not dest.startswith('..') and (REPO/dest).is_file(): linked.append(dest)
        return f'href="{os.path.relpath(target(dest), os.path.dirname(target(src)) or ".")}{anchor}"'
    return re.sub(r'href="(?!https?:|#|mailto:)([^"#]+?)\.(md|ipynb)(#[^"]*)?"', page, body)


def local_images(body: str) -> list[str]:
    return [s for s in re.findall(r'<img[^>]*?src="([^"]+)"', body) if not re.match(r'(data:|https?:)', s)]


def build(out: Path, quiet: bool = False) -> list[Path]:
    "Write the site into folder `out` (replaced whole); returns the pages written (those of `pages()` first)."
    from pygments.formatters import HtmlFormatter
    out = Path(out)
    tmp = out.with_name(f'.{out.name}.{os.getpid()}.build')
    shutil.rmtree(tmp, ignore_errors=True)
    css = CSS + HtmlFormatter(style='default').get_style_defs('.highlight')
    written, missing, queue = [], [], [p for p in pages() if (REPO/p).exists()]
    for src in queue:   # the pages, then every Markdown page or notebook they link to (tables, model READMEs, ...)
        p = REPO/src
        body = markdown_html(p.read_text(encoding='utf-8')) if p.suffix == '.md' else notebook_html(p)
        linked = []
        body = fix_links(body, src, linked)
        queue += [d for d in dict.fromkeys(linked) if d not in queue]
        here = target(src)
        for img in local_images(body):   # copy each image to where the page's relative link expects it
            img_src = (p.parent/img).resolve()
            if not img_src.is_file(): missing.append(f'{src}: {img}'); continue
            dst = (tmp/Path(here).parent/img).resolve()
            if tmp.resolve() not in dst.parents: missing.append(f'{src}: {img} (outside the site)'); continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(img_src, dst)
        page = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>{html.escape(title_of(src))} - chexplaining</title><style>{css}</style></head>\n'
                f'<body><nav>{sidebar(here)}</nav><main>{body}</main></body></html>\n')
        (tmp/here).parent.mkdir(parents=True, exist_ok=True)
        (tmp/here).write_text(page, encoding='utf-8')
        written.append(out/here)
        if not quiet: print(f'{src} -> {out/here}')
    if missing: raise SystemExit('docs: images not found:\n  ' + '\n  '.join(missing))
    old = out.with_name(f'.{out.name}.{os.getpid()}.old')
    if out.exists(): out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return written


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(REPO/'_docs'), help='folder of the site (replaced whole; default _docs, git-ignored)')
    a = ap.parse_args()
    n = build(Path(a.out), quiet=True)
    print(f'{len(n)} pages in {a.out}; open {Path(a.out)/"index.html"}')
