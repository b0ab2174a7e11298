// Dashboards 3 and 5, classification and zero-shot control: an image, the head's top classes with probabilities
// before and after an edit of chosen latents (on all patches or the selected ones). The zero-shot page also takes a
// typed class list. The head comes from the page (<body data-head>); data from /api/control/{head}/...
import { getJson, busy, showError, readState, writeState } from './common.js';
import { postJson, listOf, createEditor, renderPatchLatents } from './control-common.js';

const d3 = window.d3;
const head = document.body.dataset.head;
const state = readState({ backbone: '', image: '0', op: 'set', scope: 'all', latents: '', values: '', patches: '', classes: '' });
const canvas = document.getElementById('picture');

let info = null;
let clean = null;
let picture = null;
let selected = new Set();
let editRequest = null;
let sequence = 0;
const editor = createEditor(document.getElementById('edits'), () => applyEdit());

function base() {
  return `/api/control/${head}/${encodeURIComponent(state.backbone)}/images/${state.image}`;
}

function typedClasses() {
  return state.classes ? state.classes.split('|') : null;
}

function saveState() {
  state.latents = editor.edits.map(e => e.latent).join(',');
  state.values = editor.edits.map(e => e.value).join(',');
  state.patches = [...selected].sort((a, b) => a - b).join(',');
  writeState(state);
}

function drawPicture() {
  const ctx = canvas.getContext('2d');
  const [h, w] = clean.grid;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(picture, 0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 2;
  for (const p of selected) {
    const cw = canvas.width / w;
    const ch = canvas.height / h;
    ctx.strokeRect((p % w) * cw + 2, Math.floor(p / w) * ch + 2, cw - 4, ch - 4);
  }
}

/** Bars of the top classes: before (grey) and after (blue), with the numbers; the rows carry their values for tests. */
function drawBars(prediction) {
  const svg = d3.select('#bars');
  svg.selectAll('*').remove();
  const rows = prediction.top;
  const width = +svg.attr('width');
  const rowH = 34;
  svg.attr('height', rows.length * rowH + 10);
  const x = d3.scaleLinear().domain([0, 1]).range([0, width - 240]);
  const g = svg.selectAll('g').data(rows).join('g')
    .attr('transform', (d, i) => `translate(0,${i * rowH + 4})`)
    .attr('data-class', d => d.name).attr('data-before', d => d.before).attr('data-after', d => d.probability);
  g.append('text').attr('x', 0).attr('y', 18).attr('class', 'bar-label').text(d => d.name);
  g.append('rect').attr('x', 120).attr('y', 2).attr('height', 12).attr('width', d => x(d.before)).attr('fill', '#bbbbbb');
  g.append('rect').attr('x', 120).attr('y', 16).attr('height', 12).attr('width', d => x(d.probability)).attr('fill', '#4c72b0');
  g.append('text').attr('x', d => 124 + Math.max(x(d.before), x(d.probability))).attr('y', 22).attr('class', 'bar-value')
    .text(d => `${d.before.toFixed(3)} → ${d.probability.toFixed(3)}`);
  const best = rows.find(r => r.class === prediction.best);
  const bestBefore = rows.reduce((a, r) => (r.before > a.before ? r : a), rows[0]);
  document.getElementById('best').textContent = best ? `top-1: ${bestBefore.name} → ${best.name}` : '';
  document.getElementById('bars').dataset.best = best ? best.name : '';
}

async function loadImage() {
  busy(`Loading image ${state.image}…`);
  showError(null);
  try {
    const q = state.classes ? `?classes=${encodeURIComponent(state.classes)}` : '';
    clean = await getJson(`${base()}${q}`);
    const blob = await (await fetch(`${base()}.png`)).blob();
    picture = await createImageBitmap(blob);
    document.getElementById('image').value = state.image;
    const total = clean.grid[0] * clean.grid[1];
    selected = new Set(listOf(state.patches).filter(p => p < total));
    const box = document.getElementById('classes');
    if (box) box.value = clean.classes.join('\n');
    drawPicture();
    editor.render();
    busy(null);
    await applyEdit();
  } catch (e) {
    busy(null);
    showError(e.message);
  }
}

async function applyEdit() {
  saveState();
  if (editRequest) editRequest.abort();
  if (!editor.edits.length) {
    drawBars({ top: clean.clean.top.map(t => ({ ...t, before: t.probability })), best: clean.clean.best });
    document.body.dataset.answered = String(++sequence);
    return;
  }
  if (state.scope === 'selected' && !selected.size) {
    showError('select patches on the image first, or edit all patches');
    return;
  }
  editRequest = new AbortController();
  const mine = ++sequence;
  const body = { operation: state.op, latents: editor.edits.map(e => e.latent), values: editor.edits.map(e => e.value) };
  if (state.scope === 'selected') body.patches = [...selected];
  if (typedClasses()) body.classes = typedClasses();
  busy('Editing…');
  try {
    const r = await postJson(`${base()}/edit`, body, editRequest.signal);
    if (mine !== sequence) return;
    showError(null);
    drawBars(r.after);
    busy(null);
    document.body.dataset.answered = String(mine);
  } catch (e) {
    if (e.name !== 'AbortError') { busy(null); showError(e.message); }
  }
}

async function showPatch(patch) {
  document.getElementById('patch-title').textContent = `Latents at patch ${patch}`;
  busy(`Reading the latents at patch ${patch}…`);
  try {
    const r = await getJson(`${base()}/patches/${patch}`);
    renderPatchLatents(r, editor, { list: document.getElementById('patch-latents'), note: document.getElementById('patch-note') });
    busy(null);
  } catch (e) {
    busy(null);
    showError(e.message);
  }
}

canvas.addEventListener('click', event => {
  if (!clean) return;
  const rect = canvas.getBoundingClientRect();
  const [h, w] = clean.grid;
  const col = Math.min(w - 1, Math.floor(((event.clientX - rect.left) / rect.width) * w));
  const row = Math.min(h - 1, Math.floor(((event.clientY - rect.top) / rect.height) * h));
  const p = row * w + col;
  if (selected.has(p)) selected.delete(p); else selected.add(p);
  drawPicture();
  saveState();
  showPatch(p);
  if (state.scope === 'selected') applyEdit();
});

async function start() {
  try {
    const list = await getJson(`/api/control/${head}`);
    if (!list.length) { busy(null); showError(`this run has no ${head} head`); return; }
    const choice = document.getElementById('backbone');
    for (const b of list) choice.append(new Option(b.backbone, b.backbone));
    info = list.find(b => b.backbone === state.backbone) || list[0];
    state.backbone = info.backbone;
    choice.value = state.backbone;
    const values = state.values.split(',').map(Number);
    editor.edits = listOf(state.latents).map((l, i) => ({ latent: l, value: Number.isFinite(values[i]) ? values[i] : 0 }));
    const image = document.getElementById('image');
    image.max = String(info.images - 1);
    const go = i => { state.image = String(Math.max(0, Math.min(info.images - 1, i))); selected = new Set(); loadImage(); };
    image.addEventListener('change', () => go(Number.parseInt(image.value, 10) || 0));
    document.getElementById('prev').addEventListener('click', () => go(Number(state.image) - 1));
    document.getElementById('next').addEventListener('click', () => go(Number(state.image) + 1));
    choice.addEventListener('change', () => { state.backbone = choice.value; info = list.find(b => b.backbone === choice.value);
      editor.edits = []; go(0); });
    for (const id of ['op', 'scope']) {
      const el = document.getElementById(id);
      el.value = state[id];
      el.addEventListener('change', () => { state[id] = el.value; applyEdit(); });
    }
    const form = document.getElementById('classes-form');
    if (form) {
      form.addEventListener('submit', event => {
        event.preventDefault();
        const names = document.getElementById('classes').value.split('\n').map(s => s.trim()).filter(s => s);
        state.classes = names.join('|');
        loadImage();
      });
      document.getElementById('run-classes').addEventListener('click', () => { state.classes = ''; loadImage(); });
    }
    await loadImage();
  } catch (e) {
    busy(null);
    showError(e.message);
  }
}

start();
