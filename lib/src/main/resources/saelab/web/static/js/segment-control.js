// Dashboard 2, segmentation control: an image with the segmentation head's mask; click patches to list the latents
// most active there; sliders edit chosen latents on all (or the selected) patches and the mask after the edit updates
// live, changed patches outlined and counted. Data from /api/control/segment/...
import { getJson, busy, showError, readState, writeState } from './common.js';
import { postJson, classColour, drawImageWithMask, listOf, createEditor, renderPatchLatents } from './control-common.js';

const state = readState({ backbone: '', image: '0', op: 'set', scope: 'all', latents: '', values: '', patches: '' });
const before = document.getElementById('before');
const after = document.getElementById('after');

let info = null;          // /api/control/segment entry of the backbone
let clean = null;         // the clean prediction of the image
let picture = null;       // the image as an ImageBitmap
let selected = new Set(); // patch indices
let editRequest = null;
let sequence = 0;
const editor = createEditor(document.getElementById('edits'), () => applyEdit());

function base() {
  return `/api/control/segment/${encodeURIComponent(state.backbone)}/images/${state.image}`;
}

function saveState() {
  state.latents = editor.edits.map(e => e.latent).join(',');
  state.values = editor.edits.map(e => e.value).join(',');
  state.patches = [...selected].sort((a, b) => a - b).join(',');
  writeState(state);
}

function patchAt(canvas, event) {
  const rect = canvas.getBoundingClientRect();
  const [h, w] = clean.grid;
  const col = Math.min(w - 1, Math.floor(((event.clientX - rect.left) / rect.width) * w));
  const row = Math.min(h - 1, Math.floor(((event.clientY - rect.top) / rect.height) * h));
  return row * w + col;
}

function drawBefore() {
  drawImageWithMask(before, picture, clean.grid, clean.clean.mask, clean.classes, { selected });
}

function drawAfter(mask, changed) {
  drawImageWithMask(after, picture, clean.grid, mask, clean.classes, { outlined: new Set(changed) });
  const n = changed.length;
  const total = clean.grid[0] * clean.grid[1];
  const label = document.getElementById('changed-count');
  label.textContent = editor.edits.length ? `: ${n} of ${total} patches changed class` : ': no edit';
  after.dataset.changed = String(n);
}

function legend() {
  const ul = document.getElementById('legend');
  ul.replaceChildren();
  clean.classes.forEach((name, i) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = classColour(name, i);
    li.append(swatch, name);
    ul.append(li);
  });
}

async function loadImage() {
  busy(`Loading image ${state.image}…`);
  showError(null);
  try {
    clean = await getJson(base());
    const blob = await (await fetch(`${base()}.png`)).blob();
    picture = await createImageBitmap(blob);
    document.getElementById('image').value = state.image;
    const total = clean.grid[0] * clean.grid[1];
    selected = new Set(listOf(state.patches).filter(p => p < total));
    legend();
    drawBefore();
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
  if (!editor.edits.length) {
    if (editRequest) editRequest.abort();
    drawAfter(clean.clean.mask, []);
    document.body.dataset.answered = String(++sequence);
    return;
  }
  if (editRequest) editRequest.abort();
  editRequest = new AbortController();
  const mine = ++sequence;
  const body = { operation: state.op, latents: editor.edits.map(e => e.latent), values: editor.edits.map(e => e.value) };
  if (state.scope === 'selected') body.patches = [...selected];
  if (state.scope === 'selected' && !selected.size) {
    showError('select patches on the image first, or edit all patches');
    return;
  }
  busy('Editing…');
  try {
    const r = await postJson(`${base()}/edit`, body, editRequest.signal);
    if (mine !== sequence) return; // a newer slider position is on its way
    showError(null);
    drawAfter(r.after.mask, r.changed);
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

before.addEventListener('click', event => {
  if (!clean) return;
  const p = patchAt(before, event);
  if (selected.has(p)) selected.delete(p); else selected.add(p);
  drawBefore();
  saveState();
  showPatch(p);
  if (state.scope === 'selected') applyEdit();
});

async function start() {
  try {
    const list = await getJson('/api/control/segment');
    if (!list.length) { busy(null); showError('this run has no segmentation head'); return; }
    const choice = document.getElementById('backbone');
    for (const b of list) choice.append(new Option(b.backbone, b.backbone));
    info = list.find(b => b.backbone === state.backbone) || list[0];
    state.backbone = info.backbone;
    choice.value = state.backbone;
    const latents = listOf(state.latents);
    const values = state.values.split(',').map(Number);
    editor.edits = latents.map((l, i) => ({ latent: l, value: Number.isFinite(values[i]) ? values[i] : 0 }));
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
    await loadImage();
  } catch (e) {
    busy(null);
    showError(e.message);
  }
}

start();
