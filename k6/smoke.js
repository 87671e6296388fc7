// A short check that the API answers correctly: an item (then a hit with an ETag that gives 304), a page,
// a bad id (a problem body, never a 500), and the metrics the operator reads (on the pod's management port, apart
// from the API: METRICS_URL, e.g. http://127.0.0.1:8081; left out when unset, as behind a Service).
//   BASE_URL=http://127.0.0.1:8080 METRICS_URL=http://127.0.0.1:8081 k6 run k6/smoke.js
import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL, summary } from './lib.js';

export const options = {
  vus: 1,
  iterations: 5,
  thresholds: { checks: ['rate==1'], http_req_failed: ['rate<0.5'] },
};

export default function () {
  const item = http.get(`${BASE_URL}/api/items/42`);
  check(item, {
    'item 200': (r) => r.status === 200,
    'item is JSON with its id': (r) => r.json('id') === 42,
    'X-Cache set': (r) => ['HIT', 'MISS', 'STALE'].includes(r.headers['X-Cache']),
    'ETag set': (r) => !!r.headers['Etag'],
  });
  const again = http.get(`${BASE_URL}/api/items/42`, { headers: { 'If-None-Match': item.headers['Etag'] } });
  check(again, { 'If-None-Match gives 304': (r) => r.status === 304 });
  const page = http.get(`${BASE_URL}/api/items?page=1&size=10`);
  check(page, { 'page of 10': (r) => r.status === 200 && r.json('items').length === 10 });
  const bad = http.get(`${BASE_URL}/api/items/abc`, { responseCallback: http.expectedStatuses(400) });
  check(bad, {
    'bad id is 400': (r) => r.status === 400,
    'problem body': (r) => (r.headers['Content-Type'] || '').startsWith('application/problem+json'),
  });
  if (__ENV.METRICS_URL) {
    const metrics = http.get(`${__ENV.METRICS_URL}/actuator/prometheus`);
    check(metrics, {
      'request counter exported': (r) => r.body.includes('http_server_requests_seconds_count'),
      'cache counters exported': (r) => r.body.includes('cache_gets_total'),
    });
  }
}

export function handleSummary(data) {
  return summary(data, 'smoke-summary.json');
}
