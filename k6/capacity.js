// Capacity validation: an open model (arrival rate, not virtual users) that grows in steps, each held long enough
// to judge. Every step from JUDGED_FROM up is judged: the run fails when, in any of them, more than 0.1 % of
// requests fail, p95 passes 100 ms, or k6 drops arrivals (it could not keep up the rate). Ramps between steps are
// not judged; what they leave behind (a queue, a pod still starting) shows in the step after them. With
// SETTLE_SECONDS, a judged step first runs that long at its rate unjudged (reported as its own row): the time a
// reactive autoscaler needs to see the step, start pods for it and drain what queued meanwhile. A step larger than
// the fleet's headroom cannot hold while its new pods start, whatever the policy.
//   BASE_URL=http://127.0.0.1:8080 k6 run k6/capacity.js
// Env: STEPS (req/s, default 100,500,1000,1500,2000), STEP_SECONDS (60), RAMP_SECONDS (10), JUDGED_FROM (1000),
//      SETTLE_SECONDS (0),
//      ARRIVALS (even | poisson: see lib.js), MISS_SHARE (0.05), HOT_KEYS (1000), MAX_VUS (2000),
//      SUMMARY (capacity-summary.json), STEPS_CSV (a CSV of the steps' figures, for the demo; off by default).
import { arrivalEnv, arrive, iterationRate, summary, summaryNumbers, vusFor } from './lib.js';

const STEPS = (__ENV.STEPS || '100,500,1000,1500,2000').split(',').map((s) => parseInt(s, 10));
const STEP_SECONDS = parseInt(__ENV.STEP_SECONDS || '60', 10);
const RAMP_SECONDS = parseInt(__ENV.RAMP_SECONDS || '10', 10);
const MAX_VUS = parseInt(__ENV.MAX_VUS || '2000', 10);
const JUDGED_FROM = parseInt(__ENV.JUDGED_FROM || __ENV.JUDGED_STEP || '1000', 10);
const SETTLE_SECONDS = parseInt(__ENV.SETTLE_SECONDS || '0', 10);

// One ramp and one constant-rate scenario per step (and a judged step's settling before it), back to back, so every
// metric (dropped_iterations included) carries the step it belongs to in its scenario tag.
const scenarios = {};
const windows = []; // each step's (and settling's) seconds from the start of the run
let start = 0;
let previous = 0;
const seen = {};
for (const rate of STEPS) {
  const env = arrivalEnv(rate);
  // A rate that comes back (a flash crowd's 200,1000,200) gets scenarios of its own: step_200, then step_200_2.
  seen[rate] = (seen[rate] || 0) + 1;
  const name = seen[rate] === 1 ? `${rate}` : `${rate}_${seen[rate]}`;
  scenarios[`ramp_to_${name}`] = {
    executor: 'ramping-arrival-rate', exec: 'request', startTime: `${start}s`, timeUnit: '1s', env,
    // The ramp's iterations carry the target's requests each (one, or a Poisson slot's mean), so it starts at the
    // iteration rate that gives the previous step's request rate.
    startRate: Math.round(iterationRate(rate) * previous / rate),
    stages: [{ target: iterationRate(rate), duration: `${RAMP_SECONDS}s` }],
    preAllocatedVUs: vusFor(rate, MAX_VUS), maxVUs: MAX_VUS,
  };
  start += RAMP_SECONDS;
  const judged = rate >= JUDGED_FROM;
  if (judged && SETTLE_SECONDS > 0) {
    scenarios[`settle_${name}`] = {
      executor: 'constant-arrival-rate', exec: 'request', startTime: `${start}s`, timeUnit: '1s', env,
      rate: iterationRate(rate), duration: `${SETTLE_SECONDS}s`,
      preAllocatedVUs: vusFor(rate, MAX_VUS), maxVUs: MAX_VUS,
    };
    windows.push({ rate, from: start, to: start + SETTLE_SECONDS, judged: false, scenario: `settle_${name}`, phase: 'settle' });
    start += SETTLE_SECONDS;
  }
  scenarios[`step_${name}`] = {
    executor: 'constant-arrival-rate', exec: 'request', startTime: `${start}s`, timeUnit: '1s', env,
    rate: iterationRate(rate), duration: `${STEP_SECONDS}s`,
    preAllocatedVUs: vusFor(rate, MAX_VUS), maxVUs: MAX_VUS,
  };
  windows.push({ rate, from: start, to: start + STEP_SECONDS, judged, scenario: `step_${name}`, phase: 'step' });
  start += STEP_SECONDS;
  previous = rate;
}

// Judged steps get the real thresholds; the others get ones that always hold, which only make k6 keep their figures.
const thresholds = {};
for (const { scenario, judged } of windows) {
  const step = `scenario:${scenario}`;
  thresholds[`http_req_failed{${step}}`] = [judged ? 'rate<0.001' : 'rate>=0'];
  thresholds[`http_req_duration{${step}}`] = [judged ? 'p(95)<100' : 'p(95)>=0'];
  thresholds[`dropped_iterations{${step}}`] = [judged ? 'count<1' : 'count>=0'];
  thresholds[`http_reqs{${step}}`] = ['count>=0'];
}

// Only the tags the thresholds and the summary read: each tag costs k6 CPU on every request (7 % less at 1,500 req/s),
// and on two cores k6 shares the machine with the pods it measures.
export const options = {
  scenarios, thresholds, discardResponseBodies: true, summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
  systemTags: ['scenario', 'status', 'expected_response', 'error'],
};

export const request = arrive;

export function handleSummary(data) {
  const out = summary(data, 'capacity-summary.json');
  if (__ENV.STEPS_CSV) {
    const lines = ['rate,fromSecond,toSecond,judged,requests,p95Ms,p99Ms,failedRate,dropped,phase'];
    for (const w of windows) {
      const n = summaryNumbers(data, w.scenario);
      lines.push([w.rate, w.from, w.to, w.judged, n.requests, n.p95Ms.toFixed(1), n.p99Ms.toFixed(1),
        n.failedRate.toFixed(5), n.dropped, w.phase].join(','));
    }
    out[__ENV.STEPS_CSV] = lines.join('\n') + '\n';
  }
  return out;
}
