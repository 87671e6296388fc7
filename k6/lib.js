// Shared by the k6 scripts: the target, the key mix, and a summary that needs nothing from the network.
import http from 'k6/http';
import { check } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || '').replace(/\/$/, '');
if (!BASE_URL) {
  throw new Error('set BASE_URL, e.g. BASE_URL=http://127.0.0.1:8080 k6 run k6/capacity.js');
}

const CATALOG_SIZE = 60000;
const HOT_KEYS = parseInt(__ENV.HOT_KEYS || '1000', 10);
const MISS_SHARE = parseFloat(__ENV.MISS_SHARE || '0.05');

// Hit-heavy: most requests go to a hot set that stays cached; MISS_SHARE of them to any item of the catalog.
export function itemId() {
  if (Math.random() < MISS_SHARE) {
    return 1 + Math.floor(Math.random() * CATALOG_SIZE);
  }
  return 1 + Math.floor(Math.random() * HOT_KEYS);
}

export function getItem(tags) {
  const res = http.get(`${BASE_URL}/api/items/${itemId()}`, { tags: Object.assign({ name: 'GET /api/items/{id}' }, tags) });
  check(res, { 'status 200': (r) => r.status === 200 });
  return res;
}

function metricLine(data, name, stat) {
  const m = data.metrics[name];
  if (!m || m.values[stat] === undefined) {
    return null;
  }
  return `${name} ${stat}=${Number(m.values[stat]).toFixed(2)}`;
}

// JSON for the record (SUMMARY), and a few plain lines on stdout, including each threshold's verdict.
export function summary(data, defaultFile) {
  const lines = [];
  for (const [name, stat] of [['http_reqs', 'rate'], ['http_req_failed', 'rate'], ['http_req_duration', 'p(95)'],
    ['http_req_duration', 'p(99)'], ['dropped_iterations', 'count'], ['iterations', 'count']]) {
    const line = metricLine(data, name, stat);
    if (line) {
      lines.push(line);
    }
  }
  for (const [name, m] of Object.entries(data.metrics)) {
    for (const [threshold, result] of Object.entries(m.thresholds || {})) {
      lines.push(`threshold ${name} ${threshold}: ${result.ok ? 'ok' : 'FAILED'}`);
    }
  }
  const out = {};
  out[__ENV.SUMMARY || defaultFile] = JSON.stringify(data, null, 2);
  out.stdout = lines.join('\n') + '\n';
  return out;
}
