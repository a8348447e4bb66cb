"""StyleEx throughput on a GPU (issue 30): what one GPU buys, measured in one process.

1. The generator alone, images/s forward and forward+backward and peak GPU memory, at three sizes: the phantom-cpu
   widths at 64 px, NVlabs stylegan2-ada-pytorch's 64 px reference widths (channel_base 4096, channel_max 256, w_dim
   256, 4 mapping layers; as in bench_styleex.py) and the `paper` preset at 256 px; each with bf16 autocast on and
   off, and with both forms of the modulated convolution (`Generator.grouped`: grouped, one weight per image;
   non-grouped, activations scaled; `modulated_conv2d` in nbs/10_networks.ipynb).
2. A full StyleEx training step (E+G, path length, D, R1, EMA, four random classifiers; bf16 autocast as training
   uses it, the device's default modulated-conv form) for the phantom-cpu and paper presets: images/s and peak
   memory at batches doubled from --start-batch until the GPU runs out of memory, or until the next batch would not
   finish within the preset's share of --budget (the JSON says which stopped the search: out of memory, time budget
   or --max-batch).

    python benchmarks/bench_gpu.py [--out bench_gpu.json] [--budget 90] [--device auto]
    python benchmarks/bench_gpu.py --dry-run       # tiny sizes, a few seconds on a CPU: checks the script itself

Prints a table per section and writes every figure to --out (JSON). Timings: median over --reps repetitions after a
warm-up, the device synchronised around each. On a CPU there is no peak-memory figure (null).
"""
import argparse, dataclasses, gc, json, math, statistics, sys, time
from pathlib import Path
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_styleex import time_training, sync   # the training step exactly as bench_styleex.py times it
from chexplaining.networks import NetworkConfig, Generator, count_parameters
from chexplaining.styleex import make_config

NVLABS_64 = dict(resolution=64, z_dim=256, w_dim=256, mapping_layers=4, channel_base=4096, channel_max=256)


def _is_oom(e: BaseException) -> bool:
    "CUDA out of memory, as PyTorch raises it or as cuDNN / cuBLAS report a failed allocation."
    oom = tuple(t for t in (getattr(torch, 'OutOfMemoryError', None), getattr(torch.cuda, 'OutOfMemoryError', None)) if t)
    return isinstance(e, oom) or (isinstance(e, RuntimeError) and any(k in str(e) for k in ('out of memory', 'ALLOC_FAILED')))


def _free(dev):
    gc.collect()
    if dev.type == 'cuda': torch.cuda.empty_cache()


def _reset_peak(dev):
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats(dev)


def _peak_mib(dev):
    return round(torch.cuda.max_memory_allocated(dev) / 2**20, 1) if dev.type == 'cuda' else None


def generator_case(net: NetworkConfig, grouped: bool, bf16: bool, batch: int, dev, reps: int) -> dict:
    "images/s and peak MiB of G forward (no grad) and forward+backward, one form, autocast on or off."
    torch.manual_seed(0)
    G = Generator(net).to(dev)
    G.grouped = grouped
    w = torch.randn(batch, net.w_dim, device=dev)
    c = torch.randn(batch, net.c_dim, device=dev)
    ac = lambda: torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16)
    def fwd():
        with torch.no_grad(), ac(): G(w, c)
    def fwd_bwd():
        with ac(): y = G(w, c, 'random')
        y.float().square().mean().backward()
    out = {}
    for name, f in (('forward', fwd), ('forward_backward', fwd_bwd)):
        f(); sync(dev)   # warm-up: kernel selection and allocator growth stay out of the timing
        _reset_peak(dev)
        times = []
        for _ in range(reps):
            sync(dev); t = time.perf_counter(); f(); sync(dev); times.append(time.perf_counter() - t)
        med = statistics.median(times)
        out[name] = {'images_per_s': round(batch / med, 1), 'ms_per_batch': round(1000 * med, 3),
                     'spread_ms': round(1000 * (max(times) - min(times)), 3), 'peak_mib': _peak_mib(dev)}
    out['parameters'] = count_parameters(G)
    del G, w, c; _free(dev)
    return out


def training_case(preset: str, batch: int, steps: int, dev, overrides=()) -> dict:
    "A StyleEx training step of `preset` at `batch`: images/s, s/step, peak MiB; {'oom': True} when it does not fit."
    _free(dev); _reset_peak(dev)
    oom = None
    try:
        ips, per_step, params = time_training(preset, batch, steps, dev, overrides=list(overrides))
    except RuntimeError as e:
        if not _is_oom(e): raise
        oom = str(e).splitlines()[0][:200]
    if oom is not None:   # freed here, after the except block let go of the traceback (and the tensors its frames hold)
        _free(dev)
        return {'batch': batch, 'oom': True, 'error': oom}
    r = {'batch': batch, 'oom': False, 'images_per_s': round(ips, 1), 's_per_step': round(per_step, 4), 'peak_mib': _peak_mib(dev),
         'parameters': params}
    _free(dev)
    return r


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default='bench_gpu.json', help='JSON with every figure')
    p.add_argument('--device', default='auto', help='auto (cuda when there is one), cuda or cpu')
    p.add_argument('--batch-64', type=int, default=128, help='generator batch at 64 px')
    p.add_argument('--batch-256', type=int, default=32, help='generator batch at 256 px (the paper preset\'s)')
    p.add_argument('--reps', type=int, default=10, help='timed repetitions per generator case (median)')
    p.add_argument('--steps', type=int, default=4, help='timed training steps per batch after the warm-up step 0 (4: one of them has the path-length term, none the lazy R1)')
    p.add_argument('--start-batch', type=int, default=16, help='first training batch; doubled until out of memory')
    p.add_argument('--max-batch', type=int, default=4096, help='stop doubling here even if it fits')
    p.add_argument('--budget', type=float, default=90, help='seconds for the whole benchmark: the batch search stops when spent')
    p.add_argument('--dry-run', action='store_true', help='tiny sizes (16 px, narrow layers), a few repetitions: checks '
                                                          'the script in seconds on a CPU; the figures mean nothing')
    a = p.parse_args(argv)
    t0 = time.time()
    dev = torch.device('cuda' if a.device == 'auto' and torch.cuda.is_available() else ('cpu' if a.device == 'auto' else a.device))
    if dev.type == 'cuda': torch.cuda.init()
    info = {'device': str(dev), 'device_name': torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'cpu',
            'torch': torch.__version__, 'cuda': torch.version.cuda, 'threads': torch.get_num_threads(), 'dry_run': a.dry_run,
            'gpu_memory_mib': round(torch.cuda.get_device_properties(dev).total_memory / 2**20) if dev.type == 'cuda' else None}
    print(f"device {info['device_name']} ({dev}), torch {info['torch']}, cuda {info['cuda']}, dry run {a.dry_run}", flush=True)

    nets = {'phantom-cpu': make_config('phantom-cpu', c_dim=8).network,   # phantom-gpu's generator too
            'NVlabs-64 reference': NetworkConfig(c_dim=8, **NVLABS_64),
            'paper': make_config('paper', c_dim=8).network}
    batches = {'phantom-cpu': a.batch_64, 'NVlabs-64 reference': a.batch_64, 'paper': a.batch_256}
    reps, steps, overrides, b0, bmax = a.reps, a.steps, {}, a.start_batch, a.max_batch
    if a.dry_run:   # the same cases at tiny sizes
        shrink = dict(resolution=16, channel_base=64, channel_max=8, z_dim=8, w_dim=8)
        nets = {k: dataclasses.replace(v, **shrink) for k, v in nets.items()}
        batches = {k: 2 for k in nets}
        reps, steps, b0, bmax = 1, 1, 2, 4
        tiny_net = ['network.resolution=16', 'network.channel_base=64', 'network.channel_max=8', 'network.z_dim=8', 'network.w_dim=8',
                    'network.d_channel_base=64', 'network.d_channel_max=8', 'network.e_channel_base=64', 'network.e_channel_max=8']
        overrides = {'phantom-cpu': tiny_net, 'paper': tiny_net}

    result = {'info': info, 'generator': [], 'training': {}}
    print('\n== generator: images/s forward | forward+backward (peak MiB)', flush=True)
    for label, net in nets.items():
        for grouped in (True, False):
            for bf16 in (False, True):
                r = generator_case(net, grouped, bf16, batches[label], dev, reps)
                row = {'network': label, 'resolution': net.resolution, 'batch': batches[label],
                       'modconv': 'grouped' if grouped else 'non-grouped', 'bf16_autocast': bf16, **r}
                result['generator'].append(row)
                f, fb = r['forward'], r['forward_backward']
                print(f"{label:19s} {net.resolution:3d} px {row['modconv']:11s} bf16 {'on ' if bf16 else 'off'} batch {row['batch']:4d}: "
                      f"{f['images_per_s']:10.1f} | {fb['images_per_s']:10.1f} img/s  ({f['peak_mib']} | {fb['peak_mib']} MiB)", flush=True)
    # the fastest form per network, forward+backward (what training runs)
    best = {}
    for row in result['generator']:
        k = row['network']
        if k not in best or row['forward_backward']['images_per_s'] > best[k]['forward_backward']['images_per_s']: best[k] = row
    result['generator_fastest_forward_backward'] = {k: {'modconv': v['modconv'], 'bf16_autocast': v['bf16_autocast'],
                                                        'images_per_s': v['forward_backward']['images_per_s']} for k, v in best.items()}

    print('\n== StyleEx training step (4 random classifiers; bf16 autocast; batch doubled until out of memory)', flush=True)
    presets = ('phantom-cpu', 'paper')
    for i, preset in enumerate(presets):
        # each preset gets an equal share of the time left; a doubled batch is expected to take about twice the last one's time
        end = time.time() + max(0.0, a.budget - (time.time() - t0)) / (len(presets) - i)
        rows, stop, b, last = [], 'max batch', b0, 0.0
        while b <= bmax:
            if rows and time.time() + 2 * last > end:
                stop = 'time budget'; break
            t = time.time()
            r = training_case(preset, b, steps, dev, overrides.get(preset, ()))
            last = time.time() - t
            r['seconds'] = round(last, 1)
            rows.append(r)
            if r['oom']:
                stop = 'out of memory'; print(f'{preset:12s} batch {b:5d}: out of memory', flush=True); break
            print(f"{preset:12s} batch {b:5d}: {r['images_per_s']:9.1f} images/s ({r['s_per_step']:.3f} s/step, peak {r['peak_mib']} MiB)", flush=True)
            b *= 2
        fits = [r for r in rows if not r['oom']]
        top = max(fits, key=lambda r: r['batch']) if fits else None
        result['training'][preset] = {'runs': rows, 'stopped_by': stop, 'largest_batch': top['batch'] if top else None,
                                      'images_per_s_at_largest': top['images_per_s'] if top else None,
                                      'best_images_per_s': max((r['images_per_s'] for r in fits), default=None)}
    result['seconds'] = round(time.time() - t0, 1)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, indent=1) + '\n')
    print('\n== summary')
    for k, v in result['generator_fastest_forward_backward'].items():
        print(f"generator {k:19s} fastest forward+backward: {v['modconv']}, bf16 {'on' if v['bf16_autocast'] else 'off'}: {v['images_per_s']:.1f} img/s")
    for k, v in result['training'].items():
        print(f"training {k:12s} largest batch {v['largest_batch']} ({v['stopped_by']}): {v['images_per_s_at_largest']} images/s "
              f"(best {v['best_images_per_s']})")
    print(f"{result['seconds']:.0f} s -> {a.out}")
    return result


if __name__ == '__main__':
    main()
