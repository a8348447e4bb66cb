#!/usr/bin/env python
"""Issue 3 "Done when" experiments for the classifiers, on the phantom (CPU).

1. Phantom (5,000 images, 64 px): train a classifier per finding (Cardiomegaly, Pleural Effusion, Atelectasis) and
   report its test AUC (95% bootstrap CI) and the wall-clock training time (target: AUC >= 0.95 within 10 minutes of
   CPU training each).
2. Shortcut: the same Cardiomegaly classifier trained on a phantom with `--shortcut pacemaker:Cardiomegaly:0.9`
   (pacemaker in 90% of positives and 10% of negatives, in every split), compared with the classifier trained
   without the shortcut, on test splits of phantoms with the same seed (same patients; only the pacemaker differs):
   pacemaker independent of the label (the phantom's base rate 12%, and 50%), as trained (0.9) and reversed (0.1).
   And a paired test: every test patient scored once with and once without a pacemaker (phantoms
   `pacemaker:Cardiomegaly:1.0` and `:0.0` together hold each patient both ways); reported: the mean change of the
   logit and the share of negatives/positives called positive at the validation threshold.

Usage: python benchmarks/bench_classifier.py [--work runs/classifier_bench] [--arch small] [--epochs 15] ...
Prints a table and writes <work>/results_<arch>.json. Training time includes data loading, validation and checkpointing
(the image cache is built before the clock starts). The machine's load average is printed: other jobs share the CPU.
"""
import argparse, json, os, sys, time
from pathlib import Path

def load():
    try: return os.getloadavg()
    except OSError: return (float('nan'),) * 3

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--work', default='runs/classifier_bench')
    ap.add_argument('--n', type=int, default=5000)
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--arch', default='small')
    ap.add_argument('--width', type=int, default=16)
    ap.add_argument('--epochs', type=int, default=15)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--findings', nargs='+', default=['Cardiomegaly', 'Pleural Effusion', 'Atelectasis'])
    ap.add_argument('--skip-shortcut', action='store_true')
    ap.add_argument('--threads', type=int, default=1, help='torch threads (0: leave the default); on a CPU shared with other jobs one thread avoids OpenMP spin-waiting and is much faster')
    a = ap.parse_args()

    import torch
    if a.threads: torch.set_num_threads(a.threads)
    from chexplaining.core import setup_logging
    from chexplaining.phantom import make_phantom
    from chexplaining.dataset import build_cache
    from chexplaining.classifier import train_classifier, eval_classifier
    setup_logging()
    work = Path(a.work); work.mkdir(parents=True, exist_ok=True)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; load average {load()}', flush=True)

    def phantom(name, shortcuts=()):
        out = work / name
        if not (out / 'manifest.csv').is_file():
            t = time.time()
            make_phantom(str(out), n=a.n, size=a.size, seed=a.seed, shortcuts=list(shortcuts), progress=False)
            print(f'{name}: rendered {a.n} images in {time.time() - t:.0f} s', flush=True)
        build_cache(out / 'manifest.csv', size=a.size, progress=False)
        return out / 'manifest.csv'

    def train(manifest, finding, run):
        out = work / 'runs' / run
        la0 = load()[0]; t = time.time()
        best = train_classifier(str(manifest), finding, str(out), arch=a.arch, width=a.width, size=a.size,
                                epochs=a.epochs, batch=a.batch, seed=a.seed, device='cpu', progress=False,
                                resume=True)
        secs = time.time() - t
        hist = json.loads((out / 'history.json').read_text())
        return best, {'train_wall_s': round(secs, 1), 'train_epochs_s': round(hist['train_seconds'], 1),
                      'best_epoch': hist['best_epoch'], 'best_val_auc': hist['best_val_auc'],
                      'load_before': la0, 'load_after': load()[0]}

    def evaluate(best, manifest, name):
        m = eval_classifier(str(best), str(manifest), split='test', out=str(best.parent / f'test_{slug(name)}.json'),
                            device='cpu', progress=False)
        return {k: m[k] for k in ('auc', 'auc_ci95', 'accuracy', 'sensitivity', 'specificity', 'n_positive', 'n_negative')}

    results = {'settings': vars(a), 'torch_threads': torch.get_num_threads(), 'findings': {}, 'shortcut': {}}
    clean = phantom('phantom')
    for finding in a.findings:
        best, info = train(clean, finding, f'{a.arch}_{finding.replace(" ", "_")}')
        info['test'] = evaluate(best, clean, 'phantom')
        results['findings'][finding] = info
        t = info['test']
        print(f"{finding:17s} test AUC {t['auc']:.4f} [{t['auc_ci95'][0]:.4f}, {t['auc_ci95'][1]:.4f}]  "
              f"train {info['train_wall_s']:.0f} s (load {info['load_before']:.1f} -> {info['load_after']:.1f})  "
              f"{'OK' if t['auc'] >= 0.95 and info['train_wall_s'] <= 600 else 'MISSED'}", flush=True)
        atomic_json(results, work / f'results_{a.arch}.json')

    if not a.skip_shortcut:
        # Same seed = same patients in every phantom below; only the pacemaker differs (see chexplaining.phantom).
        tests = {'shortcut (as trained, 0.9)': phantom('phantom_shortcut', ['pacemaker:Cardiomegaly:0.9']),
                 'independent (base rate 12%)': clean,
                 'independent (50%)': phantom('phantom_pm50', ['pacemaker:Cardiomegaly:0.5']),
                 'reversed (0.1)': phantom('phantom_reverse', ['pacemaker:Cardiomegaly:0.1'])}
        with_pm = phantom('phantom_pm_positives', ['pacemaker:Cardiomegaly:1.0'])   # device on every positive, no negative
        without = phantom('phantom_pm_negatives', ['pacemaker:Cardiomegaly:0.0'])   # device on every negative, no positive
        best_sc, info = train(tests['shortcut (as trained, 0.9)'], 'Cardiomegaly', f'{a.arch}_Cardiomegaly_shortcut')
        best_clean = work / 'runs' / f'{a.arch}_Cardiomegaly' / 'best.pt'
        if not best_clean.is_file(): best_clean, _ = train(clean, 'Cardiomegaly', f'{a.arch}_Cardiomegaly')
        rows, paired = {}, {}
        for model_name, best in (('trained without shortcut', best_clean), ('trained with shortcut', best_sc)):
            rows[model_name] = {t: evaluate(best, man, slug(t)) for t, man in tests.items()}
            paired[model_name] = paired_effect(best, with_pm, without, slug)
        results['shortcut'] = {'train': info, 'auc': rows, 'paired_pacemaker_effect': paired}
        print('\nCardiomegaly test AUC by test set (pacemaker rate in positives : negatives)')
        print(f"{'':26s}" + ''.join(f'{t:>30s}' for t in tests))
        for model_name, r in rows.items():
            print(f'{model_name:26s}' + ''.join(f"{r[t]['auc']:>13.4f} [{r[t]['auc_ci95'][0]:.3f}, {r[t]['auc_ci95'][1]:.3f}]" for t in tests))
        print('\nSame test patients with and without a pacemaker (all else equal):')
        for model_name, e in paired.items():
            print(f"{model_name:26s} logit change when a pacemaker is added: mean {e['mean_logit_change']:+.2f} "
                  f"(negatives {e['mean_logit_change_negatives']:+.2f}, positives {e['mean_logit_change_positives']:+.2f}); "
                  f"negatives called positive {e['fp_rate_without']:.3f} -> {e['fp_rate_with']:.3f}, "
                  f"positives called positive {e['tp_rate_without']:.3f} -> {e['tp_rate_with']:.3f}", flush=True)
        atomic_json(results, work / f'results_{a.arch}.json')
    print(f'load average at the end {load()}; results in {work / f"results_{a.arch}.json"}')

def slug(name):
    return ''.join(c if c.isalnum() else '_' for c in name).strip('_').replace('__', '_')

def paired_effect(best, with_manifest, without_manifest, slug):
    "Score the test split twice: every patient with a pacemaker and every patient without (same patients otherwise)."
    import numpy as np, pandas as pd
    from chexplaining.classifier import eval_classifier
    p = {}
    for name, man in (('with', with_manifest), ('without', without_manifest)):
        m = eval_classifier(str(best), str(man), split='test', out=str(best.parent / f'test_pm_{name}_only.json'), device='cpu',
                            progress=False, n_boot=10)
        pred = pd.read_csv(best.parent / f'test_pm_{name}_only_predictions.csv').set_index('image')
        dev = pd.read_csv(man).set_index('image')['gt_pacemaker']
        p[name] = (pred, dev, m['threshold'])
    (a, dev_a, thr), (b, dev_b, _) = p['with'], p['without']
    # in the 1.0 phantom positives carry the device, in the 0.0 phantom negatives do: swap so 'with' has it everywhere
    both = a.merge(b, left_index=True, right_index=True, suffixes=('_a', '_b'))
    has_a = dev_a.loc[both.index].to_numpy() > 0.5
    p_with = np.where(has_a, both.p_positive_a, both.p_positive_b)
    p_without = np.where(has_a, both.p_positive_b, both.p_positive_a)
    assert ((dev_a.loc[both.index] > 0.5) != (dev_b.loc[both.index] > 0.5)).all()
    y = both.label_a.to_numpy()
    lg = lambda q: np.log(np.clip(q, 1e-7, 1 - 1e-7) / (1 - np.clip(q, 1e-7, 1 - 1e-7)))
    d = lg(p_with) - lg(p_without)
    return {'n': int(len(y)), 'threshold': thr, 'mean_logit_change': float(d.mean()),
            'mean_logit_change_negatives': float(d[y == 0].mean()), 'mean_logit_change_positives': float(d[y == 1].mean()),
            'fp_rate_without': float((p_without[y == 0] >= thr).mean()), 'fp_rate_with': float((p_with[y == 0] >= thr).mean()),
            'tp_rate_without': float((p_without[y == 1] >= thr).mean()), 'tp_rate_with': float((p_with[y == 1] >= thr).mean())}

def atomic_json(obj, path):
    from chexplaining.core import atomic_save_json
    atomic_save_json(obj, path)

if __name__ == '__main__':
    sys.exit(main())
