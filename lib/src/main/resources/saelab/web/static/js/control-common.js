// Pieces the control dashboards share: JSON posts, class colours, an image with a per-patch mask over it.
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** POST a JSON body; rejects with the server's sentence. */
export async function postJson(url, body, signal) {
  const response = await fetch(url, {
    method: 'POST', signal, body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
  });
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new Error(answer && answer.error ? answer.error : `${url}: HTTP ${response.status}`);
  return answer;
}

/** A class's colour: the class name itself when it is a colour word (the toy world's classes), else a palette entry. */
export function classColour(name, index) {
  if (name === 'background' || name === 'none') return 'rgba(0,0,0,0)';
  if (window.CSS && CSS.supports('color', name)) return name;
  return PALETTE[index % PALETTE.length];
}

/** Comma list of non-negative integers from the address. */
export function listOf(text) {
  return (text || '').split(',').filter(s => /^[0-9]+$/.test(s)).map(Number);
}

/**
 * Draws the image scaled to the canvas and, per patch, its class colour (translucent); selected patches get a white
 * frame, outlined ones (changed by the edit) a red one.
 */
export function drawImageWithMask(canvas, picture, grid, mask, classes, { selected = new Set(), outlined = new Set() } = {}) {
  const ctx = canvas.getContext('2d');
  const [h, w] = grid;
  const cw = canvas.width / w;
  const ch = canvas.height / h;
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(picture, 0, 0, canvas.width, canvas.height);
  for (let p = 0; p < h * w; p++) {
    const x = (p % w) * cw;
    const y = Math.floor(p / w) * ch;
    ctx.globalAlpha = 0.45;
    ctx.fillStyle = classColour(classes[mask[p]], mask[p]);
    ctx.fillRect(x, y, cw, ch);
    ctx.globalAlpha = 1;
    if (outlined.has(p)) {
      ctx.strokeStyle = '#d00000';
      ctx.lineWidth = 2;
      ctx.strokeRect(x + 1, y + 1, cw - 2, ch - 2);
    }
    if (selected.has(p)) {
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.strokeRect(x + 2, y + 2, cw - 4, ch - 4);
    }
  }
}

/**
 * The list of chosen latents with one slider each (−20 to +20, units of the latent's maximum). {@code onChange} runs
 * after every slider move, addition or removal; the list is rebuilt only when latents are added or removed, so a
 * slider being dragged is never replaced.
 */
export function createEditor(listElement, onChange) {
  const editor = {
    edits: [],
    has(latent) { return editor.edits.some(e => e.latent === latent); },
    add(latent, value = 0) {
      if (!editor.has(latent)) editor.edits.push({ latent, value });
      editor.render();
      onChange();
    },
    render() {
      listElement.replaceChildren();
      if (!editor.edits.length) {
        listElement.textContent = 'No latent chosen: pick one from a patch below.';
        return;
      }
      for (const e of editor.edits) {
        const li = document.createElement('li');
        li.dataset.latent = String(e.latent);
        const name = document.createElement('span');
        name.textContent = `latent ${e.latent}`;
        const slider = document.createElement('input');
        slider.type = 'range';
        slider.min = '-20';
        slider.max = '20';
        slider.step = '0.5';
        slider.value = String(e.value);
        slider.setAttribute('aria-label', `value of latent ${e.latent} in units of its maximum`);
        const out = document.createElement('output');
        out.textContent = `${e.value} × max`;
        slider.addEventListener('input', () => {
          e.value = Number(slider.value);
          out.textContent = `${e.value} × max`;
          onChange();
        });
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = 'remove';
        remove.addEventListener('click', () => {
          editor.edits = editor.edits.filter(x => x !== e);
          editor.render();
          onChange();
        });
        li.append(name, slider, out, remove);
        listElement.append(li);
      }
    },
  };
  return editor;
}

/** Fills the patch panel with the latents most active at a patch (answer of .../patches/{p}); {@code onPick(latent)} adds one. */
export function renderPatchLatents(answer, editor, { list, note }) {
  list.replaceChildren();
  note.textContent = `Most active first; ${answer.masked_frequent} latents firing on at least `
    + `${answer.frequent_threshold * 100}% of patches are left out.`;
  for (const l of answer.latents) {
    const li = document.createElement('li');
    li.dataset.latent = String(l.latent);
    if (l.example) {
      const img = document.createElement('img');
      img.src = l.example;
      img.alt = `top image of latent ${l.latent}`;
      img.width = 48;
      img.height = 48;
      li.append(img);
    }
    const text = document.createElement('span');
    const f = v => (v === null || v === undefined ? '—' : Number(v.toPrecision(3)).toString());
    text.textContent = `latent ${l.latent}: ${f(l.value)} here (max ${f(l.max)}, fires on ${f(l.frequency)} of patches)`;
    const add = document.createElement('button');
    add.type = 'button';
    add.textContent = 'edit';
    add.disabled = editor.has(l.latent);
    add.addEventListener('click', () => { add.disabled = true; editor.add(l.latent); });
    li.append(text, add);
    list.append(li);
  }
  if (!answer.latents.length) list.textContent = 'No latent fires here (besides the very frequent ones).';
}
