"""The summary of a `gpu_session.sh` run: what ran and what failed, and what it measured, against the shipped model.

Reads the session's results folder (stage table, environment, benchmark, training and encoder-fit logs, quality,
conditioning spread, searches) and writes `summary.json` (every figure) and `summary.md` (the same, to read) into OUT.
Every part is optional: a stage that failed or was skipped leaves its part empty, and the summary says so.
    python nbs/scripts/gpu/gpu_report.py RESULTS_DIR OUT_DIR
"""
import json, math, sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SHIPPED = REPO/'checkpoints'/'phantom'
CLASSIFIERS = ['cardiomegaly', 'pleural_effusion', 'atelectasis', 'cardiomegaly_shortcut']
# the StyleEx bar (nbs/docs/styleex.md, 'Devices, part by part'; checkpoints/phantom/README.md): measure -> (higher is better, bar)
BAR = {'agreement (each classifier, lowest)': (True, 0.95), 'reader r gt_ctr': (True, 0.9), 'reader r gt_effusion_left': (True, 0.9),
       'reader r gt_effusion_right': (True, 0.9), 'pacemaker kept': (True, 0.9), 'pacemaker invented': (False, 0.05), 'L1': (False, 0.045)}


def _json(p):
    try: return json.loads(Path(p).read_text())
    except (OSError, ValueError): return None


def _jsonl(p):
    try: return [json.loads(l) for l in Path(p).read_text().splitlines() if l.strip()]
    except (OSError, ValueError): return []


def stages(res):
    rows = []
    try: lines = (res/'stages.tsv').read_text().splitlines()
    except OSError: return rows
    for l in lines:
        name, status, rc, seconds, cap, *note = l.split('\t')
        rows.append({'stage': name, 'status': status, 'rc': int(rc), 'seconds': int(seconds), 'cap_s': int(cap), 'note': ' '.join(note)})
    return rows


def training(folder, args=''):
    "Steps, images seen, wall time and the last losses of a train-styleex or train-encoder run folder (`args`: its command's options)."
    m = _jsonl(folder/'metrics.jsonl')
    tr = [r for r in m if r.get('kind') == 'train']
    ev = [r for r in m if r.get('kind') == 'eval']
    run = _json(folder/'run.json') or {}
    if not tr: return {'run': run} if run else None
    last = tr[-1]
    cfg = (run.get('config') or {})
    batch = cfg.get('batch') or next((int(a.split('=', 1)[1]) for a in args.split() if a.startswith('batch=')), None)
    out = {'steps': last.get('step'), 'batch': batch, 'images_seen': last['step'] * batch if batch else None,
           'elapsed_s': round(last.get('elapsed_s', float('nan')), 1),
           'images_per_s_last': round(last.get('images_per_s', float('nan')), 1),
           'last_train': {k: v for k, v in last.items() if isinstance(v, (int, float))}, 'last_eval': ev[-1] if ev else None,
           'device': run.get('device'), 'modconv': run.get('modconv'), 'perceptual': run.get('perceptual'), 'options': args}
    return out


def bar_measures(q):
    "The bar's measures of a quality JSON (eval-styleex)."
    if not q: return {}
    f, dev = q.get('factors', {}), q.get('devices', {})
    m = {'agreement (each classifier, lowest)': min(v['agreement'] for v in q['classifiers'].values()),
         'L1': q.get('l1')}
    for k in ('gt_ctr', 'gt_effusion_left', 'gt_effusion_right'):
        if k in f: m[f'reader r {k}'] = f[k].get('r_reader')
    if 'pacemaker' in dev: m['pacemaker kept'], m['pacemaker invented'] = dev['pacemaker']['kept'], dev['pacemaker']['invented']
    return m


def quality_table(new, old):
    "Rows measure | shipped | this run | bar | this run meets the bar | better than shipped."
    rows = []
    a, b = bar_measures(old), bar_measures(new)
    for k, (up, bar) in BAR.items():
        x, y = a.get(k), b.get(k)
        if y is None: continue
        meets = y >= bar if up else y <= bar
        better = None if x is None else (y >= x if up else y <= x)
        rows.append({'measure': k, 'shipped': x, 'this run': y, 'bar': f"{'>=' if up else '<='} {bar}", 'meets bar': meets, 'better or equal': better})
    for k in ('psnr', 'ssim', 'fid_reconstructions', 'fid_samples'):   # shown, not part of the bar
        if new and k in new: rows.append({'measure': k, 'shipped': (old or {}).get(k), 'this run': new[k], 'bar': '', 'meets bar': None,
                                          'better or equal': None if not old or k not in old else (new[k] <= old[k] if k.startswith('fid') else new[k] >= old[k])})
    for k, v in ((new or {}).get('classifiers') or {}).items():
        rows.append({'measure': f'agreement {k}', 'shipped': ((old or {}).get('classifiers') or {}).get(k, {}).get('agreement'),
                     'this run': v['agreement'], 'bar': '>= 0.95', 'meets bar': v['agreement'] >= 0.95, 'better or equal': None})
    for k, v in ((new or {}).get('device_parts') or {}).items():
        o = ((old or {}).get('device_parts') or {}).get(k, {})
        rows.append({'measure': f'{k} kept / invented', 'shipped': f"{o.get('kept', float('nan')):.2f} / {o.get('invented', float('nan')):.3f}" if o else None,
                     'this run': f"{v['kept']:.2f} / {v['invented']:.3f}", 'bar': '', 'meets bar': None, 'better or equal': None})
    return rows


def search_tables(res):
    "explained % (top-k) per classifier and method, this run's model against the shipped one on the same images."
    out = {}
    try:
        from chexplaining.groundtruth import methods_table
    except Exception as e: return {'error': f'chexplaining not importable: {e}'}
    for model in ('gpu', 'shipped'):
        folders = sorted(p for p in (res/'search'/model).glob('*') if (p/'attributes.json').is_file())
        if not folders: continue
        t = methods_table(folders)
        t.insert(0, 'run', [p.name for p in folders])
        out[model] = json.loads(t.to_json(orient='records'))
    return out


def fmt(v):
    if v is None: return '-'
    if isinstance(v, bool): return 'yes' if v else 'no'
    if isinstance(v, float): return '-' if math.isnan(v) else f'{v:.4g}'
    return str(v)


def md_table(rows, cols):
    if not rows: return '(none)\n'
    return ('| ' + ' | '.join(cols) + ' |\n|' + '---|' * len(cols) + '\n'
            + ''.join('| ' + ' | '.join(fmt(r.get(c)) for c in cols) + ' |\n' for r in rows))


def main(res, out):
    res, out = Path(res), Path(out)
    env = _json(res/'env.json') or {}
    st = stages(res)
    bench = _json(out/'bench_gpu.json')
    train, enc = training(res/'train', env.get('train_args', '')), training(res/'encoder', env.get('encoder_args', ''))
    q_new, q_old = _json(out/'styleex_quality.json'), _json(SHIPPED/'styleex_quality.json')
    cond = {m: _json(res/f'conditioning_{m}.json') for m in ('gpu', 'shipped')}
    searches = search_tables(res)
    nb = []
    try:
        for l in (res/'nbdev_test.tsv').read_text().splitlines():
            name, rc, secs = l.split('\t'); nb.append({'notebook': name, 'rc': int(rc), 'passed': rc == '0', 'seconds': int(secs)})
    except OSError: pass
    qt = quality_table(q_new, q_old)
    bar_rows = [r for r in qt if r['measure'] in BAR]
    verdict = None
    if bar_rows:
        verdict = {'meets every bar measure': all(r['meets bar'] for r in bar_rows),
                   'better or equal than shipped on every bar measure': all(r['better or equal'] for r in bar_rows if r['better or equal'] is not None),
                   'bar measures better or equal than shipped': sum(bool(r['better or equal']) for r in bar_rows), 'bar measures': len(bar_rows)}
    summary = {'env': env, 'stages': st, 'failed_stages': [s['stage'] for s in st if s['status'] != 'ok'], 'nbdev_test': nb,
               'bench': {k: bench.get(k) for k in ('info', 'generator_fastest_forward_backward', 'seconds')} | {
                   'training': {k: {kk: v.get(kk) for kk in ('largest_batch', 'stopped_by', 'images_per_s_at_largest', 'best_images_per_s')}
                                for k, v in bench.get('training', {}).items()}} if bench else None,
               'styleex_training': train, 'encoder_fit': enc, 'quality_vs_shipped': qt, 'verdict': verdict,
               'conditioning': cond, 'searches': searches}
    (out/'summary.json').write_text(json.dumps(summary, indent=1, default=str) + '\n')

    L = [f"# GPU session{' (dry run: tiny sizes, the figures mean nothing)' if env.get('dry_run') else ''}", '',
         f"Device: {env.get('device', '?')}; torch {env.get('torch', '?')}; code {env.get('code', '?')}; "
         f"phantom manifest sha256 {env.get('manifest_sha256', '?')[:16]}... ({env.get('manifest_check', 'not checked')}); "
         f"total {env.get('total_s', '?')} s of a {env.get('budget_s', '?')} s budget.", '', '## Stages', '',
         md_table(st, ['stage', 'status', 'rc', 'seconds', 'cap_s', 'note'])]
    if nb: L += ['## nbdev_test --flags gpu', '', md_table(nb, ['notebook', 'passed', 'rc', 'seconds'])]
    if bench:
        L += ['## Throughput (benchmarks/bench_gpu.py; every figure in bench_gpu.json)', '',
              md_table([{'network': r['network'], 'px': r['resolution'], 'batch': r['batch'], 'modconv': r['modconv'], 'bf16': r['bf16_autocast'],
                         'forward img/s': r['forward']['images_per_s'], 'fwd+bwd img/s': r['forward_backward']['images_per_s'],
                         'peak MiB fwd+bwd': r['forward_backward']['peak_mib']} for r in bench.get('generator', [])],
                       ['network', 'px', 'batch', 'modconv', 'bf16', 'forward img/s', 'fwd+bwd img/s', 'peak MiB fwd+bwd']),
              md_table([{'preset': k, 'batch': r['batch'], 'images/s': r.get('images_per_s'), 's/step': r.get('s_per_step'),
                         'peak MiB': r.get('peak_mib'), 'out of memory': r['oom']} for k, v in bench.get('training', {}).items() for r in v['runs']],
                       ['preset', 'batch', 'images/s', 's/step', 'peak MiB', 'out of memory'])]
    if train:
        L += ['## StyleEx trained in this session', '',
              f"phantom-gpu preset ({train.get('options')}): {train.get('steps')} steps of {train.get('batch')} ({train.get('images_seen')} images; the shipped "
              f"model saw 57,728 in 98.5 min on two CPU cores) in {train.get('elapsed_s')} s, {train.get('images_per_s_last')} images/s at "
              f"the end; modulated conv {train.get('modconv')}, perceptual {train.get('perceptual')}. Encoder fit (phantom-lines, "
              + (f"{enc.get('options')}): {enc.get('steps')} steps of {enc.get('batch')}." if enc else 'none).'), '']
    if qt:
        L += [f"## Quality against the shipped model ({(q_new or {}).get('n_images', '?')} test images here, 2,000 for the shipped one; "
              f"the bar: nbs/docs/styleex.md)", '',
              md_table(qt, ['measure', 'shipped', 'this run', 'bar', 'meets bar', 'better or equal']),
              f"Verdict: {json.dumps(verdict)}", '']
    if any(cond.values()):
        rows = [{'model': m, **{k: r.get(k) for k in ('classifier', 'images', 'flipped_own', 'flipped_all', 'channels_50', 'channels_80',
                                                      'channels_95', 'flipped_top', 'channels', 'error')}} for m, rs in cond.items() for r in (rs or [])]
        L += ['## Where the model keeps the decision (conditioning spread; both models on one seeded shuffle of test images)', '',
              'A decision that more training concentrates shows as fewer channels for 50/80/95% of the style change and more '
              'flips from the top-8 channels alone (nbs/scripts/phantom/conditioning_swap.py).', '',
              md_table(rows, ['model', 'classifier', 'images', 'flipped_own', 'flipped_all', 'channels_50', 'channels_80', 'channels_95',
                              'flipped_top', 'channels', 'error'])]
    if searches and 'error' not in searches:
        rows = [{'model': m, **r} for m, rs in searches.items() for r in rs]
        L += ['## AttFind / EigenFind, both models on one seeded shuffle of test images (explained %: the paper\'s measure; '
              'together: the top-k at once)', '',
              md_table(rows, ['model', 'run', 'images', 'explained_%', 'explained_together_%', 'explainable_%', 'label_factor_rate', 'seconds'])]
    (out/'summary.md').write_text('\n'.join(L) + '\n')
    print('\n'.join(L))


if __name__ == '__main__':
    if len(sys.argv) != 3: sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
