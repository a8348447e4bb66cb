"""Benchmark: images/s of `make_phantom` (draw factors, render, encode PNG, write files and the manifest).

Target: 5,000 images at 64 px in under a minute on a shared 2-core machine. Renders the same data set with one
thread and with the automatic number of threads and checks that both give the same bytes.
Usage: python benchmarks/bench_phantom.py [--n 5000] [--size 64] [--seed 0] [--shortcut pacemaker:Cardiomegaly:0.9]
"""
import argparse, os, shutil, tempfile, time, hashlib
from pathlib import Path
from chexplaining.phantom import make_phantom, phantom_factors


def folder_digest(d: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(d.rglob('*')):
        if p.is_file(): h.update(p.relative_to(d).as_posix().encode()); h.update(p.read_bytes())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=5000)
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--shortcut', nargs='*', default=[])
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix='bench_phantom_'))
    try:
        t = time.perf_counter(); phantom_factors(a.n, a.seed, a.shortcut); t_f = time.perf_counter() - t
        print(f'factors only: {a.n / t_f:,.0f} patients/s')
        digests = {}
        for workers in (1, 0):
            out = tmp / f'w{workers}'
            t = time.perf_counter()
            make_phantom(out, n=a.n, size=a.size, seed=a.seed, shortcuts=a.shortcut, workers=workers, progress=False)
            dt = time.perf_counter() - t
            digests[workers] = folder_digest(out)
            label = '1 thread' if workers == 1 else f'auto ({min(4, os.cpu_count() or 1)} threads)'
            print(f'make_phantom n={a.n} size={a.size} {label}: {dt:.1f} s, {a.n / dt:,.0f} images/s')
        print('same bytes with 1 and auto threads:', digests[1] == digests[0])
        print(f'cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
