"""Benchmark: time to build the manifest of the full public CheXpert train release and of NIH ChestX-ray14.

Uses the real metadata torchxrayvision's wheel ships (CheXpert's train.csv: 223,414 rows, 64,540 patients; NIH's
Data_Entry_2017_v2020.csv: 112,120 rows, 30,805 patients) and a temporary folder holding an empty file at every
image path (existence is all `build_manifest` checks without --verify). Prints the time to make the empty files
(not part of the build), then for each release: reading + parsing the label files, the whole build (parse, splits,
existence check, validation, atomic write), rows written and output size.
Usage: python benchmarks/bench_manifest.py [--keep]
"""
import argparse, gzip, importlib.util, os, shutil, tempfile, time
from pathlib import Path
import chexplaining.sources as S


def make_tree(root: Path, rel_paths):
    for rel in rel_paths:
        p = root/rel
        p.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))


def main(keep: bool = False):
    data = Path(importlib.util.find_spec('torchxrayvision').origin).parent/'data'   # the real metadata the wheel ships
    tmp = Path(tempfile.mkdtemp(prefix='bench_manifest_'))
    try:
        # CheXpert: train.csv at the root, images under train/
        croot = tmp/'CheXpert-v1.0-small'; croot.mkdir()
        (croot/'train.csv').write_bytes(gzip.decompress((data/'chexpert_train.csv.gz').read_bytes()))
        t = time.perf_counter(); rows = S._read_chexpert_csv(croot/'train.csv', ''); t_parse = time.perf_counter() - t
        t = time.perf_counter(); make_tree(croot, rows['image']); t_tree = time.perf_counter() - t
        t = time.perf_counter(); m = S.build_manifest('chexpert', croot, tmp/'chexpert.csv', progress=False); t_build = time.perf_counter() - t
        print(f'chexpert: {len(rows):,} rows; empty image files made in {t_tree:.1f} s (setup, not timed below)')
        print(f'chexpert: parse train.csv {t_parse:.2f} s; build_manifest {t_build:.2f} s; {len(m):,} rows, '
              f'{m.patient_id.nunique():,} patients, {m.attrs["summary"]["images_per_split"]}; '
              f'{(tmp/"chexpert.csv").stat().st_size / 2**20:.1f} MiB')
        # NIH: Data_Entry at the root, images spread over images_001/images ... images_012/images as distributed
        nroot = tmp/'nih'; nroot.mkdir()
        (nroot/'Data_Entry_2017_v2020.csv').write_bytes(gzip.decompress((data/'Data_Entry_2017_v2020.csv.gz').read_bytes()))
        t = time.perf_counter(); rows = S._read_nih_entry(nroot/'Data_Entry_2017_v2020.csv'); t_parse = time.perf_counter() - t
        names = list(rows['image'])
        make_tree(nroot, [f'images_{1 + i * 12 // len(names):03d}/images/{n}' for i, n in enumerate(names)])
        t = time.perf_counter(); m = S.build_manifest('nih', nroot, tmp/'nih.csv', progress=False); t_build = time.perf_counter() - t
        print(f'nih: parse Data_Entry_2017_v2020.csv {t_parse:.2f} s; build_manifest {t_build:.2f} s; {len(m):,} rows, '
              f'{m.patient_id.nunique():,} patients, {m.attrs["summary"]["images_per_split"]} (no test_list.txt: xrv does not ship it); '
              f'{(tmp/"nih.csv").stat().st_size / 2**20:.1f} MiB')
    finally:
        if keep: print(f'kept {tmp}')
        else: shutil.rmtree(tmp)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--keep', action='store_true', help='keep the temporary folder')
    main(**vars(ap.parse_args()))
