// Dashboard 1, the feature map: a canvas scatter of every analysed latent (zoom, pan, hover, search), and the
// page of the latent clicked. Data from /api/sets/{set}/map and /api/sets/{set}/latents/{latent}.
import { getJson, busy, showError, readState, writeState, fmt } from './common.js';

const d3 = window.d3;
const state = readState({ set: '', proj: 'umap', colour: 'log10_frequency', latent: '' });
const canvas = document.getElementById('map');
const tooltip = document.getElementById('tooltip');
const ctx = canvas.getContext('2d');

let map = null;          // the map JSON of the current set
let points = [];         // {row, latent, x, y, value} in data coordinates
let base = null;         // {x, y} d3 scales from data to canvas pixels before zoom
let transform = d3.zoomIdentity;
let tree = null;         // quadtree of points in canvas pixels before zoom (built once per layout, not per redraw)
let hovered = null;
let mapRequest = null;
let latentRequest = null;
let colourScale = null;
let firstDrawMs = null;  // ms from navigation to the first drawn map
// Benchmark mode (address with bench=N, used by `saelab bench serve`): see benchmark() below.
const BENCH = Math.min(10000, Number.parseInt(new URLSearchParams(window.location.search).get('bench') || '0', 10) || 0);

function select(id, value) {
  const el = document.getElementById(id);
  el.value = value;
  return el;
}

function size() {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  canvas.width = Math.round(w * ratio);
  canvas.height = Math.round(h * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { w, h };
}

function buildPoints() {
  const xs = state.proj === 'pca' ? map.pca_x : map.umap_x;
  const ys = state.proj === 'pca' ? map.pca_y : map.umap_y;
  const values = map[state.colour];
  points = [];
  let outside = 0;
  for (let i = 0; i < map.latents.length; i++) {
    if (xs[i] === null || ys[i] === null) { outside++; continue; }
    points.push({ row: i, latent: map.latents[i], x: xs[i], y: ys[i], value: values[i] });
  }
  const { w, h } = size();
  const pad = 12;
  base = {
    x: d3.scaleLinear().domain(d3.extent(points, p => p.x)).range([pad, w - pad]),
    y: d3.scaleLinear().domain(d3.extent(points, p => p.y)).range([h - pad, pad]),
  };
  const known = points.map(p => p.value).filter(v => v !== null);
  const extent = known.length ? d3.extent(known) : [0, 1];
  colourScale = d3.scaleSequential(d3.interpolateViridis).domain(extent);
  const label = document.querySelector(`#colour option[value="${state.colour}"]`).textContent;
  document.getElementById('legend').textContent = `${points.length} latents · colour: ${label} from ${fmt(extent[0])} (dark) to ${fmt(extent[1])} (yellow)`
    + (outside ? ` · ${outside} latents outside the UMAP sample are not drawn here (UMAP ran on a sample); the PCA projection shows all` : '');
  canvas.dataset.points = String(points.length);
  index();
}

function screen(p) {
  return [transform.applyX(base.x(p.x)), transform.applyY(base.y(p.y))];
}

// One redraw (every zoom step and hover change): the hover index does not change with the zoom, so it is not rebuilt.
function draw() {
  if (!base) return;
  paint();
}

function paint() {
  const { w, h } = { w: canvas.clientWidth, h: canvas.clientHeight };
  ctx.clearRect(0, 0, w, h);
  const selected = Number.parseInt(state.latent, 10);
  for (const p of points) {
    const [sx, sy] = screen(p);
    if (sx < -4 || sy < -4 || sx > w + 4 || sy > h + 4) continue;
    ctx.fillStyle = p.value === null ? '#bbbbbb' : colourScale(p.value);
    ctx.fillRect(sx - 2, sy - 2, 4, 4);
  }
  for (const [p, colour] of [[hovered, '#000000'], [points.find(q => q.latent === selected), '#d62728']]) {
    if (!p) continue;
    const [sx, sy] = screen(p);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(sx, sy, 6, 0, 2 * Math.PI);
    ctx.stroke();
  }
}

// The hover index, in canvas pixels before zoom: a pointer position is mapped back through the zoom instead
// (d3's transform.invert), so zooming and panning never rebuild it.
function index() {
  tree = d3.quadtree().x(p => base.x(p.x)).y(p => base.y(p.y)).addAll(points);
}

// The point within 8 screen pixels of (mx, my), or null.
function pointAt(mx, my) {
  return tree.find(transform.invertX(mx), transform.invertY(my), 8 / transform.k) || null;
}

function showTooltip(p, mx, my) {
  if (!p) { tooltip.hidden = true; return; }
  const label = document.querySelector(`#colour option[value="${state.colour}"]`).textContent;
  tooltip.textContent = `latent ${p.latent} · ${label} ${fmt(p.value)}`;
  tooltip.style.left = `${mx + 12}px`;
  tooltip.style.top = `${my + 12}px`;
  tooltip.hidden = false;
}

canvas.addEventListener('mousemove', event => {
  if (!tree) return;
  const rect = canvas.getBoundingClientRect();
  const mx = event.clientX - rect.left;
  const my = event.clientY - rect.top;
  const p = pointAt(mx, my);
  if (p !== hovered) {
    hovered = p;
    draw();
  }
  showTooltip(p, mx, my);
});
canvas.addEventListener('mouseleave', () => { hovered = null; tooltip.hidden = true; draw(); });
canvas.addEventListener('click', () => { if (hovered) openLatent(hovered.latent); });

d3.select(canvas).call(d3.zoom().scaleExtent([0.5, 200]).on('zoom', event => {
  transform = event.transform;
  draw();
}));

async function loadSet() {
  if (mapRequest) mapRequest.abort();
  mapRequest = new AbortController();
  busy('Loading the map (UMAP of the decoder directions is computed on first use)…');
  showError(null);
  try {
    map = await getJson(`/api/sets/${encodeURIComponent(state.set)}/map`, { signal: mapRequest.signal });
    transform = d3.zoomIdentity;
    d3.select(canvas).call(d3.zoom().transform, d3.zoomIdentity);
    buildPoints();
    draw();
    if (firstDrawMs === null) firstDrawMs = performance.now();
    busy(null);
    if (state.latent !== '') await openLatent(Number.parseInt(state.latent, 10));
  } catch (e) {
    if (e.name !== 'AbortError') { busy(null); showError(e.message); }
  }
}

async function openLatent(latent) {
  if (!Number.isInteger(latent) || latent < 0) { showError('type a latent id (a non-negative integer)'); return; }
  state.latent = String(latent);
  writeState(state);
  draw();
  if (latentRequest) latentRequest.abort();
  latentRequest = new AbortController();
  busy(`Loading latent ${latent}…`);
  showError(null);
  try {
    const page = await getJson(`/api/sets/${encodeURIComponent(state.set)}/latents/${latent}`, { signal: latentRequest.signal });
    renderLatent(page);
    busy(null);
  } catch (e) {
    if (e.name !== 'AbortError') { busy(null); showError(e.message); }
  }
}

function renderLatent(page) {
  const panel = document.getElementById('latent');
  panel.hidden = false;
  panel.dataset.latent = String(page.latent);
  document.getElementById('latent-title').textContent = `Latent ${page.latent}`;
  const numbers = document.getElementById('latent-numbers');
  numbers.replaceChildren();
  for (const [name, value] of [['frequency (patch tokens)', page.frequency], ['mean when firing', page.mean_when_firing],
    ['max', page.max], ['CLS frequency', page.cls_frequency], ['label entropy (nats)', page.label_entropy]]) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = fmt(value);
    numbers.append(dt, dd);
  }
  const tiles = document.getElementById('top-images');
  tiles.replaceChildren();
  for (const t of page.top_images) {
    const figure = document.createElement('figure');
    const img = document.createElement('img');
    img.src = t.url;
    img.alt = `top image ${t.rank + 1}: image ${t.image}`;
    img.width = 112;
    img.height = 112;
    const caption = document.createElement('figcaption');
    caption.textContent = `${fmt(t.value)} · ${t.label || `image ${t.image}`}`;
    figure.append(img, caption);
    tiles.append(figure);
  }
  if (!page.top_images.length) tiles.textContent = 'This latent never fired on the analysed images.';
  const concepts = document.getElementById('concepts');
  concepts.replaceChildren();
  for (const c of page.concepts) {
    const li = document.createElement('li');
    li.textContent = `${c.family} · ${c.name}: F1 ${fmt(c.f1)}, AUROC ${fmt(c.auroc)}`;
    concepts.append(li);
  }
  if (!page.concepts.length) concepts.textContent = 'No concept has this latent as its best match.';
  const nearest = document.getElementById('nearest');
  nearest.replaceChildren();
  for (const n of page.nearest) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = `latent ${n.latent}`;
    button.addEventListener('click', () => openLatent(n.latent));
    li.append(button, ` cosine ${fmt(n.cosine)}`);
    nearest.append(li);
  }
  drawHistogram(page.histogram);
}

function drawHistogram(h) {
  const svg = d3.select('#histogram');
  svg.selectAll('*').remove();
  const width = +svg.attr('width');
  const height = +svg.attr('height');
  const counts = h.counts;
  const x = d3.scaleBand().domain(d3.range(counts.length)).range([30, width - 4]).padding(0.1);
  const y = d3.scaleLinear().domain([0, d3.max(counts) || 1]).nice().range([height - 18, 4]);
  svg.append('g').selectAll('rect').data(counts).join('rect')
    .attr('x', (d, i) => x(i)).attr('y', d => y(d)).attr('width', x.bandwidth()).attr('height', d => y(0) - y(d))
    .attr('fill', '#4c72b0');
  svg.append('g').attr('transform', `translate(30,0)`).call(d3.axisLeft(y).ticks(3));
  const first = h.edges[1];
  const last = h.edges[h.edges.length - 2];
  svg.append('text').attr('x', 30).attr('y', height - 4).attr('class', 'axis-note')
    .text(`${fmt(first)} … ${fmt(last)} (log scale)`);
}

// Where a latent is drawn, in CSS pixels from the canvas's top-left corner (null when not drawn): what a person
// sees, for the browser tests that hover and click it.
window.saelabFeatureMap = {
  screenPosition(latent) {
    const p = points.find(q => q.latent === latent);
    if (!p) return null;
    const [x, y] = screen(p);
    return { x, y };
  },
};

// Benchmark mode: after the map is drawn, n redraws at zoom transforms cycling through scales 1, 2, 4, 8, 16 and 0.5
// (centred on seeded random spots; two warm-up redraws first), one per animation frame as zoom events come. Each is
// timed from the start of the paint until its pixels are readable (getImageData of one pixel flushes the canvas's
// drawing). Then the hover index build (once per set, projection, colour or window size; 5 times) and hover look-ups
// (pointAt, as mousemove calls it) at random spots, half at scale 1 and half at scale 8. The raw figures go, as JSON,
// into the body's data-bench attribute, which the benchmark reads.
async function benchmark(n) {
  if (!map || !points.length) {
    document.body.dataset.bench = JSON.stringify({ error: 'the map has no points to draw' });
    return;
  }
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  let seed = 1;
  const random = () => { seed = (seed * 16807) % 2147483647; return (seed - 1) / 2147483646; };
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
  const zoomAt = k => (k === 1 ? d3.zoomIdentity
    : d3.zoomIdentity.translate(w / 2, h / 2).scale(k).translate(-random() * w, -random() * h));
  const scales = [1, 2, 4, 8, 16, 0.5];
  const out = { redraws: n, points: points.length, width: w, height: h, ratio: window.devicePixelRatio || 1,
    first_draw_ms: firstDrawMs, redraw_ms: [], full_view_ms: [], index_ms: [] };
  for (let i = -2; i < n; i++) {
    const k = scales[(i + scales.length) % scales.length];
    transform = zoomAt(k);
    await frame();
    const t0 = performance.now();
    paint();
    ctx.getImageData(0, 0, 1, 1);
    const t1 = performance.now();
    if (i < 0) continue;
    out.redraw_ms.push(t1 - t0);
    if (k === 1) out.full_view_ms.push(t1 - t0);
  }
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    index();
    out.index_ms.push(performance.now() - t0);
  }
  const finds = 10000;
  let found = 0;
  let spent = 0;
  for (const k of [1, 8]) {
    transform = zoomAt(k);
    const t0 = performance.now();
    for (let i = 0; i < finds / 2; i++) if (pointAt(random() * w, random() * h)) found++;
    spent += performance.now() - t0;
  }
  out.hover_find_ms = spent / finds;
  out.hover_found = found;
  transform = d3.zoomIdentity;
  d3.select(canvas).call(d3.zoom().transform, d3.zoomIdentity);
  draw();
  document.body.dataset.bench = JSON.stringify(out);
}

async function start() {
  for (const id of ['proj', 'colour']) {
    select(id, state[id]).addEventListener('change', event => {
      state[id] = event.target.value;
      writeState(state);
      buildPoints();
      draw();
    });
  }
  document.getElementById('search').addEventListener('submit', event => {
    event.preventDefault();
    const latent = Number.parseInt(document.getElementById('latent-id').value, 10);
    if (!map || !map.latents.includes(latent)) { showError(`latent ${document.getElementById('latent-id').value} is not in this map`); return; }
    openLatent(latent);
  });
  try {
    const sets = await getJson('/api/sets');
    const choice = document.getElementById('set');
    for (const s of sets) choice.append(new Option(s.label, s.id));
    if (!sets.length) { busy(null); showError('this run has no analysed SAE'); return; }
    if (!sets.some(s => s.id === state.set)) state.set = sets[0].id;
    choice.value = state.set;
    choice.addEventListener('change', () => { state.set = choice.value; state.latent = ''; writeState(state);
      document.getElementById('latent').hidden = true; loadSet(); });
    writeState(state);
    window.addEventListener('resize', () => { if (map) { buildPoints(); draw(); } });
    await loadSet();
    if (BENCH > 0) await benchmark(BENCH);
  } catch (e) {
    busy(null);
    showError(e.message);
  }
}

start();
