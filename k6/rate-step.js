// One open-model step: RATE req/s for DURATION seconds, then one JSON line with what it measured (bench/pod-capacity.sh
// runs it at rising rates).
//   BASE_URL=http://127.0.0.1:8080 RATE=300 DURATION=15 k6 run -q k6/rate-step.js
// Env: RATE, DURATION (seconds, 15), ARRIVALS (even | poisson, see lib.js), MAX_VUS (2000), HOT_KEYS, MISS_SHARE.
import { arrivalEnv, arrive, iterationRate, summaryNumbers, vusFor } from './lib.js';

const RATE = parseInt(__ENV.RATE || '100', 10);
const DURATION_S = parseInt(__ENV.DURATION || '15', 10);
const MAX_VUS = parseInt(__ENV.MAX_VUS || '2000', 10);

export const options = {
  scenarios: {
    step: {
      executor: 'constant-arrival-rate', exec: 'request', timeUnit: '1s', rate: iterationRate(RATE), duration: `${DURATION_S}s`,
      env: arrivalEnv(RATE),
      preAllocatedVUs: vusFor(RATE, MAX_VUS), maxVUs: MAX_VUS,
    },
  },
  // Reported, not judged: the caller decides what the figures mean.
  thresholds: { 'http_req_duration{scenario:step}': ['p(95)>=0'], 'http_req_failed{scenario:step}': ['rate>=0'],
    'dropped_iterations{scenario:step}': ['count>=0'], 'http_reqs{scenario:step}': ['count>=0'] },
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
};

export const request = arrive;

export function handleSummary(data) {
  return { stdout: JSON.stringify(Object.assign({ rate: RATE }, summaryNumbers(data, 'step'))) + '\n' };
}
