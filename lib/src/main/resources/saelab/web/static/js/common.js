// Shared helpers of the dashboards: JSON requests whose errors become one readable sentence, a busy
// indicator, an error line, and page state kept in the address (so every view has a shareable URL).

/** GET a JSON answer; rejects with an Error whose message is the server's sentence. */
export async function getJson(url, options = {}) {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, ...options });
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    if (response.ok) throw new Error(`${url}: the answer is not JSON`);
  }
  if (!response.ok) {
    throw new Error(body && body.error ? body.error : `${url}: HTTP ${response.status}`);
  }
  return body;
}

/** Shows or hides the busy line; the page's data-state says 'busy' or 'ready' for tests and people alike. */
export function busy(text) {
  const el = document.getElementById('status');
  if (text) {
    el.textContent = text;
    el.hidden = false;
    document.body.dataset.state = 'busy';
  } else {
    el.hidden = true;
    document.body.dataset.state = 'ready';
  }
}

/** Shows a failed request's sentence (or clears it with null). */
export function showError(message) {
  const el = document.getElementById('error');
  el.textContent = message || '';
  el.hidden = !message;
  if (message) document.body.dataset.state = 'error';
}

/** The page state from the address's query. */
export function readState(defaults) {
  const q = new URLSearchParams(window.location.search);
  const state = { ...defaults };
  for (const key of Object.keys(defaults)) {
    if (q.has(key)) state[key] = q.get(key);
  }
  return state;
}

/** Writes the page state into the address (no new history entry per hover or slider step). */
export function writeState(state) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) {
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  window.history.replaceState(null, '', `${window.location.pathname}?${q}`);
}

/** Formats a number for people: 3 significant digits, or an em dash when missing. */
export function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? Number(v.toPrecision(3)).toString() : v.toExponential(2);
}
