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
