"""Benchmark: items/s of CXRDataset reading image files vs reading the on-disk cache, and cache build speed.

Makes N CheXpert-small-like JPEGs (about 320 x 390, 8-bit, cut from the real radiograph pydicom-data ships, with
noise so that no two are alike) plus a few full-size (2500 x 3000) ones, then times:
  - build_cache (decode + resize every image once),
  - CXRDataset[i] over every item, from files and from the cache,
  - a DataLoader pass (batch 256, no workers) from the cache,
  - load_image on full-size JPEGs with and without reduced-scale (DCT) decoding.
Usage: python benchmarks/bench_dataset.py [--n 2000] [--size 64]
"""
import argparse, shutil, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd, torch
from PIL import Image
from pydicom.data import get_testdata_file
from chexplaining.images import load_image, load_square, resize_center_crop
from chexplaining.schema import write_manifest
from chexplaining.dataset import CXRDataset, build_cache


def make_images(root: Path, n: int, shape=(390, 320), full: int = 8):
    base = load_image(get_testdata_file('RG1_UNCR.dcm')).astype(np.float32) / 257
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n + full):
        big = i >= n
        h, w = (3000, 2500) if big else shape
        y0, x0 = rng.integers(0, 200, 2)
        crop = base[y0:y0 + 1700, x0:x0 + 1600]
        img = np.asarray(Image.fromarray(crop, 'F').resize((w, h), Image.Resampling.BILINEAR))
        img = np.clip(img * rng.uniform(0.8, 1.1) + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)
        rel = f'{"full" if big else "small"}/p{i:05d}/view1_frontal.jpg'
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img).save(root / rel, quality=90)
        rows.append((rel, f'p{i:05d}', 's1', 'PA', 1, 'train', 'F', 50, float(i % 3 == 0), float(i % 3 != 0)))
    cols = ['image', 'patient_id', 'study_id', 'view', 'frontal', 'split', 'sex', 'age', 'Cardiomegaly', 'No Finding']
    df = pd.DataFrame(rows, columns=cols)
    write_manifest(df[~df.image.str.startswith('full')], root / 'manifest.csv')
    return df[df.image.str.startswith('full')].image.tolist()


def rate(fn, n):
    t = time.perf_counter(); fn(); dt = time.perf_counter() - t
    return n / dt, dt


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--n', type=int, default=2000); ap.add_argument('--size', type=int, default=64)
    a = ap.parse_args()
    torch.set_num_threads(1)
    root = Path(tempfile.mkdtemp(prefix='bench_dataset_'))
    t = time.perf_counter(); full = make_images(root, a.n); print(f'made {a.n} + {len(full)} JPEGs in {time.perf_counter() - t:.1f} s under {root}')
    m = root / 'manifest.csv'

    files = CXRDataset(m, size=a.size, cache=None)
    r_files, _ = rate(lambda: [files[i] for i in range(len(files))], len(files))
    r_build, dt_build = rate(lambda: build_cache(m, size=a.size, progress=False), a.n)
    cached = CXRDataset(m, size=a.size)
    assert cached.cache_path is not None
    cached[0]  # open the memory map
    r_cache, _ = rate(lambda: [cached[i] for i in range(len(cached))], len(cached))
    r_cache2, _ = rate(lambda: [cached[i] for i in range(len(cached))], len(cached))
    dl = torch.utils.data.DataLoader(cached, batch_size=256, shuffle=True)
    r_dl, _ = rate(lambda: [b for b in dl], len(cached))
    assert all(torch.equal(files[i]['img'], cached[i]['img']) for i in range(0, len(files), max(1, len(files) // 50)))

    print(f'\nCXRDataset at {a.size} px, {a.n} images of ~320x390 (CheXpert-small-like), 1 process:')
    print(f'  read from files        {r_files:10.0f} items/s')
    print(f'  build_cache            {r_build:10.0f} images/s ({dt_build:.1f} s, threads)')
    print(f'  read from cache        {r_cache:10.0f} items/s (first pass), {r_cache2:.0f} items/s (second)')
    print(f'  DataLoader from cache  {r_dl:10.0f} items/s (batch 256, shuffle, num_workers=0)')
    print(f'  cache / files          {r_cache2 / r_files:10.1f} x')

    k = len(full)
    r_full, _ = rate(lambda: [load_image(root / p) for p in full], k)
    r_draft, _ = rate(lambda: [load_image(root / p, min_side=2 * a.size) for p in full], k)
    r_sq, _ = rate(lambda: [load_square(root / p, a.size) for p in full], k)
    r_sq_nodraft, _ = rate(lambda: [resize_center_crop(load_image(root / p), a.size) for p in full], k)
    print(f'\nFull-size 2500x3000 JPEG ({k} files):')
    print(f'  load_image full decode {r_full:10.1f} images/s')
    print(f'  load_image min_side={2 * a.size:<4d}{r_draft:10.1f} images/s (reduced-scale DCT decode)')
    print(f'  load_square            {r_sq:10.1f} images/s (what the dataset and cache use)')
    print(f'  decode + resize, no reduced-scale decode {r_sq_nodraft:.1f} images/s')
    shutil.rmtree(root)


if __name__ == '__main__':
    main()
