// Dashboard 4, VLM control: an image and a question; choose latents of the vision features to suppress or add; sample
// N answers at a temperature and see the top answers with counts before and after the edit. Sampling runs as a job
// on the server; the page polls its progress and can cancel it.
import { getJson, busy, showError, readState, writeState } from './common.js';
import { postJson, listOf, createEditor } from './control-common.js';

const state = readState({ backbone: '', image: '0', op: 'set', latents: '', values: '', q: 'what colour is the circle?',
  n: '32', t: '1', seed: '0', run: '' });
let info = null;
let job = null;
let poll = null;
const editor = createEditor(document.getElementById('edits'), () => saveState());

function saveState() {
  state.latents = editor.edits.map(e => e.latent).join(',');
  state.values = editor.edits.map(e => e.value).join(',');
  writeState(state);
}

function showImage() {
  document.getElementById('image').value = state.image;
  document.getElementById('picture').src = `/api/vlm/${encodeURIComponent(state.backbone)}/images/${state.image}.png`;
}

function renderAnswers(result) {
  const table = document.getElementById('answers');
  const body = table.querySelector('tbody');
  body.replaceChildren();
  const rows = Math.max(result.before.length, result.after ? result.after.length : 0);
  for (let i = 0; i < rows; i++) {
    const tr = document.createElement('tr');
    const b = result.before[i];
    const a = result.after ? result.after[i] : null;
    for (const cell of [b ? b.answer : '', b ? b.count : '', a ? a.answer : (result.after ? '' : '(no edit)'), a ? a.count : '']) {
      const td = document.createElement('td');
      td.textContent = String(cell);
      tr.append(td);
    }
    body.append(tr);
  }
  document.getElementById('answers-caption').textContent = result.after
    ? `Top answers of ${result.samples} samples; ${result.changed_pairs} of ${result.samples} paired answers changed.`
    : `Top answers of ${result.samples} samples (no latent chosen, so no edit).`;
  table.hidden = false;
}

async function follow() {
  try {
    const s = await getJson(`/api/vlm/jobs/${job}`);
    const bar = document.getElementById('progress');
    bar.max = s.total;
    bar.value = s.done;
    const left = s.seconds_left === null ? '' : ` · ${Math.ceil(s.seconds_left)} s left`;
    document.getElementById('progress-text').textContent = `${s.state}: ${s.done} of ${s.total} answers`
      + (s.answers_per_second > 0 ? ` · ${s.answers_per_second.toFixed(1)} answers/s${left}` : '');
    document.body.dataset.job = s.state;
    if (s.state === 'queued' || s.state === 'running') {
      poll = setTimeout(follow, 250);
      return;
    }
    document.getElementById('cancel').disabled = true;
    document.getElementById('go').disabled = false;
    busy(null);
    if (s.state === 'done') renderAnswers(s.result);
    if (s.state === 'failed') showError(s.error);
  } catch (e) {
    busy(null);
    showError(e.message);
  }
}

async function ask(event) {
  event.preventDefault();
  state.run = '1';
  showError(null);
  state.q = document.getElementById('question').value;
  state.n = document.getElementById('samples').value;
  state.t = document.getElementById('temperature').value;
  state.seed = document.getElementById('seed').value;
  saveState();
  const body = {
    image: Number(state.image), question: state.q, operation: state.op, samples: Number(state.n),
    temperature: Number(state.t), seed: Number(state.seed),
    latents: editor.edits.map(e => e.latent), values: editor.edits.map(e => e.value),
  };
  try {
    const s = await postJson(`/api/vlm/${encodeURIComponent(state.backbone)}/ask`, body);
    job = s.job;
    document.getElementById('answers').hidden = true;
    document.getElementById('cancel').disabled = false;
    document.getElementById('go').disabled = true;
    busy('Sampling answers…');
    clearTimeout(poll);
    follow();
  } catch (e) {
    showError(e.message);
  }
}

async function start() {
  try {
    const list = await getJson('/api/vlm');
    if (!list.length) { busy(null); showError('this run has no vision-language model'); return; }
    const choice = document.getElementById('backbone');
    for (const v of list) choice.append(new Option(v.family ? `${v.backbone} (${v.family})` : v.backbone, v.backbone));
    info = list.find(v => v.backbone === state.backbone) || list[0];
    state.backbone = info.backbone;
    choice.value = state.backbone;
    const named = document.getElementById('named');
    const fill = () => {
      named.replaceChildren();
      for (const l of info.latents) {
        const f1 = typeof l.f1 === 'number' ? l.f1.toFixed(2) : 'n/a';
        named.append(new Option(`${l.family ? l.family + ' · ' : ''}${l.name} → latent ${l.latent} (F1 ${f1})`, l.latent));
      }
    };
    fill();
    const values = state.values.split(',').map(Number);
    editor.edits = listOf(state.latents).map((l, i) => ({ latent: l, value: Number.isFinite(values[i]) ? values[i] : 0 }));
    editor.render();
    document.getElementById('add-named').addEventListener('click', () => editor.add(Number(named.value)));
    document.getElementById('add-id').addEventListener('click', () => {
      const l = Number.parseInt(document.getElementById('latent-id').value, 10);
      if (!Number.isInteger(l) || l < 0 || l >= info.d_sae) { showError(`type a latent id from 0 to ${info.d_sae - 1}`); return; }
      editor.add(l);
    });
    const image = document.getElementById('image');
    image.max = String(info.images - 1);
    const go = i => { state.image = String(Math.max(0, Math.min(info.images - 1, i))); saveState(); showImage(); };
    image.addEventListener('change', () => go(Number.parseInt(image.value, 10) || 0));
    document.getElementById('prev').addEventListener('click', () => go(Number(state.image) - 1));
    document.getElementById('next').addEventListener('click', () => go(Number(state.image) + 1));
    choice.addEventListener('change', () => { state.backbone = choice.value; info = list.find(v => v.backbone === choice.value);
      editor.edits = []; editor.render(); fill(); go(0); });
    const op = document.getElementById('op');
    op.value = state.op;
    op.addEventListener('change', () => { state.op = op.value; saveState(); });
    document.getElementById('question').value = state.q;
    document.getElementById('samples').value = state.n;
    document.getElementById('temperature').value = state.t;
    document.getElementById('seed').value = state.seed;
    document.getElementById('ask').addEventListener('submit', ask);
    document.getElementById('cancel').addEventListener('click', async () => {
      if (job) await postJson(`/api/vlm/jobs/${job}/cancel`, {}).catch(e => showError(e.message));
    });
    showImage();
    busy(null);
    // a shared address with run=1 samples at once, so that it shows what its sender saw
    if (state.run === '1') document.getElementById('go').click();
  } catch (e) {
    busy(null);
    showError(e.message);
  }
}

start();
