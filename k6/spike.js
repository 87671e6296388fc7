// A sudden tenfold jump: BASE_RATE req/s, then at once 10x for SPIKE_SECONDS, then back. Shows how long the
// failures and the slow tail last while the operator adds replicas (burst mode).
//   BASE_URL=http://127.0.0.1:8080 k6 run k6/spike.js
// Env: BASE_RATE (100), BEFORE_SECONDS (60), SPIKE_SECONDS (120), AFTER_SECONDS (60), MAX_VUS (1000), SUMMARY.
import { getItem, summary } from './lib.js';

const BASE = parseInt(__ENV.BASE_RATE || '100', 10);
const BEFORE = parseInt(__ENV.BEFORE_SECONDS || '60', 10);
const SPIKE = parseInt(__ENV.SPIKE_SECONDS || '120', 10);
const AFTER = parseInt(__ENV.AFTER_SECONDS || '60', 10);
const MAX_VUS = parseInt(__ENV.MAX_VUS || '1000', 10);

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate', exec: 'request', timeUnit: '1s', startRate: BASE,
      preAllocatedVUs: Math.min(MAX_VUS, Math.max(10, Math.ceil(BASE / 5))), maxVUs: MAX_VUS,
      stages: [
        { target: BASE, duration: `${BEFORE}s` },
        { target: BASE * 10, duration: '1s' },
        { target: BASE * 10, duration: `${SPIKE}s` },
        { target: BASE, duration: '1s' },
        { target: BASE, duration: `${AFTER}s` },
      ],
    },
  },
  thresholds: { http_req_failed: ['rate<0.05'] },
  discardResponseBodies: true,
};

export function request() {
  getItem();
}

export function handleSummary(data) {
  return summary(data, 'spike-summary.json');
}
