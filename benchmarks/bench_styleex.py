"""StyleEx speed on the current device.

Prints, for the generator at the widths of NVlabs stylegan2-ada-pytorch's 64 px reference (channel_base 4096,
channel_max 256, w_dim 256, 4 mapping layers) and at the phantom-cpu widths, forward and forward+backward
milliseconds per image for both forms of the modulated convolution (grouped: one weight per image; non-grouped:
activations scaled) and, on the CPU, for the non-grouped form with channels-last activations (the CPU default), and
their ratios, each with bilinear upsampling (the shipped model) and with NVlabs' transposed-conv + blur upsampling
(`network.upsample=transposed`, a quarter of the multiply-adds in the upsampling layers); then training images per second of a full StyleEx step (E+G, path length, D,
R1, EMA; random classifiers) for the phantom-cpu and paper presets; then the cost of inversion at phantom-cpu widths:
the encoder alone against the encoder + N latent refinement steps (`invert`), ms per image.

    python benchmarks/bench_styleex.py [--threads N] [--batch 16] [--paper-batch 4] [--steps 4] [--device auto]

Reference measured on the 2-core development machine (issue 6): the NVlabs generator with its reference
(non-CUDA) ops at the first widths ran 42 ms/image forward and 131 ms/image forward+backward at batch 16; on the same
machine this generator's NCHW non-grouped form then took 46.6 / 145 ms. Absolute times vary between machines (the
same code ran 2x faster on a later host), so the comparison is made through ratios measured in one process.
"""
import argparse, time, dataclasses
import torch
from chexplaining.networks import NetworkConfig, Generator, count_parameters
from chexplaining.classifier import CXRClassifier, small_cnn
from chexplaining.styleex import (make_config, StyleExModels, ExplainedClassifiers, make_perceptual, styleex_step,
                                  step_random, StyleEx, invert)


def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()


def time_generator(net: NetworkConfig, grouped: bool, batch: int, dev, reps: int = 3, channels_last: bool = False):
    torch.manual_seed(0)
    G = Generator(net).to(dev)
    G.grouped, G.channels_last = grouped, channels_last
    w = torch.randn(batch, net.w_dim, device=dev)
    c = torch.randn(batch, net.c_dim, device=dev)
    with torch.no_grad():
        G(w, c); sync(dev)
        t = time.perf_counter()
        for _ in range(reps): G(w, c)
        sync(dev); fwd = (time.perf_counter() - t) / reps / batch * 1000
    G(w, c, 'random').square().mean().backward(); sync(dev)
    t = time.perf_counter()
    for _ in range(reps): G(w, c, 'random').square().mean().backward()
    sync(dev); fb = (time.perf_counter() - t) / reps / batch * 1000
    return fwd, fb, count_parameters(G)


def time_training(preset: str, batch: int, steps: int, dev, n_classifiers: int = 4, channels_last=None, overrides=()):
    cfg = make_config(preset, [f'batch={batch}', f'network.mbstd_group={min(4, batch)}', *overrides], c_dim=2 * n_classifiers)
    S = cfg.network.resolution
    torch.manual_seed(0)
    models = [CXRClassifier(small_cnn(16), f'finding{i}', S).eval() for i in range(n_classifiers)]
    clf = ExplainedClassifiers(models, [{'path': '-', 'sha256': None, 'target': f'finding{i}', 'size': S} for i in range(n_classifiers)]).to(dev)
    m = StyleExModels(cfg.network).to(dev)
    m.G.grouped = m.G_ema.grouped = dev.type == 'cuda'
    m.G.channels_last = m.G_ema.channels_last = channels_last   # None: the device default
    perc = make_perceptual('classifier', clf).to(dev)
    opts = {k: torch.optim.Adam(getattr(m, k).parameters(), lr=1e-3, betas=(0., 0.99)) for k in 'GDE'}
    x = torch.rand(batch, 1, S, S, device=dev)
    state = {}
    times = []
    for s in range(steps + 1):
        rnd = step_random(cfg, s, batch, 100)
        sync(dev); t = time.perf_counter()
        styleex_step(m, clf, perc, opts, cfg, x, x[:len(rnd.z)], rnd, s, state)
        sync(dev); times.append(time.perf_counter() - t)
    per_step = sum(times[1:]) / steps   # step 0 (warm-up, R1 and path length at once) not counted
    return batch / per_step, per_step, {k: count_parameters(getattr(m, k)) for k in 'GDE'}


def time_inversion(batch: int, steps: int, dev, n_classifiers: int = 4):
    "ms/image of the encoder alone and of `invert` with `steps` refinement steps (phantom-cpu widths, random weights)."
    cfg = make_config('phantom-cpu', c_dim=2 * n_classifiers)
    S = cfg.network.resolution
    torch.manual_seed(0)
    models = [CXRClassifier(small_cnn(16), f'finding{i}', S).eval() for i in range(n_classifiers)]
    clf = ExplainedClassifiers(models, [{'path': '-', 'sha256': None, 'target': f'finding{i}', 'size': S} for i in range(n_classifiers)]).to(dev)
    m = StyleExModels(cfg.network)
    sx = StyleEx(m.G_ema, m.E, cfg, clf.records, {}).to(dev)
    sx.G.grouped = dev.type == 'cuda'
    for q in sx.parameters(): q.requires_grad_(False)
    x = torch.rand(batch, 1, S, S, device=dev)
    out = {}
    for n in (0, steps):
        invert(sx, x[:2], clf, steps=min(n, 1)); sync(dev)   # warm-up
        t = time.perf_counter()
        with torch.no_grad(): invert(sx, x, clf, steps=n, batch=batch)
        sync(dev); out[n] = (time.perf_counter() - t) / batch * 1000
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--threads', type=int, default=0, help='CPU threads (0: PyTorch default)')
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--paper-batch', type=int, default=0, help='batch of the paper preset (default: 32 on CUDA, 4 on the CPU)')
    p.add_argument('--steps', type=int, default=4, help='timed training steps per preset')
    p.add_argument('--device', default='auto')
    p.add_argument('--invert-steps', type=int, default=30, help='latent refinement steps timed for the inversion')
    p.add_argument('--only', choices=('generator', 'training', 'inversion'), help='run one section only')
    p.add_argument('--no-paper', action='store_true', help='skip the paper preset (minutes per step on a CPU)')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    dev = torch.device('cuda' if a.device == 'auto' and torch.cuda.is_available() else ('cpu' if a.device == 'auto' else a.device))
    print(f'device {dev}, torch {torch.__version__}, threads {torch.get_num_threads()}')
    run = lambda section: a.only in (None, section)
    if run('generator'): print('\n== generator, ms/image at batch', a.batch)
    for label, net in ([] if not run('generator') else [('NVlabs 64 px reference widths', NetworkConfig(resolution=64, z_dim=256, w_dim=256, c_dim=8, mapping_layers=4,
                                                                       channel_base=4096, channel_max=256)),
                       ('phantom-cpu widths', make_config('phantom-cpu', c_dim=8).network)]):
        forms = {'non-grouped, channels-last': (False, True, 'bilinear'), 'non-grouped': (False, False, 'bilinear'),
                 'grouped': (True, False, 'bilinear'),
                 'transposed, channels-last': (False, True, 'transposed'), 'transposed, grouped': (True, False, 'transposed')}
        if dev.type != 'cpu': forms = {k: v for k, v in forms.items() if not v[1]}   # channels-last is the CPU default only
        r = {k: time_generator(dataclasses.replace(net, upsample=up), g, a.batch, dev, channels_last=cl)
             for k, (g, cl, up) in forms.items()}
        print(f'{label} ({r["grouped"][2] / 1e6:.2f} M parameters)')
        for k in forms:
            print(f'  {k:27s} forward {r[k][0]:7.2f}  forward+backward {r[k][1]:7.2f}')
        print(f'  grouped / non-grouped time: forward {r["grouped"][0] / r["non-grouped"][0]:.2f}x, '
              f'forward+backward {r["grouped"][1] / r["non-grouped"][1]:.2f}x')
        if 'non-grouped, channels-last' in r:
            cl = r['non-grouped, channels-last']
            gf, gfb = r['non-grouped'][0] / cl[0], r['non-grouped'][1] / cl[1]
            print(f'  non-grouped NCHW / channels-last time: forward {gf:.2f}x, forward+backward {gfb:.2f}x')
            if label.startswith('NVlabs'):
                # NVlabs' code is not here to run in this process: its 42 / 131 ms were measured on the dev machine on a
                # day this generator's NCHW non-grouped form took 46.6 / 145 ms there (0.90x); ratios carry over machines
                print(f'  vs NVlabs reference ops (42 / 131 ms on the dev machine, where the NCHW form took 46.6 / 145 ms): '
                      f'about {42 / 46.6 * gf:.2f}x / {131 / 145 * gfb:.2f}x faster (the channels-last gain measured here x that ratio)')
                tr = r['transposed, channels-last']   # NVlabs' own architecture: transposed conv + blur upsampling
                tf, tfb = r['non-grouped'][0] / tr[0], r['non-grouped'][1] / tr[1]
                print(f'  upsample=transposed (NVlabs\' upsampling), channels-last: {cl[0] / tr[0]:.2f}x / {cl[1] / tr[1]:.2f}x faster '
                      f'than bilinear channels-last; vs NVlabs reference ops about {42 / 46.6 * tf:.2f}x / {131 / 145 * tfb:.2f}x faster')
    if run('training'): print('\n== StyleEx training step (E+G, path length, D, R1, EMA; 4 classifiers)')
    pb = a.paper_batch or (32 if dev.type == 'cuda' else 4)
    for preset, b in ((('phantom-cpu', a.batch),) + ((() if a.no_paper else (('paper', pb),))) if run('training') else ()):
        ips, per, params = time_training(preset, b, a.steps, dev)
        print(f'{preset:12s} batch {b:3d}: {ips:7.2f} images/s ({per:.2f} s/step); parameters G {params["G"] / 1e6:.2f} M, '
              f'D {params["D"] / 1e6:.2f} M, E {params["E"] / 1e6:.2f} M')
        if dev.type == 'cpu' and preset == 'phantom-cpu':   # the same step with the generator's activations in NCHW
            ips0, per0, _ = time_training(preset, b, a.steps, dev, channels_last=False)
            print(f'{"":12s} generator NCHW: {ips0:7.2f} images/s ({per0:.2f} s/step): channels-last is {ips / ips0:.2f}x faster')
        if preset == 'phantom-cpu':   # the same step with NVlabs' upsampling (a different architecture: a new model)
            ipst, pert, _ = time_training(preset, b, a.steps, dev, overrides=['network.upsample=transposed'])
            print(f'{"":12s} upsample=transposed: {ipst:7.2f} images/s ({pert:.2f} s/step): {ipst / ips:.2f}x the shipped architecture')
    if not run('inversion'): return
    print(f'\n== inversion at phantom-cpu widths (4 classifiers), ms/image at batch {4 * a.batch}')
    inv = time_inversion(4 * a.batch, a.invert_steps, dev)
    print(f'encoder alone {inv[0]:8.2f}; encoder + {a.invert_steps} latent steps {inv[a.invert_steps]:8.2f} '
          f'({inv[a.invert_steps] / inv[0]:.0f}x the encoder; {inv[a.invert_steps] / max(a.invert_steps, 1):.2f} per step)')


if __name__ == '__main__':
    main()
