import { getJson } from './common.js';

getJson('/api/run').then(r => { document.getElementById('run').textContent = r.name; }).catch(() => {});
