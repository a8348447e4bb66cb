(() => {
'use strict';
const S = JSON.parse(document.getElementById('study-data').textContent);
const $ = (s) => document.querySelector(s), $$ = (s) => Array.from(document.querySelectorAll(s));
if (S.pixelated) $$('figure img').forEach(i => i.classList.add('px'));   // small images drawn large: crisp pixels, no blur
const N = S.items.length, STORE = 'chexplaining-reader-study:' + S.study_id;
const now = () => new Date().toISOString();
const blankFeature = () => ({changed: false, direction: null});
const blank = () => ({features: Object.fromEntries(S.checklist.map(c => [c.id, blankFeature()])), no_change: false,
                      other_text: '', confidence: null, first_seen: null, answered_at: null, seconds: 0});
let st = null;
try { st = JSON.parse(localStorage.getItem(STORE) || 'null'); } catch (e) { st = null; }
if (!st || typeof st !== 'object' || typeof st.items !== 'object') st = {reader: '', opened: now(), items: {}};
for (const it of S.items) {
  const a = st.items[it.id] = Object.assign(blank(), st.items[it.id] || {});
  for (const c of S.checklist) a.features[c.id] = Object.assign(blankFeature(), a.features[c.id] || {});
}
const save = () => { try { localStorage.setItem(STORE, JSON.stringify(st)); } catch (e) { /* private mode: kept in memory */ } };
const complete = (a) => (a.no_change || Object.values(a.features).some(f => f.changed)) && a.confidence !== null;
const nDone = () => S.items.filter(it => complete(st.items[it.id])).length;
const status = (text, ok) => { const s = $('#status'); s.textContent = text; s.className = ok ? 'ok' : ''; };

let pos = -1, t0 = performance.now();
const cur = () => st.items[S.items[pos].id];
function tick() {   // add the time spent on the item shown to its total
  const t = performance.now();
  if (pos >= 0 && pos < N) cur().seconds += (t - t0) / 1000;
  t0 = t;
}
function touched() { cur().answered_at = now(); save(); progress(); }

// the sweep: a ping-pong animation from A to B and back, with a short hold at each end
let frames = [], fi = 0, fdir = 1, hold = 0, timer = null;
function setFrame(k) { fi = k; $('#img-sweep').src = frames[k]; $('#frame').value = String(k); }
function play(on) {
  clearInterval(timer); timer = null;
  if (on && frames.length > 1) timer = setInterval(() => {
    if (hold > 0) { hold--; return; }
    let k = fi + fdir;
    if (k < 0 || k >= frames.length) { fdir = -fdir; k = fi + fdir; }
    setFrame(k);
    if (k === 0 || k === frames.length - 1) hold = 4;
  }, 170);
  $('#play').textContent = timer ? 'Pause' : 'Play';
}
$('#frame').addEventListener('input', (e) => { play(false); setFrame(+e.target.value); });
$('#frame').addEventListener('pointerup', (e) => e.target.blur());   // after a drag the arrows move between items again
$('#play').addEventListener('click', () => play(!timer));

function progress() {
  const n = nDone();
  $('#bar').style.width = (100 * n / N) + '%';
  $('#count').textContent = n + ' of ' + N + ' answered';
  $$('#dots button').forEach((b, k) => {
    b.classList.toggle('done', complete(st.items[S.items[k].id]));
    b.classList.toggle('cur', k === pos);
  });
}
function render() {   // the controls show the answers of the item shown
  const a = cur();
  for (const c of S.checklist) {
    const f = a.features[c.id];
    $('#f-' + c.id).checked = f.changed;
    $$('input[name="dir-' + c.id + '"]').forEach(r => { r.checked = r.value === f.direction; });
    $('tr[data-f="' + c.id + '"]').classList.toggle('on', f.changed);
  }
  $$('input.other').forEach(t => { t.value = a.other_text; });
  $('#nochange').checked = a.no_change;
  $$('input[name="conf"]').forEach(r => { r.checked = a.confidence !== null && +r.value === a.confidence; });
}
function show(k) {   // k: -1 the instructions, 0..N-1 an item, N the end
  tick(); play(false);
  pos = Math.max(-1, Math.min(N, k));
  $('#intro').hidden = pos !== -1; $('#done').hidden = pos !== N; $('#item').hidden = pos < 0 || pos >= N;
  if (pos === N) $('#done-text').textContent = 'You answered ' + nDone() + ' of ' + N + ' items.';
  if (pos >= 0 && pos < N) {
    const it = S.items[pos];
    $('#item-title').textContent = 'Item ' + (pos + 1) + ' of ' + N;
    $('#item-id').textContent = it.id;
    $('#img-a').src = it.frames[0]; $('#img-b').src = it.frames[it.frames.length - 1];
    frames = it.frames; fdir = 1; hold = 4; setFrame(0);
    $('#frame').max = String(Math.max(1, frames.length - 1));
    $('#prev').disabled = pos === 0;
    $('#next').innerHTML = pos === N - 1 ? 'Finish &rarr;' : 'Next &rarr;';
    if (!cur().first_seen) { cur().first_seen = now(); save(); }
    render(); play(true);
  }
  progress();
  window.scrollTo(0, 0);
}

// answers
for (const c of S.checklist) {
  $('#f-' + c.id).addEventListener('change', (e) => {
    const a = cur(), f = a.features[c.id];
    f.changed = e.target.checked;
    if (!f.changed) f.direction = null; else a.no_change = false;
    touched(); render();
  });
  $$('input[name="dir-' + c.id + '"]').forEach(r => r.addEventListener('change', () => {
    const a = cur(); a.features[c.id] = {changed: true, direction: r.value}; a.no_change = false;
    touched(); render();
  }));
}
$$('input.other').forEach(t => t.addEventListener('input', () => {
  const a = cur(), f = a.features[t.dataset.f];
  a.other_text = t.value;
  if (t.value.trim()) { f.changed = true; a.no_change = false; }
  touched(); render();
}));
$('#nochange').addEventListener('change', (e) => {
  const a = cur(); a.no_change = e.target.checked;
  if (a.no_change) { for (const c of S.checklist) a.features[c.id] = blankFeature(); a.other_text = ''; }
  touched(); render();
});
const setConf = (v) => { cur().confidence = v; touched(); render(); };
$$('input[name="conf"]').forEach(r => r.addEventListener('change', () => setConf(+r.value)));

// navigation
const go = (d) => show(pos + d);
$('#start').addEventListener('click', () => show(Math.max(0, S.items.findIndex(it => !complete(st.items[it.id])))));
$('#prev').addEventListener('click', () => go(-1));
$('#next').addEventListener('click', () => go(+1));
$('#back').addEventListener('click', () => show(N - 1));
const dots = $('#dots');
S.items.forEach((it, k) => {
  const b = document.createElement('button'); b.type = 'button'; b.title = 'Item ' + (k + 1);
  b.addEventListener('click', () => show(k)); dots.appendChild(b);
});
document.addEventListener('keydown', (e) => {
  const t = e.target, tag = t && t.tagName;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if ((tag === 'INPUT' && t.type === 'text') || tag === 'TEXTAREA') { if (e.key === 'Escape' || e.key === 'Enter') t.blur(); return; }
  if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
    if (tag === 'INPUT' && t.type === 'range') return;   // the sweep slider steps with the arrows (a radio does not: no answer changes unseen)
    go(e.key === 'ArrowRight' ? 1 : -1); e.preventDefault();
  } else if (pos >= 0 && pos < N && /^[1-5]$/.test(e.key)) setConf(+e.key);
  else if (pos >= 0 && pos < N && e.key === ' ' && !['INPUT', 'BUTTON', 'SELECT'].includes(tag)) { play(!timer); e.preventDefault(); }
});

// the reader and the download
const reader = $('#reader');
reader.value = st.reader || '';
reader.addEventListener('input', () => { st.reader = reader.value; save(); });
function download() {
  const name = reader.value.trim();
  if (!name) { status('Enter your name or initials in the Reader field first.'); reader.focus(); return; }
  tick(); st.reader = name; save();
  const items = S.items.map(it => {
    const a = st.items[it.id];
    return Object.assign({item: it.id}, a, {seconds: Math.round(a.seconds * 1000) / 1000});   // ms: a fast reader's item is not 0 s
  });
  const out = {format: 'chexplaining-reader-answers', version: 1, study_id: S.study_id, title: S.title, reader: name,
               opened: st.opened, saved: now(), user_agent: navigator.userAgent, checklist: S.checklist.map(c => c.id), items};
  const blob = new Blob([JSON.stringify(out, null, 2) + '\n'], {type: 'application/json'});
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'answers-' + (name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'reader') + '-' + S.study_id.slice(0, 8) + '.json';
  document.body.appendChild(link); link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 2000);
  status('Saved ' + link.download + ' (' + nDone() + ' of ' + N + ' items answered).', true);
}
$('#download').addEventListener('click', download);
$('#download2').addEventListener('click', download);
$('#n-items').textContent = String(N);
if (nDone()) $('#start').textContent = 'Continue';
show(-1);
})();
